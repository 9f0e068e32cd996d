using LlmDebug.Engine.Hooks;
using TorchSharp;

namespace LlmDebug.Engine.Runtime;

public enum StopReason { Entry, Breakpoint, Step, Exception, Pause }

/// <summary>
/// Everything known where execution is stopped: the token step, the location, the tokens so far and the
/// activations of this step. Valid until execution resumes (its tensors are freed when the step ends).
/// </summary>
public sealed class StopInfo
{
    public required StopReason Reason { get; init; }
    public required int Step { get; init; }
    public required ForwardLocation Location { get; init; }
    public required IReadOnlyList<int> Tokens { get; init; }
    /// <summary>First position processed by this token step and how many (whole prompt first, then 1).</summary>
    public required int InputStart { get; init; }
    public required int InputLength { get; init; }
    public required int PromptLength { get; init; }
    public required StepCapture Capture { get; init; }
    public required ExecutionPlan Plan { get; init; }
    /// <summary>The activation at the current hook (null on a block line).</summary>
    public torch.Tensor? CurrentValue { get; init; }
    public IReadOnlyList<int> HitBreakpointIds { get; init; } = [];
    public string? Description { get; init; }
    /// <summary>Interventions that changed an activation so far in this token step (up to and including the current hook).</summary>
    public IReadOnlyList<LlmDebug.Engine.Interventions.AppliedIntervention> AppliedInterventions { get; init; } = [];

    /// <summary>Positions of this step's tokens (the query rows of this step's attention).</summary>
    public IEnumerable<int> InputPositions => Enumerable.Range(InputStart, InputLength);

    /// <summary>The block execution is in, or null outside the blocks.</summary>
    public int? Layer => Location.Layer >= 0 ? Location.Layer : null;

    /// <summary>
    /// Finds a hook's activation for expressions and variables. Names are full (<c>blocks.3.attn.hook_q</c>) or
    /// relative to <paramref name="layer"/> (default: the current block). Errors explain what is valid.
    /// </summary>
    public bool TryResolve(string name, int? layer, out torch.Tensor? value, out string? error)
    {
        value = null; error = null;
        var layout = Plan.Layout;
        var hook = layout.Find(name);
        int? contextLayer = layer ?? Layer;
        if (hook is null && contextLayer is int l && layout.Find($"blocks.{l}.{name}") is { } relative) hook = relative;
        if (hook is null)
        {
            error = UnknownHookMessage(name, layout);
            return false;
        }
        if (Location.Hook?.Name == hook.Name && CurrentValue is not null) { value = CurrentValue; return true; }
        if (Capture.TryGet(hook.Name, out var captured)) { value = captured; return true; }
        var at = Plan.AtHook(hook)!;
        error = at.Ordinal > Location.Ordinal
            ? $"{hook.Name} has not run yet in token step {Step} (execution is at {Location.Name})"
            : $"{hook.Name} was not captured (see the launch option 'capture')";
        return false;
    }

    static string UnknownHookMessage(string name, HookLayout layout)
    {
        var m = System.Text.RegularExpressions.Regex.Match(name, @"^blocks\.(\d+)\.");
        if (m.Success && (!int.TryParse(m.Groups[1].Value, out int layer) || layer >= layout.Layers))
            return $"no layer {m.Groups[1].Value} in '{name}': this model has layers 0…{layout.Layers - 1}";
        return $"unknown hook '{name}'; hooks in a block: {string.Join(", ", layout.BlockLocalNames)}; outside blocks: " +
               string.Join(", ", layout.Prelude.Concat(layout.Final).Select(h => h.Name));
    }
}
