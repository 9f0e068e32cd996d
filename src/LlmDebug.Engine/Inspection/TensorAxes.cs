using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Engine.Inspection;

/// <summary>
/// Names and labels for a hook tensor's dimensions, read from the hook's symbolic shape
/// (<c>[heads, query, key]</c>): query/seq rows are this step's tokens, keys are all tokens so far, heads are
/// "head i", vocab entries are tokens. Used to label Variables children and heatmap axes.
/// </summary>
public sealed class TensorAxes(IReadOnlyList<string> names, StopInfo stop, TextTokenizer tokenizer)
{
    public static TensorAxes For(string? symbolicShape, StopInfo stop, TextTokenizer tokenizer) =>
        new((symbolicShape ?? "").Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), stop, tokenizer);

    public IReadOnlyList<string> Names => names;

    public string DimensionName(int dim) => dim < names.Count ? names[dim] : $"dim {dim}";

    /// <summary>Label of index <paramref name="i"/> along dimension <paramref name="dim"/>, e.g. <c>"␣cat" @5</c> or <c>head 3</c>.</summary>
    public string Label(int dim, long i)
    {
        string name = DimensionName(dim);
        return name switch
        {
            "seq" or "query" => TokenAt(stop.InputStart + (int)i),
            "key" => TokenAt((int)i),
            "heads" => $"head {i}",
            "vocab" => i < tokenizer.VocabSize ? Quote(TokenDisplay.Render(tokenizer, (int)i)) : $"{i}",
            _ => $"{i}",
        };
    }

    string TokenAt(int position) =>
        position >= 0 && position < stop.Tokens.Count ? $"{Quote(TokenDisplay.Render(tokenizer, stop.Tokens[position]))} @{position}" : $"@{position}";

    static string Quote(string s) => $"\"{s}\"";
}
