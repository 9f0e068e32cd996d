using LlmDebug.Engine.Experiments;
using LlmDebug.Engine.Listing;
using LlmDebug.Engine.Runtime;
using LlmDebug.LanguageServer.Server;

namespace LlmDebug.LanguageServer.Features;

/// <summary>Everything the features know about one version of an experiment file.</summary>
public sealed class ExperimentAnalysis
{
    public required string Uri { get; init; }
    public required int Version { get; init; }
    public required ExperimentDocument Document { get; init; }
    public required string? ModelFolder { get; init; }
    public required ModelFacts? Facts { get; init; }
    public required string? ModelError { get; init; }
    public required IReadOnlyList<ExperimentDiagnostic> Diagnostics { get; init; }

    /// <summary>Token ids of each prompt (by prompt index), when the tokenizer is known.</summary>
    public IReadOnlyList<int> PromptTokens(int index) => Facts?.Tokenizer.Encode(Document.Prompts[index].Text.Value) ?? [];

    public static async Task<ExperimentAnalysis> RunAsync(string uri, int version, string text, ModelCache models)
    {
        var doc = ExperimentParser.Parse(text);
        string? dir = Lsp.PathOf(uri) is { } path ? Path.GetDirectoryName(path) : null;
        string? folder = ExperimentChecker.ModelFolder(doc, dir);
        ModelFacts? facts = null;
        string? error = null;
        if (folder is not null)
        {
            var result = await models.GetFactsAsync(folder).ConfigureAwait(false);
            (facts, error) = (result.Facts, result.Error);
        }
        return new ExperimentAnalysis
        {
            Uri = uri, Version = version, Document = doc, ModelFolder = folder, Facts = facts, ModelError = error,
            Diagnostics = ExperimentChecker.Check(doc, facts, error),
        };
    }

    /// <summary>The model's forward listing, written where the debug adapter writes it (so breakpoints there apply when debugging).</summary>
    public (ForwardListing Listing, string Path)? Listing()
    {
        if (Facts is null || ModelFolder is null) return null;
        var listing = new ForwardListing(Facts.Config, new ExecutionPlan(Facts.Layout));
        try { return (listing, ListingFiles.Write(listing, ModelFolder, null)); }
        catch (IOException) { return null; }
    }
}
