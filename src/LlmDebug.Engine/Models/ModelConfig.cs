namespace LlmDebug.Engine.Models;

/// <summary>
/// The shape of a transformer, independent of family. Family loaders translate their
/// config.json dialect (n_embd / hidden_size / ...) into this.
/// </summary>
public sealed record ModelConfig
{
    public required string Family { get; init; }          // "gpt2", later "llama", "bert"
    public required string Name { get; init; }            // folder name or _name_or_path
    public required int Layers { get; init; }
    public required int Heads { get; init; }
    public required int DModel { get; init; }
    public required int DMlp { get; init; }
    public required int ContextLength { get; init; }
    public required int VocabSize { get; init; }
    public double LayerNormEpsilon { get; init; } = 1e-5;
    public string Activation { get; init; } = "gelu_new";
    public bool TieWordEmbeddings { get; init; } = true;
    public int? EndOfTextTokenId { get; init; }
    /// <summary>dtype the weights were stored in (F32/F16/BF16); compute is always float32.</summary>
    public string StoredDType { get; init; } = "F32";

    public int DHead => DModel / Heads;
}
