using LlmDebug.Engine.Hooks;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmDebug.Engine.Models.Gpt2;

/// <summary>
/// One GPT-2 block: x + attn(ln_1(x)), then + mlp(ln_2(x)) — "Language Models are Unsupervised Multitask
/// Learners", pre-norm variant. Tensors are [..., seq, d_model]: no batch dimension while debugging,
/// a leading batch dimension when training. Every intermediate passes through a hook point.
/// </summary>
internal sealed class Gpt2Block(ModelConfig config, Gpt2BlockWeights w, IReadOnlyList<HookPoint> hooks)
{
    // hook points of this block, in the order of Gpt2Hooks.Block
    readonly HookPoint _residPre = hooks[0], _ln1 = hooks[1], _q = hooks[2], _k = hooks[3], _v = hooks[4],
        _scores = hooks[5], _pattern = hooks[6], _z = hooks[7], _attnOut = hooks[8], _residMid = hooks[9],
        _ln2 = hooks[10], _mlpPre = hooks[11], _mlpPost = hooks[12], _mlpOut = hooks[13], _residPost = hooks[14];

    public Tensor Forward(Tensor x, int layer, KvCache? cache, HookRunner hook)
    {
        x = hook.At(_residPre, x);
        var normed = hook.At(_ln1, LayerNorm(x, w.Ln1Weight, w.Ln1Bias));
        var attnOut = hook.At(_attnOut, Attention(normed, layer, cache, hook));
        x = hook.At(_residMid, x + attnOut);
        var normed2 = hook.At(_ln2, LayerNorm(x, w.Ln2Weight, w.Ln2Bias));
        var mlpOut = hook.At(_mlpOut, Mlp(normed2, hook));
        return hook.At(_residPost, x + mlpOut);
    }

    Tensor Attention(Tensor x, int layer, KvCache? cache, HookRunner hook)
    {
        int heads = config.Heads, dHead = config.DHead;
        var qkv = addmm_or_linear(x, w.AttnWeight, w.AttnBias);                  // [..., seq, 3·d_model]
        var parts = qkv.split(config.DModel, -1);
        long[] headShape = [.. x.shape[..^1], heads, dHead];
        var q = hook.At(_q, parts[0].reshape(headShape));                          // [..., seq, heads, d_head]
        var k = hook.At(_k, parts[1].reshape(headShape));
        var v = hook.At(_v, parts[2].reshape(headShape));

        int past = cache?.Length ?? 0;
        if (cache is not null) (k, v) = cache.Append(layer, k, v);               // keys/values of all positions so far

        // heads first: [..., heads, seq, d_head]
        var qh = q.transpose(-3, -2);
        var kh = k.transpose(-3, -2);
        var vh = v.transpose(-3, -2);
        var scores = qh.matmul(kh.transpose(-2, -1)) / Math.Sqrt(dHead);          // [..., heads, query, key]
        using var future = CausalMask(x.shape[^2], kh.shape[^2], past);
        scores = hook.At(_scores, scores.masked_fill(future, float.MinValue));
        var pattern = hook.At(_pattern, scores.softmax(-1));
        var z = hook.At(_z, pattern.matmul(vh).transpose(-3, -2));                 // [..., seq, heads, d_head]
        return addmm_or_linear(z.reshape([.. x.shape[..^1], config.DModel]), w.AttnProjWeight, w.AttnProjBias);
    }

    Tensor Mlp(Tensor x, HookRunner hook)
    {
        var pre = hook.At(_mlpPre, addmm_or_linear(x, w.FcWeight, w.FcBias));
        var post = hook.At(_mlpPost, Gpt2Activations.Apply(config.Activation, pre));
        return addmm_or_linear(post, w.MlpProjWeight, w.MlpProjBias);
    }

    Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias) =>
        F.layer_norm(x, [config.DModel], weight, bias, config.LayerNormEpsilon);

    /// <summary>True where a query (at absolute position past+i) would see a later key.</summary>
    static Tensor CausalMask(long queries, long keys, int past) =>
        ones(queries, keys, dtype: ScalarType.Bool).triu(past + 1);

    /// <summary>GPT-2's Conv1D: x @ W + b with W stored [in, out].</summary>
    static Tensor addmm_or_linear(Tensor x, Tensor weight, Tensor bias) => x.matmul(weight) + bias;
}
