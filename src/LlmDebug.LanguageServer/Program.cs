using System.Text.Json.Serialization;
using LlmDebug.LanguageServer.Server;
using StreamJsonRpc;

namespace LlmDebug.LanguageServer;

/// <summary>
/// <c>llmdebug-lsp</c>: the language server for experiment files (<c>*.llmdebug</c>) and forward listings
/// (<c>*.llmlisting</c>), speaking LSP over stdin/stdout (header-delimited JSON-RPC). Logs go to stderr.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Contains("--version")) { Console.WriteLine("llmdebug-lsp " + typeof(Program).Assembly.GetName().Version); return 0; }
        using var server = new LlmLanguageServer();
        var rpc = Connect(server, Console.OpenStandardOutput(), Console.OpenStandardInput());
        var done = await Task.WhenAny(rpc.Completion, server.Exited);
        int code = done == server.Exited ? server.Exited.Result : 1;   // stream closed without 'exit': an error, as LSP says
        rpc.Dispose();
        return code;
    }

    /// <summary>Wires the server to a JSON-RPC connection over the two streams and starts listening.</summary>
    public static JsonRpc Connect(LlmLanguageServer server, Stream output, Stream input)
    {
        var formatter = new SystemTextJsonFormatter();
        formatter.JsonSerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        var rpc = new JsonRpc(new HeaderDelimitedMessageHandler(output, input, formatter));
        rpc.AddLocalRpcTarget(server, new JsonRpcTargetOptions { AllowNonPublicInvocation = false });
        server.Attach(rpc);
        rpc.StartListening();
        return rpc;
    }
}
