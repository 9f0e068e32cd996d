using LlmDebug.Cli.Commands;

namespace LlmDebug.Cli;

/// <summary>
/// The headless front end: runs the same debug engine as the adapter, scripted from the command line.
///   llmdebug debug   --model DIR --prompt TEXT [--tokens N] [--break NAME]... [--print EXPR]... [--json]
///   llmdebug run     FILE.llmdebug [--prompt N]
///   llmdebug listing --model DIR [--out FILE]
///   llmdebug make-model --out DIR [--layers 12 --heads 4 --d-model 64]
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage.Text);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            if (args.Skip(1).Any(a => a is "-h" or "--help")) { Console.WriteLine(Usage.Text); return 0; }
            if (args[0] == "run")
                return args.Length < 2 || args[1].StartsWith("--")
                    ? Fail($"run needs an experiment file: llmdebug run FILE.llmdebug\n\n{Usage.Text}")
                    : RunCommand.Run(args[1], CliArguments.Parse(args[2..], KnownOptions["run"]));
            if (!KnownOptions.TryGetValue(args[0], out var known)) return Fail($"unknown command '{args[0]}'\n\n{Usage.Text}");
            var options = CliArguments.Parse(args[1..], known);
            return args[0] switch
            {
                "debug" => DebugCommand.Run(options),
                "listing" => ListingCommand.Run(options),
                _ => MakeModelCommand.Run(options),
            };
        }
        catch (CliException e)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>The options each command accepts; anything else is a typo worth reporting, not ignoring.</summary>
    static readonly Dictionary<string, string[]> KnownOptions = new()
    {
        ["debug"] = ["model", "prompt", "tokens", "break", "print", "condition", "nonfinite", "temperature", "top-k", "seed", "capture", "threads", "json"],
        ["listing"] = ["model", "out"],
        ["make-model"] = ["out", "layers", "heads", "d-model", "context", "vocab", "seed", "dtype"],
        ["run"] = ["prompt", "threads"],
    };

    static int Fail(string message)
    {
        Console.Error.WriteLine($"llmdebug: {message}");
        return 2;
    }
}
