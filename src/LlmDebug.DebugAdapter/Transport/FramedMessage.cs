namespace LlmDebug.DebugAdapter.Transport;

/// <summary>
/// One unit read off the wire: either a message body (UTF-8 JSON bytes, not yet parsed) or a framing
/// error the reader recovered from. The reader keeps going after an error, so callers report and continue.
/// </summary>
public sealed class FramedMessage
{
    private FramedMessage(byte[]? body, string? error)
    {
        Body = body;
        Error = error;
    }

    /// <summary>The body bytes exactly as framed by Content-Length; null when this is an error.</summary>
    public byte[]? Body { get; }

    /// <summary>What was wrong with the framing; null for a good message.</summary>
    public string? Error { get; }

    public bool IsError => Error is not null;

    public static FramedMessage FromBody(byte[] body) => new(body, null);

    public static FramedMessage FromError(string error) => new(null, error);
}
