using System.Runtime.CompilerServices;
using System.Text;
using LlmDebug.Engine.Tokenization;

namespace LlmDebug.LanguageServer.Features;

/// <summary>The text of every vocabulary token (complete UTF-8 only), computed once per tokenizer for token-string completion.</summary>
public static class TokenTexts
{
    private static readonly ConditionalWeakTable<TextTokenizer, (string Text, int Id)[]> Cache = new();

    public static (string Text, int Id)[] For(TextTokenizer tokenizer) => Cache.GetValue(tokenizer, Build);

    static (string Text, int Id)[] Build(TextTokenizer tokenizer)
    {
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var list = new List<(string, int)>(tokenizer.VocabSize);
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            if (tokenizer.IsSpecial(id)) continue;
            byte[]? bytes;
            try { bytes = tokenizer.TokenBytes(id); } catch (ArgumentOutOfRangeException) { continue; }
            if (bytes is null) continue;
            try { list.Add((utf8.GetString(bytes), id)); } catch (DecoderFallbackException) { }
        }
        return list.ToArray();
    }
}
