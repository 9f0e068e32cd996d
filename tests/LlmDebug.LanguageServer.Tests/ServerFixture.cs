using LlmDebug.Engine.Models.Gpt2;

namespace LlmDebug.LanguageServer.Tests;

/// <summary>A temp folder with a random 4-layer GPT-2 ("tiny": 4 heads, d_model 32, context 32) for the server to read.</summary>
public sealed class ServerFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("llmdebug-lsp-test-").FullName;
    public string ModelFolder => Path.Combine(Root, "tiny");

    public ServerFixture() => Gpt2FolderWriter.WriteRandom(ModelFolder, layers: 4, heads: 4, dModel: 32, context: 32, seed: 3);

    public string Uri(string name) => new Uri(Path.Combine(Root, name)).AbsoluteUri;

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
