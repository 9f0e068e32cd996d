namespace LlmDebug.Engine.Experiments;

/// <summary>An experiment file read from disk: its parsed text and the folder its relative paths resolve against.</summary>
public sealed record ExperimentFile(string Path, ExperimentDocument Document)
{
    public string Directory => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
    public string? ModelFolder => ExperimentChecker.ModelFolder(Document, Directory);

    public static ExperimentFile Load(string path) => new(System.IO.Path.GetFullPath(path), ExperimentParser.Parse(File.ReadAllText(path)));

    /// <summary>All diagnostics, loading the model's config and tokenizer to check against them.</summary>
    public List<ExperimentDiagnostic> Check(out ModelFacts? facts)
    {
        facts = null;
        string? error = null;
        if (ModelFolder is { } folder)
        {
            try { facts = ModelFacts.Load(folder); }
            catch (Exception e) when (e is Loading.ModelLoadException or IOException or NotSupportedException) { error = e.Message; }
        }
        return ExperimentChecker.Check(Document, facts, error);
    }
}

/// <summary>An experiment that cannot run as written; the message is for the user.</summary>
public sealed class ExperimentException(string message) : Exception(message);
