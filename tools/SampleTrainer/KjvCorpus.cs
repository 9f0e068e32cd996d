using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace LlmDebug.SampleTrainer;

/// <summary>
/// The King James Bible (public domain) as printed by Debian's <c>bible</c> reader (package bible-kjv),
/// cleaned to one verse per line: verse numbers dropped, wrapped lines joined, chapter headings kept.
/// </summary>
static partial class KjvCorpus
{
    public static string Load(string? path)
    {
        string raw = path is not null ? File.ReadAllText(path) : RunBibleReader();
        var text = new StringBuilder();
        foreach (var line in raw.Split('\n'))
        {
            var m = VerseStart().Match(line);
            if (m.Success) { text.Append('\n').Append(m.Groups[1].Value.Trim()); continue; }
            if (line.Length == 0) continue;
            if (line.StartsWith(' ') || !char.IsUpper(line[0]) || !ChapterHeading().IsMatch(line))
                text.Append(' ').Append(line.Trim());            // continuation of a wrapped verse
            else
                text.Append("\n\n").Append(line.Trim());         // "Genesis 1"
        }
        return text.ToString().Trim() + "\n";
    }

    static string RunBibleReader()
    {
        var psi = new ProcessStartInfo("bible") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("Genesis 1:1-Revelation 22:21");
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start 'bible' (apt-get install bible-kjv)");
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 || output.Length < 1_000_000)
            throw new InvalidOperationException($"'bible' exited {p.ExitCode} with {output.Length} chars; is bible-kjv installed?");
        return output;
    }

    [GeneratedRegex(@"^\s+\d+ (.*)$")] private static partial Regex VerseStart();
    [GeneratedRegex(@"^[1-3 ]?[A-Za-z ]+ \d+$")] private static partial Regex ChapterHeading();
}
