using System.Globalization;

namespace LlmDebug.DebugAdapter;

/// <summary>Adapter command line: [--port N] [--trace FILE]. Without --port the adapter speaks over stdio.</summary>
public sealed record CommandLine(int? Port, string? TracePath)
{
    public const string Usage = "usage: llmdebug-dap [--port N] [--trace FILE]";

    /// <exception cref="ArgumentException">Unknown option or bad value; the message is meant for stderr.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        int? port = null;
        string? trace = null;
        for (int i = 0; i < args.Count; i++)
        {
            (string name, string? inlineValue) = SplitOption(args[i]);
            string Value() => inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value. {Usage}"));
            switch (name)
            {
                case "--port":
                    string text = Value();
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) || parsed > 65535)
                        throw new ArgumentException($"--port expects a number 0-65535, got '{text}'. {Usage}");
                    port = parsed;
                    break;
                case "--trace":
                    trace = Value();
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'. {Usage}");
            }
        }
        return new CommandLine(port, trace);
    }

    private static (string Name, string? Value) SplitOption(string arg)
    {
        int equals = arg.IndexOf('=');
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }
}
