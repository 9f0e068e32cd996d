using System.Text;
using LlmDebug.DebugAdapter.Protocol;

namespace LlmDebug.DebugAdapter.Transport;

/// <summary>
/// Writes Content-Length framed messages. Thread-safe: concurrent writes never interleave, and
/// sequence numbers are assigned under the same lock so `seq` order is always wire order.
/// Content-Length counts UTF-8 bytes of the body, not characters.
/// </summary>
public sealed class MessageWriter
{
    private readonly Stream _output;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _lastSeq;

    public MessageWriter(Stream output) => _output = output;

    /// <summary>Raised (under the write lock, so in wire order) with each body written; used for tracing.</summary>
    public event Action<byte[]>? MessageWritten;

    /// <summary>Assigns <see cref="ProtocolMessage.Seq"/> (1, 2, 3, ...) and writes the message.</summary>
    public async Task WriteAsync(ProtocolMessage message, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            message.Seq = ++_lastSeq;
            byte[] body;
            try
            {
                body = DapJson.SerializeToUtf8(message);
            }
            catch
            {
                _lastSeq--; // nothing was written; keep seq gap-free
                throw;
            }
            await WriteFramedAsync(body, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Frames and writes an already serialized UTF-8 JSON body as is (no seq handling).</summary>
    public async Task WriteBodyAsync(byte[] utf8Body, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await WriteFramedAsync(utf8Body, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task WriteFramedAsync(byte[] utf8Body, CancellationToken cancellationToken)
    {
        byte[] header = Encoding.ASCII.GetBytes($"Content-Length: {utf8Body.Length}\r\n\r\n");
        await _output.WriteAsync(header, cancellationToken);
        await _output.WriteAsync(utf8Body, cancellationToken);
        await _output.FlushAsync(cancellationToken);
        MessageWritten?.Invoke(utf8Body);
    }
}
