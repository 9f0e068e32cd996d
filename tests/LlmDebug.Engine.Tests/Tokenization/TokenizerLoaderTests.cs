using System.Text.Json;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Engine.Tests.Tokenization;

public class TokenizerLoaderTests
{
    // A tiny byte-level BPE: all 256 byte symbols plus Ġc → Ġca → Ġcat, and one special token.
    private static Dictionary<string, int> TinyVocab()
    {
        var vocab = Enumerable.Range(0, 256).ToDictionary(b => ByteLevelAlphabet.CharFor((byte)b).ToString(), b => b);
        vocab["Ġc"] = 256;
        vocab["Ġca"] = 257;
        vocab["Ġcat"] = 258;
        return vocab;
    }

    private static void WriteTokenizerJson(string path, bool mergesAsArrays, string preTokenizerType = "ByteLevel")
    {
        object[] merges = mergesAsArrays
            ? [new[] { "Ġ", "c" }, new[] { "Ġc", "a" }, new[] { "Ġca", "t" }]
            : ["Ġ c", "Ġc a", "Ġca t"];
        var document = new
        {
            added_tokens = new[] { new { id = 259, content = "<|endoftext|>", special = true } },
            pre_tokenizer = new { type = preTokenizerType, add_prefix_space = false },
            decoder = new { type = preTokenizerType },
            model = new { type = "BPE", vocab = TinyVocab(), merges },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tokenizer_json_byte_level_bpe_is_loaded(bool mergesAsArrays)
    {
        using var folder = new TempFolder();
        WriteTokenizerJson(folder.File("tokenizer.json"), mergesAsArrays);

        var tokenizer = TokenizerLoader.FromFolder(folder.Path);

        Assert.Equal([(int)'a', 258, 259, 258], tokenizer.Encode("a cat<|endoftext|> cat"));
        Assert.Equal("a cat<|endoftext|> cat", tokenizer.Decode([(int)'a', 258, 259, 258]));
        Assert.Equal(260, tokenizer.VocabSize);
        Assert.Equal(259, tokenizer.EndOfTextId);
        Assert.Equal("Ġcat", tokenizer.VocabString(258));
        Assert.Equal("␣cat", TokenDisplay.Render(tokenizer, 258));
    }

    [Fact]
    public void Tokenizer_json_without_byte_level_is_rejected()
    {
        using var folder = new TempFolder();
        WriteTokenizerJson(folder.File("tokenizer.json"), mergesAsArrays: false, preTokenizerType: "Whitespace");

        var error = Assert.Throws<ModelLoadException>(() => TokenizerLoader.FromFolder(folder.Path));

        Assert.Contains("tokenizer.json", error.Message);
        Assert.Contains("byte-level", error.Message);
    }

    [Fact]
    public void Folder_with_only_gpt2_config_falls_back_to_packaged_tiktoken()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("config.json"), """{"model_type": "gpt2", "vocab_size": 50257}""");

        var tokenizer = TokenizerLoader.FromFolder(folder.Path);

        Assert.Contains("tiktoken", tokenizer.Source);
        Assert.Equal([464, 3797, 3332, 319, 262, 2603, 13], tokenizer.Encode("The cat sat on the mat."));
    }

    [Theory]
    [InlineData("""{"vocab_size": 32000}""", "it says 32000")]
    [InlineData(null, "no vocab_size found")]
    public void Folder_without_tokenizer_files_lists_what_was_looked_for(string? configJson, string detail)
    {
        using var folder = new TempFolder();
        if (configJson is not null)
            File.WriteAllText(folder.File("config.json"), configJson);

        var error = Assert.Throws<ModelLoadException>(() => TokenizerLoader.FromFolder(folder.Path));

        Assert.Contains(folder.Path, error.Message);
        Assert.Contains("vocab.json", error.Message);
        Assert.Contains("merges.txt", error.Message);
        Assert.Contains("tokenizer.json", error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public void Vocab_without_merges_is_named()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("vocab.json"), JsonSerializer.Serialize(TinyVocab()));

        var error = Assert.Throws<ModelLoadException>(() => TokenizerLoader.FromFolder(folder.Path));

        Assert.Contains("merges.txt is missing", error.Message);
    }

    [Fact]
    public void Malformed_vocab_json_names_the_file()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("vocab.json"), "[1, 2");
        File.WriteAllText(folder.File("merges.txt"), "#version: 0.2\n");

        var error = Assert.Throws<ModelLoadException>(() => TokenizerLoader.FromFolder(folder.Path));

        Assert.Contains("vocab.json", error.Message);
        Assert.Contains("malformed JSON", error.Message);
    }
}
