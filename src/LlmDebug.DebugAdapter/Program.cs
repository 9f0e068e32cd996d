using LlmDebug.DebugAdapter.Transport;

namespace LlmDebug.DebugAdapter;

public static class Program
{
    public static int Main(string[] args) => RunAsync(args, new Session.LlmDebugSession()).GetAwaiter().GetResult();

    /// <summary>Parses the command line and serves one session over stdio or TCP. stdout carries only protocol messages.</summary>
    public static async Task<int> RunAsync(string[] args, IDebugSessionHandlers session)
    {
        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        var log = new DapServerOptions().Log;
        ProtocolTrace? trace = null;
        try
        {
            if (commandLine.TracePath is { } path) trace = new ProtocolTrace(path, log);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"cannot open trace file: {ex.Message}");
            return 2;
        }

        using var traceLifetime = trace;
        var options = new DapServerOptions { Log = log, Trace = trace };
        if (commandLine.Port is { } port)
            await DapHost.RunTcpAsync(port, session, options);
        else
            await DapHost.RunStdioAsync(session, options);
        return 0;
    }
}
