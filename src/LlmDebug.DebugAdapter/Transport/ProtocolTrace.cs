using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmDebug.DebugAdapter.Transport;

/// <summary>
/// Appends every protocol message to a file as one JSON line:
/// {"ts":"2024-01-01T00:00:00.000Z","dir":"in"|"out","msg":{...}} — or "raw":"..." when the bytes were not JSON.
/// Enabled with --trace FILE; a debugging aid, so failures to write are reported once and never break the session.
/// </summary>
public sealed class ProtocolTrace : IDisposable
{
    public const string Incoming = "in";
    public const string Outgoing = "out";

    private readonly object _lock = new();
    private readonly Stream _file;
    private readonly Action<string>? _log;
    private bool _failed;

    public ProtocolTrace(string path, Action<string>? log = null)
        : this(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), log) { }

    public ProtocolTrace(Stream destination, Action<string>? log = null)
    {
        _file = destination;
        _log = log;
    }

    public void Record(string direction, ReadOnlySpan<byte> utf8Message)
    {
        byte[] line = FormatLine(direction, utf8Message);
        lock (_lock)
        {
            if (_failed) return;
            try
            {
                _file.Write(line);
                _file.Flush();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                _failed = true;
                _log?.Invoke($"protocol trace disabled: {ex.Message}");
            }
        }
    }

    private static byte[] FormatLine(string direction, ReadOnlySpan<byte> utf8Message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ts", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
            json.WriteString("dir", direction);
            // Re-emit parsed JSON so a pretty-printed message still fits on one line.
            using JsonDocument? parsed = TryParse(utf8Message);
            if (parsed is not null)
            {
                json.WritePropertyName("msg");
                parsed.RootElement.WriteTo(json);
            }
            else
            {
                json.WriteString("raw", Encoding.UTF8.GetString(utf8Message));
            }
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static JsonDocument? TryParse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        lock (_lock) _file.Dispose();
    }
}
