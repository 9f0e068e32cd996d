using LlmDebug.Engine.Listing;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Runtime;

namespace LlmDebug.Cli.Commands;

/// <summary><c>llmdebug listing</c>: the forward listing from config.json alone (no weights are loaded).</summary>
static class ListingCommand
{
    public static int Run(CliArguments args)
    {
        string folder = args.Require("model");
        Engine.Models.ModelConfig config;
        try { config = ModelLoader.ReadConfig(folder); }
        catch (ModelLoadException e) { throw new CliException($"cannot read the model: {e.Message}"); }
        var listing = new ForwardListing(config, new ExecutionPlan(ModelLoader.HookLayoutFor(config)));
        if (args.Get("out") is { } path)
        {
            try { Console.WriteLine(ListingFiles.Write(listing, folder, path)); }   // the same guard as the adapter's
            catch (IOException e) { throw new CliException(e.Message); }
        }
        else Console.Write(listing.Text);
        return 0;
    }
}
