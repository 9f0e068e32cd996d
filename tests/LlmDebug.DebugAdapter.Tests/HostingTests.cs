using System.Net.Sockets;
using System.Text.Json;
using LlmDebug.DebugAdapter.Transport;

namespace LlmDebug.DebugAdapter.Tests;

public class HostingTests
{
    [Fact]
    public async Task Tcp_host_serves_one_client_through_initialize_and_disconnect()
    {
        var listening = new TaskCompletionSource<int>();
        var options = new DapServerOptions { Log = _ => { } };
        Task host = DapHost.RunTcpAsync(0, new LlmDebug.DebugAdapter.Session.LlmDebugSession(), options, port => listening.SetResult(port));
        int port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(5));

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Wire.Concat(
            Wire.Frame(Wire.Request(1, "initialize", """{"adapterID":"llm","linesStartAt1":true}""")),
            Wire.Frame(Wire.Request(2, "launch", "{}")),
            Wire.Frame(Wire.Request(3, "disconnect"))));

        await host.WaitAsync(TimeSpan.FromSeconds(10)); // disconnect stops the server, which closes the connection
        List<JsonElement> messages = await Wire.ReadAllAsync(stream);

        string[] kinds = messages.Select(m => m.GetProperty("type").GetString() + ":" + (m.TryGetProperty("event", out var e) ? e.GetString() : m.GetProperty("command").GetString())).ToArray();
        // a launch without a model fails with a message that says what is missing; the session stays usable
        Assert.Equal(new[] { "response:initialize", "response:launch", "response:disconnect" }, kinds);
        Assert.True(messages[0].GetProperty("body").GetProperty("supportsConfigurationDoneRequest").GetBoolean());
        Assert.False(messages[1].GetProperty("success").GetBoolean());
        Assert.Contains("'model'", messages[1].GetProperty("message").GetString());
        Assert.True(messages[2].GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task Trace_records_every_message_in_and_out_as_json_lines()
    {
        var traceFile = new MemoryStream();
        using var trace = new ProtocolTrace(traceFile);
        var server = new DapServer(
            new MemoryStream(Wire.Concat(Wire.Frame("{\n  \"seq\": 1, \"type\": \"request\", \"command\": \"nope\"\n}"), Wire.Frame("not json"))),
            new MemoryStream(), new DapServerOptions { Log = _ => { }, Trace = trace });
        await server.RunAsync();

        string[] lines = System.Text.Encoding.UTF8.GetString(traceFile.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length); // pretty-printed input is still one line
        var entries = lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        // the response to the first request may be written before or after the second message is read
        string Dir(JsonElement e) => e.GetProperty("dir").GetString()!;
        var incoming = entries.Where(e => Dir(e) == "in").ToArray();
        var outgoing = entries.Where(e => Dir(e) == "out").ToArray();
        Assert.Equal(2, incoming.Length);
        Assert.Equal("nope", incoming[0].GetProperty("msg").GetProperty("command").GetString());
        Assert.Equal("not json", incoming[1].GetProperty("raw").GetString());
        Assert.Equal("response", Assert.Single(outgoing).GetProperty("msg").GetProperty("type").GetString());
        Assert.Equal("in", Dir(entries[0]));   // a response never precedes its request
        Assert.All(entries, e => Assert.True(DateTimeOffset.TryParse(e.GetProperty("ts").GetString(), out _)));
    }

    [Theory]
    [InlineData(new string[0], null, null)]
    [InlineData(new[] { "--port", "4711" }, 4711, null)]
    [InlineData(new[] { "--trace=/tmp/t.jsonl", "--port=0" }, 0, "/tmp/t.jsonl")]
    public void Command_line_parses_port_and_trace(string[] args, int? port, string? trace)
    {
        var parsed = CommandLine.Parse(args);
        Assert.Equal(port, parsed.Port);
        Assert.Equal(trace, parsed.TracePath);
    }

    [Theory]
    [InlineData("--port")]
    [InlineData("--port", "abc")]
    [InlineData("--port", "70000")]
    [InlineData("--verbose")]
    public void Command_line_rejects_bad_input(params string[] args)
        => Assert.Throws<ArgumentException>(() => CommandLine.Parse(args));
}
