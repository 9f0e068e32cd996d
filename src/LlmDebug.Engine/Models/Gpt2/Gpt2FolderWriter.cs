using System.Text.Json;
using System.Text.Json.Nodes;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Tokenization;
using TorchSharp;

namespace LlmDebug.Engine.Models.Gpt2;

/// <summary>Checkpoint layouts found in the wild (see <see cref="Gpt2Checkpoint"/>).</summary>
public sealed record Gpt2FolderLayout
{
    /// <summary>Newer libraries write names with a <c>transformer.</c> prefix.</summary>
    public bool TransformerPrefix { get; init; }
    /// <summary>The published checkpoints carry per-layer causal-mask buffers <c>h.N.attn.bias</c>.</summary>
    public bool MaskBuffers { get; init; }
    /// <summary>Write a separate <c>lm_head.weight</c> (a copy of wte when tied).</summary>
    public bool LmHead { get; init; }
    public torch.ScalarType StoreAs { get; init; } = torch.ScalarType.Float32;
    /// <summary>More than 1 writes shards and <c>model.safetensors.index.json</c>.</summary>
    public int Shards { get; init; } = 1;
    /// <summary>Write vocab.json + merges.txt; without them the loader falls back to the packaged GPT-2 tokenizer.</summary>
    public bool TokenizerFiles { get; init; } = true;
}

/// <summary>
/// Writes GPT-2 weights as a Hugging Face folder (config.json, safetensors, tokenizer files). Used for the sample
/// model's export, for synthetic models in tests and benchmarks, and by <c>llmdebug make-model</c>.
/// </summary>
public static class Gpt2FolderWriter
{
    public static void Write(string folder, ModelConfig config, Gpt2Weights weights, Gpt2FolderLayout? layout = null)
    {
        layout ??= new Gpt2FolderLayout();
        Directory.CreateDirectory(folder);
        string prefix = layout.TransformerPrefix ? "transformer." : "";
        var tensors = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
        var owned = new List<torch.Tensor>();
        foreach (var (name, t) in weights.Named())
            tensors[name == "lm_head.weight" ? name : prefix + name] = t;
        if (layout.LmHead && !tensors.ContainsKey("lm_head.weight")) tensors["lm_head.weight"] = weights.Wte;
        if (layout.MaskBuffers)
            for (int i = 0; i < config.Layers; i++)
            {
                var mask = torch.ones(config.ContextLength, config.ContextLength).tril().reshape(1, 1, config.ContextLength, config.ContextLength);
                owned.Add(mask);
                tensors[$"{prefix}h.{i}.attn.bias"] = mask;
            }
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        if (layout.Shards > 1) SafetensorsWriter.WriteSharded(folder, tensors, layout.Shards, layout.StoreAs, metadata);
        else SafetensorsWriter.Write(Path.Combine(folder, CheckpointFiles.SingleFileName), tensors, layout.StoreAs, metadata);
        foreach (var t in owned) t.Dispose();
        File.WriteAllText(Path.Combine(folder, ConfigJson.FileName), ConfigText(config, layout));
        if (layout.TokenizerFiles) Gpt2TokenizerFiles.Write(folder);
    }

    /// <summary>A GPT-2 with random weights (GPT-2's initialisation, seeded), written to <paramref name="folder"/>.</summary>
    public static ModelConfig WriteRandom(string folder, int layers, int heads, int dModel, int context = 256, int vocab = 50257, long seed = 0, Gpt2FolderLayout? layout = null)
    {
        var config = new ModelConfig
        {
            Family = "gpt2", Name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/')), Layers = layers, Heads = heads,
            DModel = dModel, DMlp = 4 * dModel, ContextLength = context, VocabSize = vocab, EndOfTextTokenId = vocab == 50257 ? 50256 : null,
        };
        using var scope = torch.NewDisposeScope();
        Write(folder, config, Gpt2Weights.Random(config, seed), layout);
        return config;
    }

    static string ConfigText(ModelConfig c, Gpt2FolderLayout layout) => new JsonObject
    {
        ["model_type"] = "gpt2",
        ["architectures"] = new JsonArray("GPT2LMHeadModel"),
        ["n_layer"] = c.Layers,
        ["n_head"] = c.Heads,
        ["n_embd"] = c.DModel,
        ["n_inner"] = c.DMlp,
        ["n_positions"] = c.ContextLength,
        ["n_ctx"] = c.ContextLength,
        ["vocab_size"] = c.VocabSize,
        ["layer_norm_epsilon"] = c.LayerNormEpsilon,
        ["activation_function"] = c.Activation,
        ["tie_word_embeddings"] = !layout.LmHead || c.TieWordEmbeddings,
        ["bos_token_id"] = c.EndOfTextTokenId,
        ["eos_token_id"] = c.EndOfTextTokenId,
        ["torch_dtype"] = layout.StoreAs switch { torch.ScalarType.Float16 => "float16", torch.ScalarType.BFloat16 => "bfloat16", _ => "float32" },
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
