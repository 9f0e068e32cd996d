using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Inspection;

/// <summary>One candidate next token.</summary>
public sealed record PredictedToken(int Id, string Display, double Probability, double Logit);

/// <summary>The next-token guess at a stop; <see cref="LensHook"/> names the residual stream when it is a logit-lens guess.</summary>
public sealed record PredictionAtStop(IReadOnlyList<PredictedToken> Top, string? LensHook)
{
    /// <summary>"prediction", or "logit lens at blocks.10.hook_resid_post".</summary>
    public string Source => LensHook is null ? "prediction" : $"logit lens at {LensHook}";
}

/// <summary>Top-k next tokens with probabilities from one position's logits.</summary>
public static class Prediction
{
    /// <summary>
    /// At a stop: from this step's logits once computed, else the logit lens of the latest residual stream, else null
    /// (before the first block).
    /// </summary>
    public static PredictionAtStop? AtStop(StopInfo stop, LoadedModel model, int k)
    {
        if (stop.TryResolve("logits", null, out var logits, out _))
        {
            using var row = logits![-1];
            return new PredictionAtStop(TopK(row, model.Tokenizer, k), null);
        }
        return LogitLens.AtStop(stop, model.Model, model.Tokenizer, k) is { } lens ? new PredictionAtStop(lens.Top, lens.Hook) : null;
    }

    public static IReadOnlyList<PredictedToken> TopK(Tensor logitsRow, TextTokenizer tokenizer, int k = 10)
    {
        using var scope = NewDisposeScope();
        var probs = logitsRow.to_type(ScalarType.Float32).softmax(-1);
        var (p, ids) = probs.topk(Math.Min(k, (int)probs.shape[^1]));
        var pv = p.data<float>().ToArray();
        var iv = ids.data<long>().ToArray();
        var logits = logitsRow.index_select(0, ids).to_type(ScalarType.Float32).data<float>().ToArray();
        return iv.Select((id, i) => new PredictedToken((int)id, TokenDisplay.Render(tokenizer, (int)id), pv[i], logits[i])).ToList();
    }
}
