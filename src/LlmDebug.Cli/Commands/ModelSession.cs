using System.Diagnostics;
using LlmDebug.Engine.Compute;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Runtime;

namespace LlmDebug.Cli.Commands;

/// <summary>Loads a model for a CLI command, reporting progress on stderr when it takes more than a moment.</summary>
static class ModelSession
{
    public static LoadedModel Load(CliArguments args) => Load(args.Require("model"), args);

    /// <summary>Loads <paramref name="folder"/> and sets libtorch's threads for it (from --threads or the model's default).</summary>
    public static LoadedModel Load(string folder, CliArguments args)
    {
        var clock = Stopwatch.StartNew();
        var progress = new InlineProgress<string>(m => { if (clock.ElapsedMilliseconds > 500) Console.Error.WriteLine($"  {m}"); });
        try
        {
            var model = ModelLoader.Load(folder, progress);
            TorchThreads.Configure(args.OptionalInt("threads"), model.Config);
            if (clock.ElapsedMilliseconds > 500) Console.Error.WriteLine($"  loaded {model.Config.Name} in {clock.Elapsed.TotalSeconds:F1} s");
            return model;
        }
        catch (ModelLoadException e)
        {
            throw new CliException($"cannot load the model: {e.Message}");
        }
    }
}
