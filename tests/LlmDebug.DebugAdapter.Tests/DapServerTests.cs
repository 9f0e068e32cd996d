using System.Text.Json;
using LlmDebug.DebugAdapter.Protocol;
using LlmDebug.DebugAdapter.Transport;

namespace LlmDebug.DebugAdapter.Tests;

public class DapServerTests
{
    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static void RegisterThreads(DapServer server)
        => server.On<EmptyArguments>(Commands.Threads, async (_, _) =>
            new ThreadsResponseBody { Threads = [new Protocol.Thread { Id = 1, Name = "forward" }] });

    [Fact]
    public async Task Successful_request_gets_a_response_with_seq_request_seq_command_and_body()
    {
        var run = await ServerRun.ExecuteAsync(Wire.Frame(Wire.Request(7, "threads")), RegisterThreads);

        JsonElement response = Assert.Single(run.Messages);
        Assert.Equal(1, response.GetProperty("seq").GetInt32());
        Assert.Equal("response", Str(response, "type"));
        Assert.Equal(7, response.GetProperty("request_seq").GetInt32());
        Assert.True(response.GetProperty("success").GetBoolean());
        Assert.Equal("threads", Str(response, "command"));
        Assert.False(response.TryGetProperty("message", out _), "null message must be omitted");
        JsonElement thread = response.GetProperty("body").GetProperty("threads")[0];
        Assert.Equal(1, thread.GetProperty("id").GetInt32());
        Assert.Equal("forward", Str(thread, "name"));
    }

    [Fact]
    public async Task Unknown_command_gets_error_response_in_schema_shape()
    {
        var run = await ServerRun.ExecuteAsync(Wire.Frame(Wire.Request(3, "frobnicate")), RegisterThreads);

        JsonElement response = run.ResponseTo(3);
        Assert.False(response.GetProperty("success").GetBoolean());
        Assert.Equal("frobnicate", Str(response, "command"));
        Assert.Equal("unrecognized request: frobnicate", Str(response, "message"));
        JsonElement error = response.GetProperty("body").GetProperty("error");
        Assert.Equal(DapErrorIds.UnrecognizedRequest, error.GetProperty("id").GetInt32());
        Assert.Equal("unrecognized request: frobnicate", Str(error, "format"));
        Assert.False(error.GetProperty("showUser").GetBoolean());
    }

