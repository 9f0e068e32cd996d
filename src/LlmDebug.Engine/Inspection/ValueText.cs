using LlmDebug.Engine.Expressions;
using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Engine.Inspection;

/// <summary>
/// One line for an expression's value in text reports (CLI stops, experiment watches): tensors as summaries, and
/// <c>topk</c> over logits as the last position's tokens with their logits, which is what people look for.
/// </summary>
public static class ValueText
{
    public static string Format(string expression, ExpressionValue value, TextTokenizer tokenizer)
    {
        if (value.Kind == ExpressionValueKind.TopK && expression.Contains("logits", StringComparison.Ordinal) && value.TopKRows() is { Count: > 0 } rows)
        {
            string where = rows.Count > 1 ? $" (last of {rows.Count} positions)" : "";
            return $"topk{where}: " + string.Join("  ", rows[^1].Select(e =>
                (e.Index < tokenizer.VocabSize ? $"\"{TokenDisplay.Render(tokenizer, (int)e.Index)}\"" : $"[{e.Index}]") + $" {TensorSummary.Number(e.Value)}"));
        }
        return value.Format(TensorSummary.Format);
    }
}
