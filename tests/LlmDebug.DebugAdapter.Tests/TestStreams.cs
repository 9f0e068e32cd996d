using System.Text;
using System.Text.Json;
using LlmDebug.DebugAdapter.Transport;

namespace LlmDebug.DebugAdapter.Tests;

/// <summary>Serves predetermined chunks: each read returns at most the rest of the current chunk.</summary>
internal sealed class ChunkedStream : Stream
{
    private readonly Queue<byte[]> _chunks;
    private byte[] _current = Array.Empty<byte>();
    private int _offset;

    public ChunkedStream(IEnumerable<byte[]> chunks) => _chunks = new Queue<byte[]>(chunks);

    /// <summary>The worst case for a reader: every read returns exactly one byte.</summary>
    public static ChunkedStream OneByteAtATime(byte[] data) => new(data.Select(b => new[] { b }));

    public override int Read(byte[] buffer, int offset, int count)
    {
        while (_offset == _current.Length)
        {
            if (_chunks.Count == 0) return 0;
            _current = _chunks.Dequeue();
            _offset = 0;
        }
        int n = Math.Min(count, _current.Length - _offset);
        Array.Copy(_current, _offset, buffer, offset, n);
        _offset += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>An input that never delivers data and ignores cancellation, like a quiet stdin.</summary>
internal sealed class SilentStream : Stream
{
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => new TaskCompletionSource<int>().Task;
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(new TaskCompletionSource<int>().Task);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("tests use async reads");
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

internal static class Wire
{
    /// <summary>Frames a JSON text the way a correct client does (byte count of the UTF-8 body).</summary>
    public static byte[] Frame(string json)
    {
        byte[] body = Encoding.UTF8.GetBytes(json);
        return Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n").Concat(body).ToArray();
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static string Request(int seq, string command, string? argumentsJson = null)
        => argumentsJson is null
            ? $$"""{"seq":{{seq}},"type":"request","command":"{{command}}"}"""
            : $$"""{"seq":{{seq}},"type":"request","command":"{{command}}","arguments":{{argumentsJson}}}""";

    /// <summary>Reads every framed message from <paramref name="output"/>; fails the test on any framing error.</summary>
    public static async Task<List<JsonElement>> ReadAllAsync(Stream output)
    {
        var reader = new MessageReader(output);
        var messages = new List<JsonElement>();
        while (await reader.ReadAsync() is { } framed)
        {
            Assert.False(framed.IsError, framed.Error);
            messages.Add(JsonDocument.Parse(framed.Body!).RootElement.Clone());
        }
        return messages;
    }
}

/// <summary>Runs a server over scripted input until the input ends, and collects output and logs.</summary>
internal sealed class ServerRun
{
    public List<JsonElement> Messages { get; private init; } = new();
    public List<string> Logs { get; private init; } = new();

    public static async Task<ServerRun> ExecuteAsync(byte[] input, Action<DapServer> register, Stream? inputStream = null)
    {
        var logs = new List<string>();
        var output = new MemoryStream();
        var server = new DapServer(inputStream ?? new MemoryStream(input), output, new DapServerOptions { Log = m => { lock (logs) logs.Add(m); } });
        register(server);
        await server.RunAsync().WaitAsync(TimeSpan.FromSeconds(10));
        output.Position = 0;
        return new ServerRun { Messages = await Wire.ReadAllAsync(output), Logs = logs };
    }

    public JsonElement ResponseTo(int requestSeq)
        => Messages.Single(m => m.GetProperty("type").GetString() == "response" && m.GetProperty("request_seq").GetInt32() == requestSeq);
}
