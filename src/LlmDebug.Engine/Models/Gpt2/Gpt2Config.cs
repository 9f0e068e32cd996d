using LlmDebug.Engine.Loading;

namespace LlmDebug.Engine.Models.Gpt2;

/// <summary>Reads a Hugging Face GPT-2 <c>config.json</c> into a <see cref="ModelConfig"/>.</summary>
public static class Gpt2Config
{
    public static ModelConfig Read(ConfigJson json, string name)
    {
        int layers = json.RequireInt("n_layer", "num_hidden_layers");
        int heads = json.RequireInt("n_head", "num_attention_heads");
        int dModel = json.RequireInt("n_embd", "hidden_size");
        int vocab = json.RequireInt("vocab_size");
        int context = json.RequireInt("n_positions", "n_ctx", "max_position_embeddings");
        string activation = json.OptionalString("activation_function") ?? "gelu_new";
        if (layers < 1 || heads < 1 || dModel < 1 || vocab < 1 || context < 1)
            throw new ModelLoadException(json.FilePath, "n_layer, n_head, n_embd, vocab_size and n_positions must all be positive");
        if (dModel % heads != 0)
            throw new ModelLoadException(json.FilePath, $"n_embd ({dModel}) must be divisible by n_head ({heads})");
        if (!Gpt2Activations.Supported.Contains(activation))
            throw new ModelLoadException(json.FilePath, $"activation_function '{activation}' is not supported (supported: {string.Join(", ", Gpt2Activations.Supported)})");
        return new ModelConfig
        {
            Family = "gpt2",
            Name = name,
            Layers = layers,
            Heads = heads,
            DModel = dModel,
            DMlp = json.OptionalInt("n_inner") ?? 4 * dModel,
            ContextLength = context,
            VocabSize = vocab,
            LayerNormEpsilon = json.OptionalDouble("layer_norm_epsilon") ?? 1e-5,
            Activation = activation,
            TieWordEmbeddings = json.OptionalBool("tie_word_embeddings") ?? true,
            EndOfTextTokenId = json.OptionalInt("eos_token_id") ?? (vocab == 50257 ? 50256 : null),
        };
    }
}
