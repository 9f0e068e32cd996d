using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Interventions;

/// <summary>
/// Zero or mean ablation of units along the last-but-one or last axis of a hook: attention heads in
/// <c>attn.hook_z</c> [seq, heads, d_head] or MLP neurons in <c>mlp.hook_post</c> [seq, d_mlp]. Mean ablation
/// replaces a unit's output with its mean over the positions of a reference run.
/// </summary>
public sealed class Ablation : IIntervention, IDisposable
{
    private readonly Tensor _keep;          // 1 where the value stays, 0 on ablated units; broadcasts over seq
    private readonly Tensor? _replacement;  // (1 - keep) * mean, or null for zero ablation

    public string HookName { get; }
    public string Description { get; }
    public IReadOnlyList<int> Units { get; }

    /// <param name="units">Heads (axis -2 of [seq, heads, d_head]) or neurons (axis -1 of [seq, d_mlp]) to ablate.</param>
    /// <param name="unitCount">Number of heads or neurons.</param>
    /// <param name="perHead">True for heads (the unit axis is followed by d_head), false for neurons.</param>
    /// <param name="mean">Mean over positions, shaped like one position of the hook; null for zero ablation.</param>
    public Ablation(string hookName, string description, IReadOnlyList<int> units, int unitCount, bool perHead, Tensor? mean)
    {
        HookName = hookName;
        Description = description;
        Units = units;
        using var scope = NewDisposeScope();
        var keep = ones(unitCount, dtype: ScalarType.Float32);
        foreach (int u in units) keep[u] = tensor(0f);
        _keep = (perHead ? keep.reshape(unitCount, 1) : keep).MoveToOuterDisposeScope();
        if (mean is not null) _replacement = ((1 - _keep) * mean).MoveToOuterDisposeScope();
    }

    public Tensor? Apply(Tensor value, StepWindow window, out string detail)
    {
        detail = $"positions {window.InputStart}…{window.InputEnd - 1}";
        var kept = value * _keep;
        return _replacement is null ? kept : kept + _replacement;
    }

    public void Dispose()
    {
        _keep.Dispose();
        _replacement?.Dispose();
    }
}
