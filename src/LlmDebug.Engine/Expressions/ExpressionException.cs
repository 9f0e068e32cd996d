namespace LlmDebug.Engine.Expressions;

/// <summary>
/// The only exception the expression language lets escape: syntax errors, unknown hooks/functions,
/// bad indices and any failure inside TorchSharp are all reported as this type.
/// </summary>
public sealed class ExpressionException : Exception
{
    public ExpressionException(string reason, int position, Exception? inner = null)
        : base($"{reason} (at position {position})", inner)
    {
        Reason = reason;
        Position = position;
    }

    /// <summary>The user-facing message without the position suffix.</summary>
    public string Reason { get; }

    /// <summary>0-based character offset into the expression text where the problem was found.</summary>
    public int Position { get; }

    /// <summary>
    /// Two lines for a REPL: the expression and a caret under <see cref="Position"/>, then the reason.
    /// </summary>
    public string Describe(string text)
    {
        int caret = Math.Clamp(Position, 0, text.Length);
        return $"{text}\n{new string(' ', caret)}^ {Reason}";
    }
}
