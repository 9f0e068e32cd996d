using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Interventions;

/// <summary>
/// Replaces a hook's activation at given prompt positions with another run's activation at the same positions
/// (activation patching). The source is [source_seq, ...]; positions are absolute, so only the token step whose
/// input covers them (the prompt step) changes.
/// </summary>
public sealed class ActivationPatch(string hookName, string description, Tensor source, IReadOnlyList<int> positions) : IIntervention, IDisposable
{
    public string HookName => hookName;
    public string Description => description;
    public IReadOnlyList<int> Positions => positions;

    public Tensor? Apply(Tensor value, StepWindow window, out string detail)
    {
        var hit = positions.Where(window.Covers).ToArray();
        detail = hit.Length == 0 ? "" : $"positions {string.Join(",", hit)}";
        if (hit.Length == 0) return null;
        var rows = tensor(hit.Select(p => (long)(p - window.InputStart)).ToArray());
        var from = source.index_select(0, tensor(hit.Select(p => (long)p).ToArray()));
        return value.index_copy(0, rows, from);
    }

    public void Dispose() => source.Dispose();
}

/// <summary>Adds a vector to a [seq, d_model] hook at every position (or only at given absolute positions).</summary>
public sealed class Steering(string hookName, string description, Tensor vector, IReadOnlyList<int>? positions) : IIntervention, IDisposable
{
    public string HookName => hookName;
    public string Description => description;
    public Tensor Vector => vector;

    public Tensor? Apply(Tensor value, StepWindow window, out string detail)
    {
        if (positions is null)
        {
            detail = $"positions {window.InputStart}…{window.InputEnd - 1}";
            return value + vector;
        }
        var hit = positions.Where(window.Covers).ToArray();
        detail = hit.Length == 0 ? "" : $"positions {string.Join(",", hit)}";
        if (hit.Length == 0) return null;
        var mask = zeros(window.InputLength, 1, dtype: ScalarType.Float32);
        foreach (int p in hit) mask[p - window.InputStart] = tensor(1f);
        return value + mask * vector;
    }

    public void Dispose() => vector.Dispose();
}
