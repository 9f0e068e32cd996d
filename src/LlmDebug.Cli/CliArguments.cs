using LlmDebug.Engine.Text;

namespace LlmDebug.Cli;

/// <summary>A command line's options: <c>--name value</c> pairs (repeatable) and bare <c>--flag</c>s.</summary>
public sealed class CliArguments
{
    private static readonly HashSet<string> Flags = ["json", "nonfinite", "help"];
    private readonly Dictionary<string, List<string>> _values = new();

    public static CliArguments Parse(string[] args, IReadOnlyCollection<string> known)
    {
        var result = new CliArguments();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--")) throw new CliException($"unexpected argument '{args[i]}' (options start with --)");
            string name = args[i][2..];
            if (!known.Contains(name))
                throw new CliException($"unknown option --{name}{Suggestion(name, known)}; this command takes --{string.Join(", --", known)}");
            string value = "true";
            if (!Flags.Contains(name))
            {
                if (i + 1 >= args.Length) throw new CliException($"--{name} needs a value");
                value = args[++i];
            }
            if (!result._values.TryGetValue(name, out var list)) result._values[name] = list = [];
            list.Add(value);
        }
        return result;
    }

    /// <summary>" (did you mean --break?)" when a known option is one or two edits away.</summary>
    static string Suggestion(string name, IEnumerable<string> known) =>
        Spelling.Closest(name, known) is { } option ? $" (did you mean --{option}?)" : "";

    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;
    public string Require(string name) => Get(name) ?? throw new CliException($"--{name} is required");
    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var v) ? v : [];
    public bool Has(string name) => _values.ContainsKey(name);

    public int Int(string name, int fallback) => Get(name) is { } s
        ? int.TryParse(s, out var v) ? v : throw new CliException($"--{name} expects a whole number, got '{s}'")
        : fallback;

    public int? OptionalInt(string name) => Get(name) is null ? null : Int(name, 0);

    public double Double(string name, double fallback) => Get(name) is { } s
        ? double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : throw new CliException($"--{name} expects a number, got '{s}'")
        : fallback;
}

public sealed class CliException(string message) : Exception(message);
