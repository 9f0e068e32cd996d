using LlmDebug.Engine.Hooks;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Models;

/// <summary>
/// What every model family offers the debugger: its shape, its hook points in execution order, and
/// an instrumented forward pass. Protocol, expression and UI code only ever see this type.
/// </summary>
public abstract class TransformerModel : IDisposable
{
    public ModelConfig Config { get; }
    public HookLayout Hooks { get; }

    protected TransformerModel(ModelConfig config, HookLayout hooks)
    {
        Config = config;
        Hooks = hooks;
    }

    /// <summary>
    /// Runs the model on <paramref name="tokens"/> (int64, [seq], or [batch, seq] for training without a cache)
    /// and returns logits ([seq, vocab] or [batch, seq, vocab]). With a <paramref name="cache"/>, the tokens are
    /// the positions after the cached ones and the cache is extended. <paramref name="observer"/> sees every hook point.
    /// </summary>
    public abstract Tensor Forward(Tensor tokens, KvCache? cache = null, IForwardObserver? observer = null);

    /// <summary>
    /// Final norm and unembedding applied to a residual-stream tensor ([..., d_model] → [..., vocab]): the logit lens,
    /// i.e. what the model would predict if the remaining blocks did nothing.
    /// </summary>
    public abstract Tensor Unembed(Tensor residual);

    /// <summary>Named parameter tensors, for hovers, listings and training.</summary>
    public abstract IEnumerable<(string Name, Tensor Value)> NamedParameters();

    /// <summary>Parameters that belong to one block, with names relative to that block.</summary>
    public abstract IEnumerable<(string Name, Tensor Value)> BlockParameters(int layer);

    public virtual void Dispose()
    {
        foreach (var (_, t) in NamedParameters()) t.Dispose();
        GC.SuppressFinalize(this);
    }
}
