using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using LlmDebug.DebugAdapter.Protocol;

namespace LlmDebug.DebugAdapter.Transport;

/// <summary>
/// A Debug Adapter Protocol endpoint: reads requests, dispatches them to registered handlers one at a
/// time (in arrival order), and writes responses and events. All outgoing messages go through one FIFO
/// queue, so whatever is queued first (a response, then its follow-up events) is written first, from any thread.
/// </summary>
public sealed class DapServer
{
    private delegate Task<object?> Handler(JsonElement? arguments, RequestContext context);

    private readonly MessageReader _reader;
    private readonly MessageWriter _writer;
    private readonly DapServerOptions _options;
    private readonly Dictionary<string, Handler> _handlers = new(StringComparer.Ordinal);
    private readonly Channel<ProtocolMessage> _outgoing = Channel.CreateUnbounded<ProtocolMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();

    public DapServer(Stream input, Stream output, DapServerOptions? options = null)
    {
        _options = options ?? new DapServerOptions();
        _reader = new MessageReader(input, _options.MaxMessageBytes);
        _writer = new MessageWriter(output);
        if (_options.Trace is { } trace) _writer.MessageWritten += body => trace.Record(ProtocolTrace.Outgoing, body);
    }

    /// <summary>Registers the handler for <paramref name="command"/>. The returned object becomes the response body (null: no body).
    /// Missing arguments are deserialized from "{}"; throw <see cref="RequestException"/> to fail with a user-facing message.</summary>
    public void On<TArgs>(string command, Func<TArgs, CancellationToken, Task<object?>> handler)
        => OnWithContext<TArgs>(command, (args, context) => handler(args, context.CancellationToken));

    /// <summary>Like <see cref="On{TArgs}"/>, with access to the raw request and <see cref="RequestContext.AfterResponse(Action)"/>.</summary>
    public void OnWithContext<TArgs>(string command, Func<TArgs, RequestContext, Task<object?>> handler)
    {
        if (!_handlers.TryAdd(command, (raw, context) => handler(ConvertArguments<TArgs>(command, raw), context)))
            throw new InvalidOperationException($"A handler for '{command}' is already registered.");
    }

    /// <summary>Queues an event; callable from any thread. Events queued after a response are written after it.</summary>
    public void SendEvent(string eventName, object? body = null)
        => Enqueue(new Event { EventName = eventName, Body = body }, $"event '{eventName}'");

    /// <summary>Ends <see cref="RunAsync"/> after the outgoing queue is flushed (e.g. after answering `disconnect`).</summary>
    public void RequestStop() => _stop.Cancel();

