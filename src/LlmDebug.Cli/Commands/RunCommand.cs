using System.Globalization;
using LlmDebug.Engine.Compute;
using LlmDebug.Engine.Experiments;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Runtime;

namespace LlmDebug.Cli.Commands;

/// <summary>
/// <c>llmdebug run FILE.llmdebug</c>: checks the experiment, runs every prompt without stopping, prints a report and
/// exits 1 when an expectation fails (2 when the file has errors or the model cannot load) — for CI pipelines.
/// </summary>
static class RunCommand
{
    public static int Run(string path, CliArguments args)
    {
        if (!File.Exists(path)) throw new CliException($"no such experiment file: {path}");
        var file = ExperimentFile.Load(path);
        var diagnostics = file.Check(out _);
        string rel = path;
        foreach (var d in diagnostics.OrderBy(d => d.Span.Line))
            Console.Error.WriteLine($"{rel}:{d.Span.Line + 1}:{d.Span.Start + 1}: {d.Severity.ToString().ToLowerInvariant()}: {d.Message}");
        if (diagnostics.Any(d => d.Severity == Severity.Error)) return 2;
        if (file.Document.Prompts.Count == 0) throw new CliException($"{rel} has no prompt line");

        using (var model = ModelSession.Load(file.ModelFolder!, args))
        {
            int? only = args.OptionalInt("prompt") is int p ? p - 1 : null;
            ExperimentReport report;
            try { report = ExperimentRunner.Run(file.Document, model, only); }
            catch (Exception e) when (e is ExperimentException or LaunchException) { throw new CliException(e.Message); }
            Print(rel, model, report);
            return report.Passed ? 0 : 1;
        }
    }

    static void Print(string rel, LoadedModel model, ExperimentReport report)
    {
        Console.WriteLine($"{rel} — {model.Config.Name} ({model.Config.Layers} layers)");
        foreach (var p in report.Prompts)
        {
            Console.WriteLine();
            Console.WriteLine($"prompt {p.Index + 1}: \"{p.Prompt}\" ({p.Tokens.Count} tokens)");
            foreach (var i in p.Interventions) Console.WriteLine($"  intervention: {i}");
            if (p.Interventions.Count > 0)
                Console.WriteLine($"  applied in the prompt step: {p.Applied.Count} time(s)");
            Console.WriteLine($"  generated: \"{Escape(p.GeneratedText)}\" [{p.EndReason}]");
            Console.WriteLine($"  next token: {Top(p.Top)}");
            if (p.CleanTop is { } clean) Console.WriteLine($"  without interventions: {Top(clean)}");
            foreach (var (expr, value) in p.Watches) Console.WriteLine($"  watch {expr} = {value}");
            foreach (var e in p.Expectations) Console.WriteLine($"  {(e.Passed ? "PASS" : "FAIL")} {rel}:{e.Statement.Span.Line + 1}: expect {e.Expected} — {e.Actual}");
        }
        Console.WriteLine();
        int total = report.Prompts.Sum(p => p.Expectations.Count), failed = report.Failures.Count();
        Console.WriteLine(report.Passed ? $"passed: {total} expectation(s)" : $"FAILED: {failed} of {total} expectation(s)");
    }

    static string Top(IEnumerable<Engine.Inspection.PredictedToken> top) =>
        string.Join("  ", top.Select(t => $"\"{t.Display}\" {(t.Probability * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%"}"));

    static string Escape(string s) => s.Replace("\n", "\\n");
}
