using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace LlmDebug.Engine.Tokenization;

/// <summary>GPT-2's pre-tokenization: the regex that splits text into words before BPE runs on each.</summary>
public static class Gpt2PreTokenizer
{
    public const string Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static RegexPreTokenizer Create(IReadOnlyDictionary<string, int>? specialTokens, string pattern = Pattern) =>
        new(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), specialTokens);
}
