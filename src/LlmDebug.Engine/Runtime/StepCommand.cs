namespace LlmDebug.Engine.Runtime;

/// <summary>How the user resumed execution.</summary>
public enum StepKind { Continue, Next, StepIn, StepOut }

/// <summary>
/// Where a step command should stop, decided once when execution resumes (like a debugger's step target).
/// Positions are (token step, location ordinal) pairs so a step may cross into the next token step.
/// </summary>
public sealed record StepTarget(StepKind Kind, int FromStep, ForwardLocation From, ExecutionPlan Plan)
{
    /// <summary>True when execution arriving at <paramref name="loc"/> of token step <paramref name="step"/> completes this step command.</summary>
    public bool IsReachedAt(int step, ForwardLocation loc)
    {
        bool after = step > FromStep || (step == FromStep && loc.Ordinal > From.Ordinal);
        if (!after) return false;
        switch (Kind)
        {
            case StepKind.StepIn:
                return true;
            case StepKind.Next:
                // step over: don't descend into anything deeper than where we stand
                // (from a block line, the block's hooks are skipped; from a hook, the next hook)
                return loc.Depth <= From.Depth;   // depth 1 is always ≤, so this also crosses into the next token step
            case StepKind.StepOut:
                var (targetStep, target) = StepOutTarget();
                return step == targetStep && loc == target;
            default:
                return false;
        }
    }

    /// <summary>
    /// stepOut from a hook inside a block runs to the block's end (its last hook); from a block line, from the
    /// block's last hook or from a hook outside blocks, to the end of the token step (the logits).
    /// </summary>
    (int Step, ForwardLocation Location) StepOutTarget()
    {
        if (From.Depth == 2 && Plan.EndOfBlock(From.Layer).Ordinal > From.Ordinal)
            return (FromStep, Plan.EndOfBlock(From.Layer));
        return From == Plan.Last ? (FromStep + 1, Plan.Last) : (FromStep, Plan.Last);
    }
}
