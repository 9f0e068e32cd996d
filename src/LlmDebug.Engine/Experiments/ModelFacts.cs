using LlmDebug.Engine.Hooks;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Models;
using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Engine.Experiments;

/// <summary>
/// What the language features need to know about a model without its weights: config, hook layout and tokenizer.
/// Cheap to load (config.json + tokenizer files), so editors can check experiments while the user types.
/// </summary>
public sealed record ModelFacts(ModelConfig Config, HookLayout Layout, TextTokenizer Tokenizer, string Folder)
{
    /// <summary>Reads config and tokenizer; throws <see cref="ModelLoadException"/> with the loader's reason.</summary>
    public static ModelFacts Load(string folder)
    {
        string full = Path.GetFullPath(folder);
        var config = ModelLoader.ReadConfig(full);
        var tokenizer = TokenizerLoader.FromFolder(full);
        return new ModelFacts(config, ModelLoader.HookLayoutFor(config), tokenizer, full);
    }

    /// <summary>The shape of a hook for this model, with the symbolic sizes filled in: <c>[seq=8, heads=12, d_head=64]</c>.</summary>
    public string ConcreteShape(string symbolicShape, int? seq = null)
    {
        var names = symbolicShape.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries);
        return "[" + string.Join(", ", names.Select(n => Size(n, seq) is int v ? $"{n}={v}" : n)) + "]";
    }

    int? Size(string axis, int? seq) => axis switch
    {
        "seq" or "query" => seq,
        "key" => seq,
        "heads" => Config.Heads,
        "d_head" => Config.DHead,
        "d_model" => Config.DModel,
        "d_mlp" => Config.DMlp,
        "vocab" => Config.VocabSize,
        _ => null,
    };
}
