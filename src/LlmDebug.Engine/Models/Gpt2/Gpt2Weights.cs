using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Models.Gpt2;

/// <summary>
/// GPT-2's parameters, named as in Hugging Face checkpoints (without the <c>transformer.</c> prefix).
/// Linear weights keep GPT-2's Conv1D layout [in, out], so a projection is <c>x @ W + b</c>.
/// </summary>
public sealed class Gpt2Weights
{
    public required Tensor Wte { get; init; }     // [vocab, d_model]
    public required Tensor Wpe { get; init; }     // [n_positions, d_model]
    public required Gpt2BlockWeights[] Blocks { get; init; }
    public required Tensor LnFWeight { get; init; }
    public required Tensor LnFBias { get; init; }
    /// <summary>Separate output embedding, or null when tied to <see cref="Wte"/>.</summary>
    public Tensor? LmHead { get; init; }

    public IEnumerable<(string Name, Tensor Value)> Named()
    {
        yield return ("wte.weight", Wte);
        yield return ("wpe.weight", Wpe);
        for (int i = 0; i < Blocks.Length; i++)
            foreach (var (name, t) in Blocks[i].Named())
                yield return ($"h.{i}.{name}", t);
        yield return ("ln_f.weight", LnFWeight);
        yield return ("ln_f.bias", LnFBias);
        if (LmHead is not null) yield return ("lm_head.weight", LmHead);
    }

    /// <summary>Expected shape of every checkpoint tensor for <paramref name="c"/> (names without prefix).</summary>
    public static IEnumerable<(string Name, long[] Shape)> ExpectedShapes(ModelConfig c, bool withLmHead)
    {
        yield return ("wte.weight", [c.VocabSize, c.DModel]);
        yield return ("wpe.weight", [c.ContextLength, c.DModel]);
        for (int i = 0; i < c.Layers; i++)
            foreach (var (name, shape) in Gpt2BlockWeights.ExpectedShapes(c))
                yield return ($"h.{i}.{name}", shape);
        yield return ("ln_f.weight", [c.DModel]);
        yield return ("ln_f.bias", [c.DModel]);
        if (withLmHead) yield return ("lm_head.weight", [c.VocabSize, c.DModel]);
    }

    /// <summary>Builds weights from a name → tensor map that has exactly <see cref="ExpectedShapes"/>.</summary>
    public static Gpt2Weights FromNamed(ModelConfig c, IReadOnlyDictionary<string, Tensor> t) => new()
    {
        Wte = t["wte.weight"],
        Wpe = t["wpe.weight"],
        Blocks = Enumerable.Range(0, c.Layers).Select(i => Gpt2BlockWeights.FromNamed(n => t[$"h.{i}.{n}"])).ToArray(),
        LnFWeight = t["ln_f.weight"],
        LnFBias = t["ln_f.bias"],
        LmHead = t.GetValueOrDefault("lm_head.weight"),
    };

    /// <summary>GPT-2's initialisation (normal 0.02, residual projections scaled by 1/√(2·layers)), seeded.</summary>
    public static Gpt2Weights Random(ModelConfig c, long seed)
    {
        var gen = new Generator((ulong)seed);
        Tensor Normal(long[] shape, double std) => normal(0, std, shape, generator: gen);
        double residStd = 0.02 / Math.Sqrt(2.0 * c.Layers);
        var named = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in ExpectedShapes(c, withLmHead: !c.TieWordEmbeddings))
        {
            named[name] = name switch
            {
                _ when name.EndsWith(".bias") || name == "ln_f.bias" => zeros(shape),
                _ when name.Contains("ln_") => ones(shape),
                _ when name.EndsWith("c_proj.weight") => Normal(shape, residStd),
                _ => Normal(shape, 0.02),
            };
        }
        return FromNamed(c, named);
    }
}

/// <summary>One GPT-2 block's parameters (HF names relative to <c>h.{i}.</c>).</summary>
public sealed class Gpt2BlockWeights
{
    public required Tensor Ln1Weight, Ln1Bias;
    public required Tensor AttnWeight, AttnBias;          // c_attn: [d_model, 3·d_model], q|k|v concatenated
    public required Tensor AttnProjWeight, AttnProjBias;  // c_proj: [d_model, d_model]
    public required Tensor Ln2Weight, Ln2Bias;
    public required Tensor FcWeight, FcBias;              // mlp.c_fc: [d_model, d_mlp]
    public required Tensor MlpProjWeight, MlpProjBias;    // mlp.c_proj: [d_mlp, d_model]

    public IEnumerable<(string Name, Tensor Value)> Named() =>
    [
        ("ln_1.weight", Ln1Weight), ("ln_1.bias", Ln1Bias),
        ("attn.c_attn.weight", AttnWeight), ("attn.c_attn.bias", AttnBias),
        ("attn.c_proj.weight", AttnProjWeight), ("attn.c_proj.bias", AttnProjBias),
        ("ln_2.weight", Ln2Weight), ("ln_2.bias", Ln2Bias),
        ("mlp.c_fc.weight", FcWeight), ("mlp.c_fc.bias", FcBias),
        ("mlp.c_proj.weight", MlpProjWeight), ("mlp.c_proj.bias", MlpProjBias),
    ];

    public static IEnumerable<(string Name, long[] Shape)> ExpectedShapes(ModelConfig c) =>
    [
        ("ln_1.weight", [c.DModel]), ("ln_1.bias", [c.DModel]),
        ("attn.c_attn.weight", [c.DModel, 3 * c.DModel]), ("attn.c_attn.bias", [3 * c.DModel]),
        ("attn.c_proj.weight", [c.DModel, c.DModel]), ("attn.c_proj.bias", [c.DModel]),
        ("ln_2.weight", [c.DModel]), ("ln_2.bias", [c.DModel]),
        ("mlp.c_fc.weight", [c.DModel, c.DMlp]), ("mlp.c_fc.bias", [c.DMlp]),
        ("mlp.c_proj.weight", [c.DMlp, c.DModel]), ("mlp.c_proj.bias", [c.DModel]),
    ];

    public static Gpt2BlockWeights FromNamed(Func<string, Tensor> get) => new()
    {
        Ln1Weight = get("ln_1.weight"), Ln1Bias = get("ln_1.bias"),
        AttnWeight = get("attn.c_attn.weight"), AttnBias = get("attn.c_attn.bias"),
        AttnProjWeight = get("attn.c_proj.weight"), AttnProjBias = get("attn.c_proj.bias"),
        Ln2Weight = get("ln_2.weight"), Ln2Bias = get("ln_2.bias"),
        FcWeight = get("mlp.c_fc.weight"), FcBias = get("mlp.c_fc.bias"),
        MlpProjWeight = get("mlp.c_proj.weight"), MlpProjBias = get("mlp.c_proj.bias"),
    };
}
