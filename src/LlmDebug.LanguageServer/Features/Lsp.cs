using LlmDebug.Engine.Experiments;
using LlmDebug.LanguageServer.Protocol;
using LspRange = LlmDebug.LanguageServer.Protocol.Range;

namespace LlmDebug.LanguageServer.Features;

/// <summary>Conversions between engine spans/paths and LSP ranges/URIs.</summary>
public static class Lsp
{
    public static LspRange Range(TextSpan s) => new() { Start = new Position { Line = s.Line, Character = s.Start }, End = new Position { Line = s.Line, Character = s.End } };
    public static LspRange Range(int line, int start, int end) => Range(new TextSpan(line, start, end));

    public static string? PathOf(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.IsFile ? u.LocalPath : null;

    public static string UriOf(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    public static DiagnosticSeverity Severity(Engine.Experiments.Severity s) => s switch
    {
        Engine.Experiments.Severity.Error => DiagnosticSeverity.Error,
        Engine.Experiments.Severity.Warning => DiagnosticSeverity.Warning,
        Engine.Experiments.Severity.Information => DiagnosticSeverity.Information,
        _ => DiagnosticSeverity.Hint,
    };

    public static Diagnostic Diagnostic(ExperimentDiagnostic d) => new()
    {
        Range = Range(d.Span), Severity = Severity(d.Severity), Message = d.Message, Code = d.Code, Source = "llmdebug",
    };

    public static MarkupContent Markdown(string text) => new() { Kind = MarkupKind.Markdown, Value = text };

    public static bool IsExperiment(string uri) => uri.EndsWith(ExperimentParser.FileExtension, StringComparison.OrdinalIgnoreCase);
    public static bool IsListing(string uri) => uri.EndsWith(Engine.Listing.ForwardListing.FileExtension, StringComparison.OrdinalIgnoreCase);
}
