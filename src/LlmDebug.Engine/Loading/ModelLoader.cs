using LlmDebug.Engine.Models;
using LlmDebug.Engine.Models.Gpt2;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Engine.Loading;

/// <summary>
/// Opens a Hugging Face model folder (config.json, safetensors weights, tokenizer files) read-only and builds the
/// model of its family. Adding a family means adding a case here and a folder under Models/.
/// </summary>
public static class ModelLoader
{
    public static readonly string[] SupportedModelTypes = ["gpt2"];

    /// <summary>Reads only config.json (cheap: for language features and listings before weights load).</summary>
    public static ModelConfig ReadConfig(string folder)
    {
        string full = Path.GetFullPath(folder);
        if (!Directory.Exists(full)) throw new ModelLoadException(full, "model folder not found");
        var json = ConfigJson.FromFolder(full);
        string modelType = json.OptionalString("model_type")
            ?? throw new ModelLoadException(json.FilePath, $"no 'model_type' field; supported model types: {string.Join(", ", SupportedModelTypes)}");
        string name = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar));
        var config = modelType switch
        {
            "gpt2" => Gpt2Config.Read(json, name),
            _ => throw new ModelLoadException(json.FilePath, $"model_type '{modelType}' is not supported; supported model types: {string.Join(", ", SupportedModelTypes)}"),
        };
        return config with { StoredDType = StoredDTypeOf(full) ?? config.StoredDType };
    }

    /// <summary>The dtype most weights are stored in, from the safetensors headers only; null when they cannot be read.</summary>
    static string? StoredDTypeOf(string folder)
    {
        try
        {
            using var files = CheckpointFiles.Open(folder);
            return Gpt2Checkpoint.StoredDType(files);
        }
        catch (ModelLoadException) { return null; }   // reported by Load; config-only callers don't need the weights
    }

    /// <summary>The hook points of a model with this config, without loading weights.</summary>
    public static Hooks.HookLayout HookLayoutFor(ModelConfig config) => config.Family switch
    {
        "gpt2" => Gpt2Hooks.For(config.Layers),
        _ => throw new NotSupportedException($"model family '{config.Family}'"),
    };

    public static LoadedModel Load(string folder, IProgress<string>? progress = null)
    {
        var config = ReadConfig(folder);
        string full = Path.GetFullPath(folder);
        var tokenizer = TokenizerLoader.FromFolder(full);
        if (tokenizer.VocabSize > config.VocabSize)
            throw new ModelLoadException(full, $"the tokenizer has {tokenizer.VocabSize} tokens but config.json says vocab_size {config.VocabSize}");
        using var files = CheckpointFiles.Open(full);
        config = config with { EndOfTextTokenId = tokenizer.EndOfTextId ?? config.EndOfTextTokenId };
        progress?.Report($"loading {config.Name}: {config.Layers} layers, {files.Entries.Count} tensors ({config.StoredDType})");
        TransformerModel model = config.Family switch
        {
            "gpt2" => new Gpt2Model(config, Gpt2Checkpoint.Load(files, config, progress)),
            _ => throw new NotSupportedException(config.Family),
        };
        return new LoadedModel(model, tokenizer, full);
    }
}
