using LlmDebug.Engine.Models;
using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Engine.Runtime;

/// <summary>A model ready to run: weights, tokenizer and where it came from.</summary>
public sealed record LoadedModel(TransformerModel Model, TextTokenizer Tokenizer, string Folder) : IDisposable
{
    public ModelConfig Config => Model.Config;
    public void Dispose() => Model.Dispose();
}
