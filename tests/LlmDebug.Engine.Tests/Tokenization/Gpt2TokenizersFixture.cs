using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Engine.Tests.Tokenization;

/// <summary>Both GPT-2 tokenizers, built once per test class: tiktoken, and one loaded from files we wrote.</summary>
public sealed class Gpt2TokenizersFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public TextTokenizer Tiktoken { get; } = TokenizerLoader.Gpt2Tiktoken();
    public TextTokenizer FromFiles { get; }
    public string FolderPath => _folder.Path;

    public Gpt2TokenizersFixture()
    {
        Gpt2TokenizerFiles.Write(_folder.Path);
        FromFiles = TokenizerLoader.FromFolder(_folder.Path);
    }

    public void Dispose() => _folder.Dispose();
}