    /// <summary>Serves until the client closes the stream, <see cref="RequestStop"/> is called or the token is cancelled.
    /// Every queued message is written before this returns.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        Task pump = PumpOutgoingAsync();
        try
        {
            await ReadLoopAsync(running.Token);
        }
        finally
        {
            _outgoing.Writer.TryComplete();
            await pump;
        }
    }

    private async Task ReadLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            FramedMessage? framed;
            try
            {
                // WaitAsync: some streams (stdin) ignore cancellation inside ReadAsync; stop waiting anyway.
                framed = await _reader.ReadAsync(token).WaitAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (IOException ex)
            {
                _options.Log($"input stream failed, stopping: {ex.Message}");
                return;
            }

            if (framed is null) return; // client closed the stream
            if (framed.IsError)
            {
                _options.Log($"skipped malformed message: {framed.Error}");
                continue;
            }
            _options.Trace?.Record(ProtocolTrace.Incoming, framed.Body);
            await DispatchAsync(framed.Body!, token);
        }
    }

    private async Task DispatchAsync(byte[] body, CancellationToken token)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            _options.Log($"ignored message that is not valid JSON ({ex.Message}): {Preview(body)}");
            return;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            string? type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type != MessageTypes.Request)
            {
                // Responses would answer reverse requests (runInTerminal), which this adapter never sends.
                _options.Log($"ignored message of type '{type ?? "(none)"}': {Preview(body)}");
                return;
            }

            Request? request = TryReadRequest(root, out string? problem);
            if (request is null)
            {
                _options.Log($"invalid request ({problem}): {Preview(body)}");
                int seq = root.TryGetProperty("seq", out var s) && s.TryGetInt32(out int n) ? n : 0;
                string command = root.TryGetProperty("command", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
                QueueError(seq, command, new RequestException($"invalid request: {problem}", DapErrorIds.InvalidRequest, showUser: false));
                return;
            }
            await HandleRequestAsync(request, token);
        }
    }

    private static Request? TryReadRequest(JsonElement root, out string? problem)
    {
        try
        {
            Request? request = root.Deserialize<Request>(DapJson.Options);
            // Clone: the arguments must outlive the JsonDocument the handler's request came from.
            if (request?.Arguments is { } arguments) request.Arguments = arguments.Clone();
            problem = string.IsNullOrEmpty(request?.Command) ? "missing 'command'" : null;
            return problem is null ? request : null;
        }
        catch (JsonException ex)
        {
            problem = ex.Message;
            return null;
        }
    }

    private async Task HandleRequestAsync(Request request, CancellationToken token)
    {
        if (!_handlers.TryGetValue(request.Command, out Handler? handler))
        {
            QueueError(request.Seq, request.Command,
                new RequestException($"unrecognized request: {request.Command}", DapErrorIds.UnrecognizedRequest, showUser: false));
            return;
        }

        var context = new RequestContext(this, request, token);
        object? body;
        try
        {
            body = await handler(request.Arguments, context);
        }
        catch (RequestException ex)
        {
            QueueError(request.Seq, request.Command, ex);
            return;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            QueueError(request.Seq, request.Command, new RequestException("The request was cancelled.", DapErrorIds.Cancelled, showUser: false, rawMessage: "cancelled"));
            return;
        }
        catch (Exception ex)
        {
            _options.Log($"handler for '{request.Command}' failed: {ex}");
            QueueError(request.Seq, request.Command, new RequestException($"{request.Command} failed: {ex.Message}", DapErrorIds.HandlerFailed));
            return;
        }

        Enqueue(new Response { RequestSeq = request.Seq, Command = request.Command, Success = true, Body = body }, $"response to '{request.Command}'");
        foreach (Func<Task> action in context.AfterResponseActions)
        {
            try
            {
                await action();
            }
            catch (Exception ex)
            {
                _options.Log($"after-response action of '{request.Command}' failed: {ex}");
            }
        }
    }

    private static TArgs ConvertArguments<TArgs>(string command, JsonElement? raw)
    {
        if (typeof(TArgs) == typeof(JsonElement?)) return (TArgs)(object?)raw!;
        try
        {
            JsonElement source = raw is { ValueKind: not JsonValueKind.Null } present ? present : EmptyObject;
            return source.Deserialize<TArgs>(DapJson.Options)
                ?? throw new JsonException("arguments deserialized to null");
        }
        catch (JsonException ex)
        {
            throw new RequestException($"invalid arguments for '{command}': {ex.Message}", DapErrorIds.InvalidArguments);
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    private void QueueError(int requestSeq, string command, RequestException error)
        => Enqueue(CreateErrorResponse(requestSeq, command, error), $"error response to '{command}'");

    /// <summary>The schema's ErrorResponse: success=false, short message, body.error = Message {id, format, showUser}.</summary>
    private static Response CreateErrorResponse(int requestSeq, string command, RequestException error)
        => new()
        {
            RequestSeq = requestSeq,
            Command = command,
            Success = false,
            Message = error.RawMessage ?? error.Message,
            Body = new ErrorResponseBody { Error = new Message { Id = error.ErrorId, Format = error.Message, ShowUser = error.ShowUser } },
        };

    private void Enqueue(ProtocolMessage message, string what)
    {
        if (!_outgoing.Writer.TryWrite(message)) _options.Log($"dropped {what}: the server has stopped");
    }

    /// <summary>The only writer of the output stream, so queue order is wire order.</summary>
    private async Task PumpOutgoingAsync()
    {
        await foreach (ProtocolMessage message in _outgoing.Reader.ReadAllAsync())
        {
            try
            {
                await _writer.WriteAsync(message);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                _options.Log($"output stream failed, stopping: {ex.Message}");
                _outgoing.Writer.TryComplete();
                _stop.Cancel();
                return;
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
            {
                // A body the serializer cannot handle must not leave the client waiting for an answer.
                _options.Log($"could not serialize outgoing {message.Type}: {ex.Message}");
                // Written directly: the queue may already be completed during shutdown.
                if (message is Response { Success: true } response)
                    await _writer.WriteAsync(CreateErrorResponse(response.RequestSeq, response.Command,
                        new RequestException($"{response.Command} failed: response could not be serialized ({ex.Message})", DapErrorIds.ResponseNotSerializable)));
            }
        }
    }

    private static string Preview(byte[] body)
    {
        string text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
        return body.Length > 200 ? text + "…" : text;
    }
}
