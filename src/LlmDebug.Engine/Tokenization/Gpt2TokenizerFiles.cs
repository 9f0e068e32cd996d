using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmDebug.Engine.Tokenization;

/// <summary>
/// Writes GPT-2's vocab.json and merges.txt from the packaged tiktoken ranks, so the sample model
/// folder carries its own tokenizer files and loads like any Hugging Face GPT-2 folder.
/// </summary>
public static class Gpt2TokenizerFiles
{
    public const string VocabFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";

    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var tokens = PackagedGpt2Ranks.TokenBytes;

        var vocab = new Dictionary<string, int>(tokens.Count + 1, StringComparer.Ordinal);
        for (int id = 0; id < tokens.Count; id++)
            vocab.Add(ByteLevelAlphabet.Encode(tokens[id]), id);
        vocab.Add(PackagedGpt2Ranks.EndOfText, PackagedGpt2Ranks.EndOfTextId);

        var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        File.WriteAllText(Path.Combine(folder, VocabFileName), JsonSerializer.Serialize(vocab, options), new UTF8Encoding(false));

        var merges = new StringBuilder("#version: 0.2\n");
        foreach (var (left, right) in DeriveMerges(tokens))
            merges.Append(left).Append(' ').Append(right).Append('\n');
        File.WriteAllText(Path.Combine(folder, MergesFileName), merges.ToString(), new UTF8Encoding(false));
    }

    /// <summary>
    /// Tiktoken stores only ranks; Hugging Face BPE wants the merge pairs. A multi-byte token's merge is the
    /// last step of running BPE on its own bytes using only lower-ranked tokens: that leaves exactly two parts.
    /// Merges come out in rank order, which is the priority order BPE needs.
    /// </summary>
    public static IEnumerable<(string Left, string Right)> DeriveMerges(IReadOnlyList<byte[]> tokensByRank)
    {
        var rankOf = new Dictionary<string, int>(tokensByRank.Count, StringComparer.Ordinal);
        for (int rank = 0; rank < tokensByRank.Count; rank++)
            rankOf[ByteLevelAlphabet.Encode(tokensByRank[rank])] = rank;

        for (int rank = 0; rank < tokensByRank.Count; rank++)
        {
            var bytes = tokensByRank[rank];
            if (bytes.Length < 2)
                continue;

            var parts = bytes.Select(b => ByteLevelAlphabet.CharFor(b).ToString()).ToList();
            while (parts.Count > 2)
            {
                int bestIndex = -1, bestRank = rank;
                for (int i = 0; i + 1 < parts.Count; i++)
                {
                    if (rankOf.TryGetValue(parts[i] + parts[i + 1], out int pairRank) && pairRank < bestRank)
                        (bestIndex, bestRank) = (i, pairRank);
                }
                if (bestIndex < 0)
                    break;
                parts[bestIndex] += parts[bestIndex + 1];
                parts.RemoveAt(bestIndex + 1);
            }

            if (parts.Count != 2)
                throw new InvalidOperationException(
                    $"Token of rank {rank} cannot be built from two lower-ranked tokens; the ranks are not a BPE vocabulary.");
            yield return (parts[0], parts[1]);
        }
    }
}
