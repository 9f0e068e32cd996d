using LlmDebug.Engine.Models;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Inspection;

/// <summary>
/// "What would the model say now?" at a stop before the logits exist: the latest residual stream of this token step
/// (hook_resid_pre/mid/post) through the final norm and the unembedding, for the last position (nostalgebraist's
/// logit lens; Ecco's per-layer predictions).
/// </summary>
public static class LogitLens
{
    static readonly string[] ResidualHooks = ["hook_resid_pre", "hook_resid_mid", "hook_resid_post"];

    public static (string Hook, IReadOnlyList<PredictedToken> Top)? AtStop(StopInfo stop, TransformerModel model, TextTokenizer tokenizer, int k = 10)
    {
        for (int i = stop.Location.Ordinal; i >= 0; i--)
        {
            var hook = stop.Plan.Locations[i].Hook;
            if (hook is null || !ResidualHooks.Contains(hook.LocalName)) continue;
            if (!stop.TryResolve(hook.Name, null, out var residual, out _)) continue;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var logits = model.Unembed(residual![-1]);
            return (hook.Name, Prediction.TopK(logits, tokenizer, k));
        }
        return null;
    }
}
