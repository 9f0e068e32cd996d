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
            if (args[0] == "run")
                return args.Length < 2 || args[1].StartsWith("--")
                    ? Fail($"run needs an experiment file: llmdebug run FILE.llmdebug\n\n{Usage.Text}")
                    : RunCommand.Run(args[1], CliArguments.Parse(args[2..]));
            var options = CliArguments.Parse(args[1..]);
            return args[0] switch
            {
                "debug" => DebugCommand.Run(options),
                "listing" => ListingCommand.Run(options),
                "make-model" => MakeModelCommand.Run(options),
                _ => Fail($"unknown command '{args[0]}'\n\n{Usage.Text}"),
            };
        }
        catch (CliException e)
        {
            return Fail(e.Message);
        }
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine($"llmdebug: {message}");
        return 2;
    }
}
