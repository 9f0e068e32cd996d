using System.Net;
using System.Net.Sockets;

namespace LlmDebug.DebugAdapter.Transport;

/// <summary>Runs one debug session over stdio or over a TCP loopback connection.</summary>
public static class DapHost
{
    /// <summary>Serves on stdin/stdout. Console.Out is redirected to stderr first, because a stray
    /// Console.WriteLine anywhere in the process would corrupt the protocol stream.</summary>
    public static async Task RunStdioAsync(IDebugSessionHandlers session, DapServerOptions options, CancellationToken cancellationToken = default)
    {
        Stream input = Console.OpenStandardInput();
        Stream output = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);
        await RunSessionAsync(input, output, session, options, cancellationToken);
    }

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0 picks a free port), accepts one client and serves it.
    /// <paramref name="onListening"/> receives the actual port once the listener is up.</summary>
    public static async Task RunTcpAsync(int port, IDebugSessionHandlers session, DapServerOptions options,
        Action<int>? onListening = null, CancellationToken cancellationToken = default)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start(backlog: 1);
        TcpClient client;
        try
        {
            int actualPort = ((IPEndPoint)listener.LocalEndpoint).Port;
            options.Log($"listening on 127.0.0.1:{actualPort}");
            onListening?.Invoke(actualPort);
            client = await listener.AcceptTcpClientAsync(cancellationToken);
        }
        finally
        {
            listener.Stop(); // one session per process; refuse further clients
        }

        using (client)
        {
            client.NoDelay = true; // DAP messages are small and latency-sensitive
            options.Log($"client connected from {client.Client.RemoteEndPoint}");
            await using NetworkStream stream = client.GetStream();
            await RunSessionAsync(stream, stream, session, options, cancellationToken);
        }
    }

    public static async Task RunSessionAsync(Stream input, Stream output, IDebugSessionHandlers session,
        DapServerOptions options, CancellationToken cancellationToken = default)
    {
        var server = new DapServer(input, output, options);
        session.Register(server);
        await server.RunAsync(cancellationToken);
        options.Log("session ended");
    }
}
