using LlmDebug.Engine.Expressions;
using LlmDebug.Engine.Inspection;
using LlmDebug.Engine.Interventions;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Runtime.Breakpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Experiments;

/// <summary>What one prompt of an experiment did.</summary>
public sealed record PromptReport(
    int Index, string Prompt, IReadOnlyList<int> Tokens, string GeneratedText, string EndReason, bool Failed,
    IReadOnlyList<PredictedToken> Top, IReadOnlyList<PredictedToken>? CleanTop,
    IReadOnlyList<string> Interventions, IReadOnlyList<AppliedIntervention> Applied,
    IReadOnlyList<(string Expression, string Value)> Watches, IReadOnlyList<ExpectationResult> Expectations);

public sealed record ExperimentReport(IReadOnlyList<PromptReport> Prompts)
{
    public bool Passed => Prompts.All(p => !p.Failed && p.Expectations.All(e => e.Passed));
    public IEnumerable<ExpectationResult> Failures => Prompts.SelectMany(p => p.Expectations).Where(e => !e.Passed);
}

/// <summary>
/// Runs an experiment without stopping (<c>llmdebug run</c>, the editor's "Run" lens): for each prompt, builds the
/// interventions, generates with them, and at the first token step's logits evaluates the watches and checks the
/// expectations (also reporting the prediction without interventions, for comparison).
/// </summary>
public static class ExperimentRunner
{
    public static ExperimentReport Run(ExperimentDocument doc, LoadedModel model, int? onlyPrompt = null, Action<string>? log = null)
    {
        var reports = new List<PromptReport>();
        for (int i = 0; i < doc.Prompts.Count; i++)
        {
            if (onlyPrompt is int only && only != i) continue;
            reports.Add(RunPrompt(doc, model, i, log));
        }
        return new ExperimentReport(reports);
    }

    /// <summary>The launch options an experiment asks for (generation settings; the caller adds interventions).</summary>
    public static LaunchOptions Options(ExperimentDocument doc, int promptIndex) => new()
    {
        Prompt = doc.Prompts[promptIndex].Text.Value,
        MaxNewTokens = (int)(doc.Setting("tokens") ?? 3),
        Temperature = doc.Setting("temperature") ?? 0,
        TopK = (int)(doc.Setting("top-k") ?? 0),
        Seed = (int)(doc.Setting("seed") ?? 0),
    };

    static PromptReport RunPrompt(ExperimentDocument doc, LoadedModel model, int index, Action<string>? log)
    {
        using var prepared = InterventionBuilder.Build(doc, model, index);
        var options = Options(doc, index) with { Interventions = prepared.Items };
        using var runtime = new DebugRuntime(model, options);
        var probe = runtime.Breakpoints.SetFunctionBreakpoints([new BreakpointRequest(null, "logits", null, "1")]);   // first token step only
        if (!probe[0].Verified) throw new ExperimentException($"cannot watch the logits: {probe[0].Message}");

        Tensor? logitsRow = null;
        var watches = new List<(string, string)>();
        var applied = new List<AppliedIntervention>();
        SessionEnd? end = null;
        runtime.Stopped += stop =>
        {
            try
            {
                logitsRow = stop.CurrentValue![-1].detach().clone().DetachFromDisposeScope();
                applied.AddRange(stop.AppliedInterventions);
                foreach (var w in doc.All<WatchStatement>())
                {
                    try
                    {
                        using var value = Expression.Evaluate(w.Expression, new StopExpressionContext(stop));
                        watches.Add((w.Expression, ValueText.Format(w.Expression, value, model.Tokenizer)));
                    }
                    catch (ExpressionException e) { watches.Add((w.Expression, $"error: {e.Reason}")); }
                }
            }
            finally { runtime.Resume(StepKind.Continue); }
        };
        var generated = new System.Text.StringBuilder();
        runtime.Ended += e => { generated.Append(e.GeneratedText); end = e; };   // all generated text
        runtime.Start();
        runtime.WaitForExit();

        using var logits = logitsRow;
        Tensor? clean = null;
        IReadOnlyList<PredictedToken>? cleanTop = null;
        if (prepared.Items.Count > 0)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var ids = PromptTokens.Encode(model, options.Prompt);
            clean = model.Model.Forward(tensor(ids.Select(t => (long)t).ToArray()))[-1].MoveToOuterDisposeScope();
            cleanTop = Prediction.TopK(clean, model.Tokenizer, 5);
        }
        using var cleanRow = clean;
        var top = logits is null ? [] : Prediction.TopK(logits, model.Tokenizer, 5);
        var expectations = logits is null ? [] : ExpectationChecker.Check(doc.ExpectationsFor(index), logits, model.Tokenizer, generated.ToString(), cleanRow);
        if (logits is null && doc.ExpectationsFor(index).Any())
            expectations = doc.ExpectationsFor(index).Select(e => new ExpectationResult(e, false, e.Token.Value, $"not checked: {end?.Reason}")).ToList();
        var runEnd = end ?? new SessionEnd("no result", true, [], "");
        return new PromptReport(index, options.Prompt, runtime.PromptTokenIds, generated.ToString(), runEnd.Reason, runEnd.IsError,
            top, cleanTop, prepared.Items.Select(i => i.Description).ToList(), applied, watches, expectations);
    }
}
