using System.Text.Json;
using LlmDebug.Engine.Loading;

namespace LlmDebug.Engine.Tokenization;

/// <summary>
/// The parts of a Hugging Face tokenizer.json we use: a byte-level BPE model's vocab and merges,
/// the added special tokens, and the Split regex of the pre-tokenizer when there is one.
/// </summary>
internal sealed record HfTokenizerJson(
    Dictionary<string, int> Vocab,
    List<string> Merges,
    Dictionary<string, int> SpecialTokens,
    string? SplitPattern)
{
    public static HfTokenizerJson Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException(path, "missing object field \"model\".");

            string type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "BPE";
            if (type != "BPE")
                throw new ModelLoadException(path, $"model type {type} is not supported: expected BPE (byte-level).");
            if (!root.GetRawText().Contains("\"ByteLevel\"", StringComparison.Ordinal))
                throw new ModelLoadException(path, "only byte-level BPE is supported, and this tokenizer has no ByteLevel pre-tokenizer or decoder.");

            if (!model.TryGetProperty("vocab", out var vocabElement) || vocabElement.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException(path, "missing object field \"model.vocab\".");
            var vocab = vocabElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);

            if (!model.TryGetProperty("merges", out var mergesElement) || mergesElement.ValueKind != JsonValueKind.Array)
                throw new ModelLoadException(path, "missing array field \"model.merges\".");
            // Older files write merges as "a b", newer ones as ["a", "b"].
            var merges = mergesElement.EnumerateArray()
                .Select(m => m.ValueKind == JsonValueKind.Array ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString()!)
                .ToList();

            var special = new Dictionary<string, int>(StringComparer.Ordinal);
            if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
                foreach (var token in added.EnumerateArray())
                    if (token.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True)
                        special[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();

            string? pattern = root.TryGetProperty("pre_tokenizer", out var pre) ? FindSplitRegex(pre) : null;
            return new HfTokenizerJson(vocab, merges, special, pattern);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new ModelLoadException(path, $"malformed tokenizer.json: {ex.Message}", inner: ex);
        }
    }

    // A Split step (alone or inside a Sequence) carries the family's own pre-tokenization regex.
    private static string? FindSplitRegex(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return null;
        if (element.TryGetProperty("type", out var type) && type.GetString() == "Split"
            && element.TryGetProperty("pattern", out var pattern)
            && pattern.ValueKind == JsonValueKind.Object
            && pattern.TryGetProperty("Regex", out var regex))
            return regex.GetString();
        if (element.TryGetProperty("pretokenizers", out var steps) && steps.ValueKind == JsonValueKind.Array)
            foreach (var step in steps.EnumerateArray())
                if (FindSplitRegex(step) is { } found)
                    return found;
        return null;
    }
}
