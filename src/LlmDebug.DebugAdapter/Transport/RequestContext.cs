using LlmDebug.DebugAdapter.Protocol;

namespace LlmDebug.DebugAdapter.Transport;

/// <summary>
/// What a handler knows about the request it is serving, and the hook for work that must happen
/// only after its response is queued (e.g. the `initialized` event after `initialize`, or resuming the
/// model after `continue` so that a quick `stopped` event cannot overtake the response).
/// </summary>
public sealed class RequestContext
{
    private readonly List<Func<Task>> _afterResponse = new();

    internal RequestContext(DapServer server, Request request, CancellationToken cancellationToken)
    {
        Server = server;
        Request = request;
        CancellationToken = cancellationToken;
    }

    public DapServer Server { get; }

    public Request Request { get; }

    /// <summary>Cancelled when the server is shutting down.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Runs <paramref name="action"/> right after the successful response is queued (not on failure).
    /// Actions run in registration order on the dispatch loop; start long work with Task.Run instead of awaiting it here.</summary>
    public void AfterResponse(Action action) => _afterResponse.Add(() =>
    {
        action();
        return Task.CompletedTask;
    });

    /// <inheritdoc cref="AfterResponse(Action)"/>
    public void AfterResponse(Func<Task> action) => _afterResponse.Add(action);

    internal IReadOnlyList<Func<Task>> AfterResponseActions => _afterResponse;
}
