using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Engine.Tests.Tokenization;

public class Gpt2TokenizerTests(Gpt2TokenizersFixture gpt2) : IClassFixture<Gpt2TokenizersFixture>
{
    private static readonly int[] CatSatIds = [464, 3797, 3332, 319, 262, 2603, 13];

    public static TheoryData<string> VariedTexts => new()
    {
        "The cat sat on the mat.",
        "Hello, world! It's 2024; we'll see what they've done.",
        "def add(a, b):\n    return a + b  # sum\n\n\nprint(add(1, 2))",
        "for (int i = 0; i < n; ++i) { x[i] *= 2.5e-3; }",
        "日本語のテキストと中文字符，还有한국어.",
        "Emoji: 🙂👍🏽🇫🇷 and ZWJ 👨‍👩‍👧 family",
        "   leading spaces, trailing   \t\t tabs \r\n\r\n  and runs      of spaces   ",
        "Ünïcödé àccénts, naïve café, Ωμέγα, Привет мир",
        "<|endoftext|>A new document<|endoftext|>",
        "",
    };

    [Fact]
    public void Tiktoken_gives_reference_ids()
    {
        Assert.Equal(CatSatIds, gpt2.Tiktoken.Encode("The cat sat on the mat."));
    }

    [Fact]
    public void Folder_tokenizer_from_written_files_gives_reference_ids()
    {
        Assert.Equal(CatSatIds, gpt2.FromFiles.Encode("The cat sat on the mat."));
        Assert.EndsWith("vocab.json", gpt2.FromFiles.Source);
    }

    [Theory]
    [MemberData(nameof(VariedTexts))]
    public void Folder_tokenizer_matches_tiktoken_and_round_trips(string text)
    {
        var expected = gpt2.Tiktoken.Encode(text);
        var actual = gpt2.FromFiles.Encode(text);

        Assert.Equal(expected, actual);
        Assert.Equal(text, gpt2.FromFiles.Decode(actual));
        Assert.Equal(text, gpt2.Tiktoken.Decode(expected));
    }

    [Fact]
    public void Both_tokenizers_agree_on_vocabulary_facts()
    {
        foreach (var tokenizer in new[] { gpt2.Tiktoken, gpt2.FromFiles })
        {
            Assert.Equal(50257, tokenizer.VocabSize);
            Assert.Equal(50256, tokenizer.EndOfTextId);
            Assert.Equal(50256, tokenizer.BosId);
            Assert.Equal(50256, tokenizer.SpecialTokens["<|endoftext|>"]);
            Assert.Equal("Ġcat", tokenizer.VocabString(3797));
            Assert.Equal("<|endoftext|>", tokenizer.VocabString(50256));
            Assert.Equal("Ċ", tokenizer.VocabString(198)); // "\n"
            Assert.True(tokenizer.IsSpecial(50256));
            Assert.False(tokenizer.IsSpecial(3797));
        }
        for (int id = 0; id < 50257; id += 97)
            Assert.Equal(gpt2.Tiktoken.VocabString(id), gpt2.FromFiles.VocabString(id));
    }

    [Theory]
    [InlineData("日本語 🙂 ok")]
    [InlineData("a🙂b 👍🏽 中文")]
    [InlineData("The cat sat on the mat.")]
    public void Offsets_stay_inside_the_text_and_cover_it_in_order(string text)
    {
        foreach (var tokenizer in new[] { gpt2.Tiktoken, gpt2.FromFiles })
        {
            var spans = tokenizer.EncodeWithOffsets(text);

            Assert.Equal(tokenizer.Encode(text), spans.Select(s => s.Id));
            Assert.Equal(text, tokenizer.Decode(spans.Select(s => s.Id)));
            int previousStart = 0;
            var covered = new bool[text.Length];
            foreach (var span in spans)
            {
                Assert.InRange(span.Start, 0, text.Length);
                Assert.InRange(span.End, span.Start, text.Length);
                Assert.True(span.Start >= previousStart, $"offsets go backwards at {span}");
                previousStart = span.Start;
                for (int i = span.Start; i < span.End; i++)
                    covered[i] = true;
            }
            Assert.All(covered, Assert.True);
        }
    }

    [Theory]
    [InlineData("日本語 🙂 ok")]
    [InlineData("a🙂b 👍🏽 中文 🇫🇷")]
    public void Offsets_never_split_surrogate_pairs_and_agree_between_back_ends(string text)
    {
        var fromTiktoken = gpt2.Tiktoken.EncodeWithOffsets(text);
        var fromFiles = gpt2.FromFiles.EncodeWithOffsets(text);

        Assert.Equal(fromTiktoken, fromFiles);
        Assert.All(fromFiles, span =>
        {
            Assert.False(span.Start > 0 && char.IsLowSurrogate(text[span.Start]), $"{span} starts inside a surrogate pair");
            Assert.False(span.End < text.Length && char.IsLowSurrogate(text[span.End]), $"{span} ends inside a surrogate pair");
        });
        // " 🙂" is one token covering the space and both halves of the emoji.
        var smileStart = text.IndexOf(" 🙂", StringComparison.Ordinal);
        if (smileStart >= 0)
            Assert.Contains(fromFiles, s => s.Start == smileStart && s.Length == 3);
    }

    [Fact]
    public void Cjk_character_split_over_byte_tokens_shares_one_offset()
    {
        // tiktoken splits 日 (E6 97 A5) into two tokens; both point at the one character.
        var spans = gpt2.Tiktoken.EncodeWithOffsets("日");
        Assert.Equal(2, spans.Count);
        Assert.All(spans, s => Assert.Equal((0, 1), (s.Start, s.Length)));
        Assert.Equal(spans, gpt2.FromFiles.EncodeWithOffsets("日"));
    }

    [Fact]
    public void Written_merges_file_has_gpt2_shape()
    {
        var lines = File.ReadAllLines(Path.Combine(gpt2.FolderPath, "merges.txt"));
        Assert.Equal("#version: 0.2", lines[0]);
        Assert.Equal(50000, lines.Length - 1);
        Assert.Equal("Ġ t", lines[1]); // GPT-2's first merge
        Assert.All(lines.Skip(1), line => Assert.Equal(2, line.Split(' ').Length));
    }
}
