using TorchSharp;

namespace LlmDebug.Engine.Interventions;

/// <summary>Which positions the forward pass in progress covers: the whole prompt in step 0, then one new token per step.</summary>
public readonly record struct StepWindow(int Step, int InputStart, int InputLength, int PromptLength)
{
    public int InputEnd => InputStart + InputLength;
    public bool Covers(int position) => position >= InputStart && position < InputEnd;
}

/// <summary>
/// A change to the forward pass at one hook point (ablation, patching, steering). The runtime calls
/// <see cref="Apply"/> with the hook's activation before anything else sees it (capture, breakpoints, the rest of the
/// forward), so stops show the value the model really continues with.
/// </summary>
public interface IIntervention
{
    /// <summary>Full hook name it acts on, e.g. <c>blocks.3.attn.hook_z</c>.</summary>
    string HookName { get; }

    /// <summary>One line for the Variables pane and reports, e.g. <c>ablate blocks.3.attn head 2 (zero)</c>.</summary>
    string Description { get; }

    /// <summary>
    /// The replacement activation (same shape), or null when this step's positions are not affected.
    /// Runs on the generation thread inside the forward pass's dispose scope; <paramref name="detail"/> says what changed.
    /// </summary>
    torch.Tensor? Apply(torch.Tensor value, StepWindow window, out string detail);
}

/// <summary>An intervention that changed an activation in the current token step.</summary>
public sealed record AppliedIntervention(IIntervention Intervention, int Step, string Detail)
{
    public override string ToString() => $"{Intervention.Description} — {Detail}";
}
