using Microsoft.ML.Tokenizers;

namespace LlmDebug.Engine.Tokenization;

/// <summary>
/// The engine's tokenizer: one face over tiktoken and Hugging Face byte-level BPE, plus what the debugger
/// needs beyond ids: the raw vocab string and bytes of each id, and which ids are special.
/// Create one with <see cref="TokenizerLoader"/>.
/// </summary>
public sealed class TextTokenizer
{
    private readonly Tokenizer _inner;
    private readonly string?[] _vocabStrings;
    private readonly Dictionary<int, string> _specialById;

    /// <summary>Where this tokenizer came from, for logs and error messages (e.g. the vocab.json path).</summary>
    public string Source { get; }

    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>Number of ids: one more than the largest id (vocab and special tokens).</summary>
    public int VocabSize => _vocabStrings.Length;

    /// <summary>Id of &lt;|endoftext|&gt; (or the configured end-of-sequence token); null if the vocabulary has none.</summary>
    public int? EndOfTextId { get; }

    /// <summary>Beginning-of-sequence id; GPT-2 reuses &lt;|endoftext|&gt;.</summary>
    public int? BosId { get; }

    internal TextTokenizer(
        Tokenizer inner,
        string?[] vocabStrings,
        IReadOnlyDictionary<string, int> specialTokens,
        string source,
        int? endOfTextId,
        int? bosId)
    {
        _inner = inner;
        _vocabStrings = vocabStrings;
        SpecialTokens = specialTokens;
        _specialById = specialTokens.ToDictionary(kv => kv.Value, kv => kv.Key);
        Source = source;
        EndOfTextId = endOfTextId;
        BosId = bosId;
    }

    public IReadOnlyList<int> Encode(string text) => _inner.EncodeToIds(text);

    /// <summary>
    /// Ids with the UTF-16 range each came from. Ranges never split a surrogate pair: the byte-level
    /// BpeTokenizer reports half of an emoji for its byte tokens where tiktoken reports the whole one,
    /// so we widen ranges to whole characters and both back ends agree.
    /// </summary>
    public IReadOnlyList<TokenSpan> EncodeWithOffsets(string text)
    {
        var tokens = _inner.EncodeToTokens(text, out _);
        var spans = new TokenSpan[tokens.Count];
        for (int i = 0; i < tokens.Count; i++)
        {
            var (start, length) = tokens[i].Offset.GetOffsetAndLength(text.Length);
            int end = start + length;
            if (start > 0 && start < text.Length && char.IsLowSurrogate(text[start]) && char.IsHighSurrogate(text[start - 1]))
                start--;
            if (end > 0 && end < text.Length && char.IsHighSurrogate(text[end - 1]) && char.IsLowSurrogate(text[end]))
                end++;
            spans[i] = new TokenSpan(tokens[i].Id, start, end - start);
        }
        return spans;
    }

    public string Decode(IEnumerable<int> ids) => _inner.Decode(ids) ?? string.Empty;

    public bool IsSpecial(int id) => _specialById.ContainsKey(id);

    /// <summary>The raw vocab entry, e.g. "Ġcat" for " cat", or "&lt;|endoftext|&gt;" for a special token.</summary>
    public string VocabString(int id)
    {
        if (_specialById.TryGetValue(id, out var special))
            return special;
        if ((uint)id >= (uint)_vocabStrings.Length || _vocabStrings[id] is not { } vocab)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id is not in the vocabulary (size {VocabSize}).");
        return vocab;
    }

    /// <summary>The bytes a token stands for; null for special tokens and for vocab entries outside the byte-level alphabet.</summary>
    public byte[]? TokenBytes(int id) =>
        !IsSpecial(id) && ByteLevelAlphabet.TryDecode(VocabString(id), out var bytes) ? bytes : null;
}
