using System.Globalization;
using LlmDebug.Engine.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Experiments;

/// <summary>The outcome of one <c>expect</c> line, with what the model actually did.</summary>
public sealed record ExpectationResult(ExpectStatement Statement, bool Passed, string Expected, string Actual)
{
    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} line {Statement.Span.Line + 1}: expect {Expected} — actual: {Actual}";
}

/// <summary>
/// Checks expectations against the prediction for the first generated token (the last prompt position's logits, with the
/// experiment's interventions applied) and, for <c>expect text</c>, against the generated text.
/// </summary>
public static class ExpectationChecker
{
    public static List<ExpectationResult> Check(IEnumerable<ExpectStatement> expectations, Tensor logitsRow, TextTokenizer tokenizer, string generatedText, Tensor? cleanLogitsRow = null)
    {
        using var scope = NewDisposeScope();
        var probs = logitsRow.to_type(ScalarType.Float32).softmax(-1);
        var cleanProbs = cleanLogitsRow?.to_type(ScalarType.Float32).softmax(-1);
        int top = (int)probs.argmax().item<long>();
        var results = new List<ExpectationResult>();
        foreach (var e in expectations)
        {
            string want = Quote(e.Token.Value);
            if (e.Kind == ExpectKind.Text)
            {
                bool ok = generatedText.StartsWith(e.Token.Value, StringComparison.Ordinal);
                results.Add(new(e, ok, $"text {want}", $"generated {Quote(generatedText)}"));
                continue;
            }
            var ids = tokenizer.Encode(e.Token.Value);
            if (ids.Count != 1)
            {
                results.Add(new(e, false, $"{Kind(e)} {want}", $"{want} is {ids.Count} tokens, not one"));
                continue;
            }
            int id = ids[0];
            double p = probs[id].item<float>();
            int rank = Rank(probs, id);
            string topText = $"top1 {Quote(tokenizer.Decode([top]))} (p {F(probs[top].item<float>())})";
            string clean = cleanProbs is null ? "" : $"; without interventions p {F(cleanProbs[id].item<float>())}, rank {Rank(cleanProbs, id)}";
            string actual = $"p({want}) = {F(p)}, rank {rank}; {topText}{clean}";
            var (passed, expected) = e.Kind switch
            {
                ExpectKind.Top1 => (top == id, $"top1 {want}"),
                ExpectKind.Prob => (Compare(p, e.Operator!, e.Threshold!.Value), $"prob {want} {e.Operator} {e.Threshold!.Raw}"),
                _ => (Compare(rank, e.Operator!, e.Threshold!.Value), $"rank {want} {e.Operator} {e.Threshold!.Raw}"),
            };
            results.Add(new(e, passed, expected, actual));
        }
        return results;
    }

    /// <summary>1 for the most likely token; ties share the better rank.</summary>
    public static int Rank(Tensor probs, int id) => (int)(probs > probs[id]).sum().item<long>() + 1;

    public static bool Compare(double actual, string op, double threshold) => op switch
    {
        ">" => actual > threshold,
        ">=" => actual >= threshold,
        "<" => actual < threshold,
        "<=" => actual <= threshold,
        _ => actual == threshold,
    };

    static string Kind(ExpectStatement e) => e.Kind.ToString().ToLowerInvariant();
    static string F(double p) => p.ToString("0.####", CultureInfo.InvariantCulture);
    static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
