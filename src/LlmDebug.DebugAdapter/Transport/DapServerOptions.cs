namespace LlmDebug.DebugAdapter.Transport;

public sealed class DapServerOptions
{
    /// <summary>Diagnostics sink. Must never write to stdout (stdout is the protocol channel in stdio mode).</summary>
    public Action<string> Log { get; init; } = message => Console.Error.WriteLine($"[llmdebug-dap] {message}");

    /// <summary>Optional JSON-lines trace of every message in and out (--trace FILE).</summary>
    public ProtocolTrace? Trace { get; init; }

    public int MaxMessageBytes { get; init; } = MessageReader.DefaultMaxMessageBytes;
}
