namespace LlmDebug.Engine.Text;

/// <summary>"Did you mean …?" for typed names: keywords, hook names, command-line options.</summary>
public static class Spelling
{
    /// <summary>Levenshtein distance: the fewest single-character insertions, deletions or substitutions from a to b.</summary>
    public static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    /// <summary>The candidate nearest to <paramref name="word"/> within <paramref name="maxDistance"/> edits, or null.</summary>
    public static string? Closest(string word, IEnumerable<string> candidates, int maxDistance = 2) =>
        candidates.Select(c => (c, d: EditDistance(word, c))).Where(p => p.d <= maxDistance).OrderBy(p => p.d).Select(p => p.c).FirstOrDefault();
}
