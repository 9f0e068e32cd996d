namespace LlmDebug.DebugAdapter.Transport;

/// <summary>
/// The seam between the protocol layer and the debugger: an implementation registers its request
/// handlers (initialize, launch, setBreakpoints, stackTrace, ...) on the server and keeps the server to
/// send events (stopped, output, terminated) later from any thread.
/// </summary>
public interface IDebugSessionHandlers
{
    void Register(DapServer server);
}
