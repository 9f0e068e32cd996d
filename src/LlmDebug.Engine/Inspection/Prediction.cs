using LlmDebug.Engine.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Inspection;

/// <summary>One candidate next token.</summary>
public sealed record PredictedToken(int Id, string Display, double Probability, double Logit);

/// <summary>Top-k next tokens with probabilities from one position's logits.</summary>
public static class Prediction
{
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
