using LlmDebug.Engine.Hooks;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmDebug.Engine.Models.Gpt2;

/// <summary>GPT-2: token + position embeddings, a stack of blocks, a final LayerNorm, tied unembedding.</summary>
public sealed class Gpt2Model : TransformerModel
{
    readonly Gpt2Weights _w;
    readonly Gpt2Block[] _blocks;
    readonly HookPoint _embed, _posEmbed, _lnFinal, _logits;

    public Gpt2Model(ModelConfig config, Gpt2Weights weights) : base(config, Gpt2Hooks.For(config.Layers))
    {
        _w = weights;
        _blocks = Enumerable.Range(0, config.Layers).Select(i => new Gpt2Block(config, weights.Blocks[i], Hooks.Blocks[i])).ToArray();
        (_embed, _posEmbed) = (Hooks.Prelude[0], Hooks.Prelude[1]);
        (_lnFinal, _logits) = (Hooks.Final[0], Hooks.Final[1]);
    }

    public Gpt2Weights Weights => _w;

    public override Tensor Forward(Tensor tokens, KvCache? cache = null, IForwardObserver? observer = null)
    {
        var hook = new HookRunner(observer);
        long seq = tokens.shape[^1];
        int past = cache?.Length ?? 0;
        if (past + seq > Config.ContextLength)
            throw new ContextLengthException(past + (int)seq, Config.ContextLength);

        var positions = arange(past, past + seq, dtype: ScalarType.Int64);
        var x = hook.At(_embed, _w.Wte.index_select(0, tokens.flatten()).reshape([.. tokens.shape, Config.DModel]));
        var pos = hook.At(_posEmbed, _w.Wpe.index_select(0, positions));
        x = x + pos;
        for (int layer = 0; layer < _blocks.Length; layer++)
        {
            hook.BlockStart(layer);
            x = _blocks[layer].Forward(x, layer, cache, hook);
        }
        x = hook.At(_lnFinal, FinalNorm(x));
        return hook.At(_logits, x.matmul((_w.LmHead ?? _w.Wte).t()));
    }

    public override Tensor Unembed(Tensor residual) => FinalNorm(residual).matmul((_w.LmHead ?? _w.Wte).t());

    Tensor FinalNorm(Tensor x) => F.layer_norm(x, [Config.DModel], _w.LnFWeight, _w.LnFBias, Config.LayerNormEpsilon);

    public override IEnumerable<(string Name, Tensor Value)> NamedParameters() => _w.Named();

    public override IEnumerable<(string Name, Tensor Value)> BlockParameters(int layer) => _w.Blocks[layer].Named();
}
