namespace LlmDebug.Engine.Models;

/// <summary>The sequence would run past the model's context window (n_positions).</summary>
public sealed class ContextLengthException(int requested, int limit)
    : InvalidOperationException($"sequence of {requested} tokens exceeds the model's context length of {limit} (n_positions)")
{
    public int Requested { get; } = requested;
    public int Limit { get; } = limit;
}
