namespace LlmDebug.Engine.Runtime;

/// <summary>One generated token, with the text it added (partial UTF-8 characters are held back until complete).</summary>
public sealed record GeneratedToken(int Step, int Id, string Display, string TextDelta, IReadOnlyList<Inspection.PredictedToken> Candidates);

/// <summary>Why generation ended.</summary>
public sealed record SessionEnd(string Reason, bool IsError, IReadOnlyList<int> Tokens, string GeneratedText);

/// <summary>Decides, at a stop location, whether a breakpoint's condition holds (expressions live elsewhere).</summary>
public interface IConditionEvaluator
{
    /// <summary>True when <paramref name="condition"/> holds at <paramref name="stop"/>; false with an error when it cannot be evaluated.</summary>
    bool Evaluate(string condition, StopInfo stop, out string? error);
}
