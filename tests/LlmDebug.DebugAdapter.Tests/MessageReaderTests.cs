using System.Text;
using LlmDebug.DebugAdapter.Protocol;
using LlmDebug.DebugAdapter.Transport;

namespace LlmDebug.DebugAdapter.Tests;

public class MessageReaderTests
{
    private static async Task<List<FramedMessage>> ReadAll(Stream input, int maxMessageBytes = MessageReader.DefaultMaxMessageBytes)
    {
        var reader = new MessageReader(input, maxMessageBytes);
        var results = new List<FramedMessage>();
        while (await reader.ReadAsync() is { } message) results.Add(message);
        return results;
    }

    private static string Text(FramedMessage message) => Encoding.UTF8.GetString(message.Body!);

    [Fact]
    public async Task Writer_counts_utf8_bytes_and_reader_round_trips_non_ascii_bodies()
    {
        const string text = "héllo → 世界 🙂";
        var output = new MemoryStream();
        await new MessageWriter(output).WriteAsync(new Event { EventName = "output", Body = new OutputEventBody { Output = text } });

        string wire = Encoding.UTF8.GetString(output.ToArray());
        int headerEnd = wire.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        int declared = int.Parse(wire["Content-Length: ".Length..headerEnd]);
        string json = wire[(headerEnd + 4)..];
        Assert.Equal(Encoding.UTF8.GetByteCount(json), declared);
        Assert.True(declared > json.Length, "non-ASCII body must have more bytes than chars");
        // Sent as real UTF-8, not \u escapes (the encoder still escapes astral-plane characters like the emoji).
        Assert.Contains("héllo → 世界", json);

        output.Position = 0;
        var messages = await Wire.ReadAllAsync(output);
        Assert.Equal(text, Assert.Single(messages).GetProperty("body").GetProperty("output").GetString());
    }

    [Fact]
    public async Task Reads_messages_delivered_one_byte_at_a_time()
    {
        byte[] data = Wire.Concat(Wire.Frame("""{"a":"ü"}"""), Wire.Frame("""{"b":2}"""), Wire.Frame("""{"c":"日本"}"""));
        var messages = await ReadAll(ChunkedStream.OneByteAtATime(data));
        Assert.Equal(new[] { """{"a":"ü"}""", """{"b":2}""", """{"c":"日本"}""" }, messages.Select(Text));
    }

    [Fact]
    public async Task Reads_two_messages_in_one_chunk_and_one_split_across_chunks()
    {
        byte[] all = Wire.Concat(Wire.Frame("""{"n":1}"""), Wire.Frame("""{"n":2}"""), Wire.Frame("""{"n":3}"""));
        int splitInsideThird = all.Length - 4;
        var stream = new ChunkedStream(new[] { all[..splitInsideThird], all[splitInsideThird..] });
        var messages = await ReadAll(stream);
        Assert.Equal(new[] { """{"n":1}""", """{"n":2}""", """{"n":3}""" }, messages.Select(Text));
    }

    [Fact]
    public async Task Accepts_extra_headers_and_any_header_name_casing()
    {
        byte[] data = Wire.Concat(
            Wire.Ascii("content-length: 7\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"n\":1}"),
            Wire.Ascii("X-Extra: 1\r\nCONTENT-LENGTH:7\r\n\r\n{\"n\":2}"));
        var messages = await ReadAll(new MemoryStream(data));
        Assert.Equal(new[] { """{"n":1}""", """{"n":2}""" }, messages.Select(Text));
    }

    [Theory]
    [InlineData("Content-Length: abc\r\n\r\n{\"junk\":true}")]
    [InlineData("Content-Length: -5\r\n\r\n")]
    [InlineData("Content-Type: text/plain\r\n\r\n{\"no\":\"length\"}")]
    [InlineData("garbage without colon\r\n\r\n")]
    public async Task Reports_malformed_header_then_resynchronises_on_next_message(string badPrefix)
    {
        byte[] data = Wire.Concat(Wire.Ascii(badPrefix), Wire.Frame("""{"ok":true}"""));
        var messages = await ReadAll(new MemoryStream(data));
        Assert.Equal(2, messages.Count);
        Assert.True(messages[0].IsError);
        Assert.False(string.IsNullOrWhiteSpace(messages[0].Error));
        Assert.Equal("""{"ok":true}""", Text(messages[1]));
    }

    [Fact]
    public async Task Skips_an_oversized_message_exactly_and_keeps_reading()
    {
        byte[] data = Wire.Concat(Wire.Frame(new string('x', 100)), Wire.Frame("""{"n":2}"""));
        var messages = await ReadAll(new MemoryStream(data), maxMessageBytes: 50);
        Assert.Contains("exceeds", messages[0].Error);
        Assert.Equal("""{"n":2}""", Text(messages[1]));
        Assert.Equal(2, messages.Count);
    }

    [Fact]
    public async Task Reports_a_body_truncated_by_end_of_stream_then_ends()
    {
        var messages = await ReadAll(new MemoryStream(Wire.Ascii("Content-Length: 20\r\n\r\n{\"short\"")));
        var only = Assert.Single(messages);
        Assert.Contains("8 of 20", only.Error);
    }

    [Fact]
    public async Task Ends_cleanly_at_end_of_stream_after_trailing_newlines()
    {
        var messages = await ReadAll(new MemoryStream(Wire.Concat(Wire.Frame("{}"), Wire.Ascii("\r\n"))));
        Assert.Equal("{}", Text(Assert.Single(messages)));
    }

    [Fact]
    public async Task Reports_a_header_cut_off_by_end_of_stream()
    {
        var messages = await ReadAll(new MemoryStream(Wire.Ascii("Content-Len")));
        Assert.True(Assert.Single(messages).IsError);
    }
}