    [Fact]
    public async Task Handler_exception_becomes_error_response_and_the_server_keeps_serving()
    {
        byte[] input = Wire.Concat(Wire.Frame(Wire.Request(1, "evaluate", """{"expression":"x"}""")), Wire.Frame(Wire.Request(2, "threads")));
        var run = await ServerRun.ExecuteAsync(input, server =>
        {
            server.On<EvaluateArguments>(Commands.Evaluate, (_, _) => throw new InvalidOperationException("tensor exploded"));
            RegisterThreads(server);
        });

        JsonElement failed = run.ResponseTo(1);
        Assert.False(failed.GetProperty("success").GetBoolean());
        JsonElement error = failed.GetProperty("body").GetProperty("error");
        Assert.Equal(DapErrorIds.HandlerFailed, error.GetProperty("id").GetInt32());
        Assert.Contains("tensor exploded", Str(error, "format"));
        Assert.True(error.GetProperty("showUser").GetBoolean());
        Assert.Contains(run.Logs, l => l.Contains("tensor exploded") && l.Contains("InvalidOperationException"));
        Assert.True(run.ResponseTo(2).GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task RequestException_carries_user_message_id_and_raw_message()
    {
        var run = await ServerRun.ExecuteAsync(Wire.Frame(Wire.Request(1, "stackTrace", """{"threadId":1}""")), server =>
            server.On<StackTraceArguments>(Commands.StackTrace, (_, _) => throw RequestException.NotStopped("Pause first.")));

        JsonElement response = run.ResponseTo(1);
        Assert.Equal("notStopped", Str(response, "message"));
        JsonElement error = response.GetProperty("body").GetProperty("error");
        Assert.Equal("Pause first.", Str(error, "format"));
        Assert.Equal(DapErrorIds.NotStopped, error.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Arguments_are_deserialized_into_the_generated_type()
    {
        StackTraceArguments? received = null;
        await ServerRun.ExecuteAsync(Wire.Frame(Wire.Request(1, "stackTrace", """{"threadId":4,"startFrame":2,"levels":20,"format":{"hex":true}}""")), server =>
            server.On<StackTraceArguments>(Commands.StackTrace, async (args, _) => { received = args; return null; }));

        Assert.NotNull(received);
        Assert.Equal(4, received!.ThreadId);
        Assert.Equal(2, received.StartFrame);
        Assert.Equal(20, received.Levels);
        Assert.True(received.Format!.Hex);
    }

    [Fact]
    public async Task Missing_arguments_give_an_empty_instance_and_bad_arguments_an_error()
    {
        ConfigurationDoneArguments? received = null;
        byte[] input = Wire.Concat(Wire.Frame(Wire.Request(1, "configurationDone")), Wire.Frame(Wire.Request(2, "continue", """{"threadId":"not a number"}""")));
        var run = await ServerRun.ExecuteAsync(input, server =>
        {
            server.On<ConfigurationDoneArguments>(Commands.ConfigurationDone, async (args, _) => { received = args; return null; });
            server.On<ContinueArguments>(Commands.Continue, async (_, _) => new ContinueResponseBody());
        });

        Assert.NotNull(received);
        Assert.True(run.ResponseTo(1).GetProperty("success").GetBoolean());
        JsonElement bad = run.ResponseTo(2);
        Assert.False(bad.GetProperty("success").GetBoolean());
        Assert.Equal(DapErrorIds.InvalidArguments, bad.GetProperty("body").GetProperty("error").GetProperty("id").GetInt32());
        Assert.StartsWith("invalid arguments for 'continue'", Str(bad, "message"));
    }

    [Fact]
    public async Task Invalid_json_and_malformed_framing_are_logged_and_the_next_request_is_served()
    {
        byte[] input = Wire.Concat(
            Wire.Frame("{not json"),
            Wire.Ascii("Content-Length: nope\r\n\r\n"),
            Wire.Frame(Wire.Request(5, "threads")));
        var run = await ServerRun.ExecuteAsync(input, RegisterThreads);

        Assert.Contains(run.Logs, l => l.Contains("not valid JSON"));
        Assert.Contains(run.Logs, l => l.Contains("invalid Content-Length"));
        JsonElement only = Assert.Single(run.Messages);
        Assert.Equal(5, only.GetProperty("request_seq").GetInt32());
        Assert.True(only.GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task Request_without_command_is_answered_with_an_error()
    {
        var run = await ServerRun.ExecuteAsync(Wire.Frame("""{"seq":9,"type":"request"}"""), RegisterThreads);
        JsonElement response = run.ResponseTo(9);
        Assert.False(response.GetProperty("success").GetBoolean());
        Assert.Equal(DapErrorIds.InvalidRequest, response.GetProperty("body").GetProperty("error").GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Events_queued_after_the_response_follow_it_even_from_another_thread()
    {
        byte[] input = Wire.Concat(Wire.Frame(Wire.Request(1, "initialize", """{"adapterID":"llm"}""")), Wire.Frame(Wire.Request(2, "continue", """{"threadId":1}""")));
        var run = await ServerRun.ExecuteAsync(input, server =>
        {
            server.OnWithContext<InitializeRequestArguments>(Commands.Initialize, async (_, ctx) =>
            {
                ctx.AfterResponse(() => server.SendEvent(EventNames.Initialized));
                return new Capabilities { SupportsConfigurationDoneRequest = true };
            });
            server.OnWithContext<ContinueArguments>(Commands.Continue, async (args, ctx) =>
            {
                // The engine would resume here and may stop at once; the stopped event must not overtake the response.
                ctx.AfterResponse(() => Task.Run(() =>
                    server.SendEvent(EventNames.Stopped, new StoppedEventBody { Reason = StoppedEventReasons.Breakpoint, ThreadId = args.ThreadId })));
                return new ContinueResponseBody { AllThreadsContinued = true };
            });
        });

        string[] sequence = run.Messages.Select(m => Str(m, "type") == "response" ? "response:" + Str(m, "command") : "event:" + Str(m, "event")).ToArray();
        Assert.Equal(new[] { "response:initialize", "event:initialized", "response:continue", "event:stopped" }, sequence);
        Assert.Equal(new[] { 1, 2, 3, 4 }, run.Messages.Select(m => m.GetProperty("seq").GetInt32()));
        Assert.Equal("breakpoint", Str(run.Messages[3].GetProperty("body"), "reason"));
        Assert.True(run.Messages[0].GetProperty("body").GetProperty("supportsConfigurationDoneRequest").GetBoolean());
    }

    [Fact]
    public async Task SendEvent_from_many_threads_keeps_seq_contiguous_and_per_thread_order()
    {
        const int threads = 4, perThread = 50;
        var run = await ServerRun.ExecuteAsync(Wire.Frame(Wire.Request(1, "burst")), server =>
            server.On<EmptyArguments>("burst", async (_, _) =>
            {
                await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(() =>
                {
                    for (int i = 0; i < perThread; i++)
                        server.SendEvent(EventNames.Output, new OutputEventBody { Category = OutputEventCategories.Console, Output = $"{t}:{i}" });
                })));
                return null;
            }));

        Assert.Equal(threads * perThread + 1, run.Messages.Count);
        Assert.Equal(Enumerable.Range(1, run.Messages.Count), run.Messages.Select(m => m.GetProperty("seq").GetInt32()));
        var outputs = run.Messages.Where(m => Str(m, "type") == "event").Select(m => Str(m.GetProperty("body"), "output").Split(':')).ToList();
        for (int t = 0; t < threads; t++)
            Assert.Equal(Enumerable.Range(0, perThread), outputs.Where(o => o[0] == t.ToString()).Select(o => int.Parse(o[1])));
        Assert.Equal("response", Str(run.Messages[^1], "type")); // events sent during the handler precede its response
    }

    [Fact]
    public async Task Unserializable_response_body_becomes_an_error_response()
    {
        var run = await ServerRun.ExecuteAsync(Wire.Frame(Wire.Request(1, "evaluate", """{"expression":"x"}""")), server =>
            server.On<EvaluateArguments>(Commands.Evaluate, async (_, _) => new { Handle = typeof(string) }));

        JsonElement response = Assert.Single(run.Messages);
        Assert.False(response.GetProperty("success").GetBoolean());
        Assert.Equal(1, response.GetProperty("seq").GetInt32()); // the failed attempt did not burn a seq
        Assert.Equal(DapErrorIds.ResponseNotSerializable, response.GetProperty("body").GetProperty("error").GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task RequestStop_ends_the_run_even_when_the_input_never_ends()
    {
        var output = new MemoryStream();
        var server = new DapServer(new SilentStream(), output, new DapServerOptions { Log = _ => { } });
        Task run = server.RunAsync();
        server.SendEvent(EventNames.Terminated);
        server.RequestStop();
        await run.WaitAsync(TimeSpan.FromSeconds(5));

        output.Position = 0;
        Assert.Equal("terminated", (await Wire.ReadAllAsync(output)).Single().GetProperty("event").GetString());
    }

    private sealed class ModelLaunchArguments : LaunchRequestArguments
    {
        public string? Model { get; set; }
        public int MaxTokens { get; set; }
    }

    [Fact]
    public async Task Implementation_specific_launch_attributes_bind_to_a_subclass_of_the_generated_arguments()
    {
        ModelLaunchArguments? received = null;
        await ServerRun.ExecuteAsync(Wire.Frame(Wire.Request(1, "launch", """{"noDebug":false,"model":"gpt2","maxTokens":16,"__restart":{"k":1}}""")), server =>
            server.On<ModelLaunchArguments>(Commands.Launch, async (args, _) => { received = args; return null; }));

        Assert.Equal("gpt2", received!.Model);
        Assert.Equal(16, received.MaxTokens);
        Assert.False(received.NoDebug);
        Assert.Equal(1, received.Restart!.Value.GetProperty("k").GetInt32());
    }

    [Fact]
    public void Registering_a_command_twice_is_an_error()
    {
        var server = new DapServer(new MemoryStream(), new MemoryStream());
        RegisterThreads(server);
        Assert.Throws<InvalidOperationException>(() => RegisterThreads(server));
    }
}
