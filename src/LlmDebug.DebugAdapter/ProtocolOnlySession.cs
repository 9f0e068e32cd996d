using LlmDebug.DebugAdapter.Protocol;
using LlmDebug.DebugAdapter.Transport;

namespace LlmDebug.DebugAdapter;

/// <summary>
/// Placeholder session until the engine-facing adapter exists: completes the initialize handshake and
/// disconnect so a client can connect, and fails launch/attach with a clear message. Any other request gets
/// the server's "unrecognized request" error.
/// </summary>
public sealed class ProtocolOnlySession : IDebugSessionHandlers
{
    public void Register(DapServer server)
    {
        server.OnWithContext<InitializeRequestArguments>(Commands.Initialize, (_, context) =>
        {
            context.AfterResponse(() => server.SendEvent(EventNames.Initialized));
            return Task.FromResult<object?>(new Capabilities { SupportsConfigurationDoneRequest = true });
        });
        server.On<ConfigurationDoneArguments>(Commands.ConfigurationDone, (_, _) => Task.FromResult<object?>(null));
        server.On<LaunchRequestArguments>(Commands.Launch, (_, _) => throw NotWiredUp());
        server.On<AttachRequestArguments>(Commands.Attach, (_, _) => throw NotWiredUp());
        server.OnWithContext<DisconnectArguments>(Commands.Disconnect, (_, context) =>
        {
            context.AfterResponse(server.RequestStop);
            return Task.FromResult<object?>(null);
        });
    }

    private static RequestException NotWiredUp() => new("The model debugging engine is not connected to this adapter build yet.");
}
