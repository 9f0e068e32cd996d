using LlmDebug.DebugAdapter.Protocol;
using LlmDebug.DebugAdapter.Transport;
using LlmDebug.Engine.Expressions;
using LlmDebug.Engine.Experiments;
using LlmDebug.Engine.Inspection;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Runtime.Breakpoints;
using TorchSharp;

namespace LlmDebug.DebugAdapter.Session;

/// <summary>
/// A launch whose <c>program</c> is an experiment file: supplies the model folder, the launch options with the
/// experiment's interventions, its <c>break</c> lines (and gutter breakpoints on its hook lines) as breakpoints by
/// hook name, and the "Interventions" and "Watch" scopes. Kept apart from <see cref="LlmDebugSession"/>, which only
/// forwards to it.
/// </summary>
public sealed class ExperimentLaunch : IDisposable
{
    public ExperimentFile File { get; }
    public int PromptIndex { get; }
    public string ModelFolder { get; }
    private PreparedInterventions? _interventions;
    private List<(int Line, BreakpointRequest Request)> _gutter = [];

    ExperimentLaunch(ExperimentFile file, int promptIndex, string modelFolder) => (File, PromptIndex, ModelFolder) = (file, promptIndex, modelFolder);

    /// <summary>The experiment named by <c>program</c>, or null when the launch has none. Refuses files with errors, listing them.</summary>
    public static ExperimentLaunch? From(LlmLaunchArguments args)
    {
        if (string.IsNullOrWhiteSpace(args.Program)) return null;
        string path = Path.GetFullPath(args.Program, args.Cwd ?? Directory.GetCurrentDirectory());
        if (!path.EndsWith(ExperimentParser.FileExtension, StringComparison.OrdinalIgnoreCase))
            throw new RequestException($"'program' must be an experiment file ({ExperimentParser.FileExtension}), got {path}");
        if (!System.IO.File.Exists(path)) throw new RequestException($"experiment file not found: {path}");
        var file = ExperimentFile.Load(path);
        var errors = file.Check(out _).Where(d => d.Severity == Severity.Error).ToList();
        if (errors.Count > 0)
            throw new RequestException($"{Path.GetFileName(path)} has {errors.Count} error(s):\n" + string.Join("\n", errors.Select(d => $"  line {d.Span.Line + 1}: {d.Message}")));
        int index = args.PromptIndex ?? 0;
        if (index < 0 || index >= file.Document.Prompts.Count)
            throw new RequestException(file.Document.Prompts.Count == 0 ? $"{Path.GetFileName(path)} has no prompt line" : $"promptIndex {index} is out of range: the experiment has prompts 0…{file.Document.Prompts.Count - 1}");
        string folder = args.Model is { Length: > 0 } m ? Path.GetFullPath(m, args.Cwd ?? Directory.GetCurrentDirectory()) : file.ModelFolder!;
        return new ExperimentLaunch(file, index, folder);
    }

    /// <summary>Launch options: the file's settings and interventions (built now: runs the reference passes), overridden by explicit launch attributes.</summary>
    public LaunchOptions Options(LlmLaunchArguments args, LoadedModel model)
    {
        try { _interventions = InterventionBuilder.Build(File.Document, model, PromptIndex); }
        catch (ExperimentException e) { throw new RequestException(e.Message); }
        var o = ExperimentRunner.Options(File.Document, PromptIndex);
        return o with
        {
            Prompt = args.Prompt ?? o.Prompt,
            MaxNewTokens = args.MaxNewTokens ?? o.MaxNewTokens,
            Temperature = args.Temperature ?? o.Temperature,
            TopK = args.TopK ?? o.TopK,
            Seed = args.Seed ?? o.Seed,
            StopOnEntry = args.StopOnEntry ?? false,
            Capture = args.Capture,
            Interventions = _interventions.Items,
        };
    }

    /// <summary>The file's <c>break</c> lines, then the gutter breakpoints set on its lines.</summary>
    public IEnumerable<BreakpointRequest> Requests =>
        File.Document.All<BreakStatement>().Select(b => new BreakpointRequest(null, b.Target.Text, b.Condition, null)).Concat(_gutter.Select(g => g.Request));

    public int BreakLineCount => File.Document.All<BreakStatement>().Count();

    public bool IsSource(Source? s) => s?.Path is { } p && Path.GetFullPath(p) == File.Path;

    /// <summary>
    /// Gutter breakpoints in the experiment file: on a line naming a hook (break/patch/steer, ablate → the hook it
    /// changes) they stop at that hook; elsewhere they cannot bind. Returns, per request, the hook name or why not.
    /// </summary>
    public List<(int Line, string? Hook, string? Why)> SetGutter(IEnumerable<(int Line, string? Condition, string? HitCondition)> requests)
    {
        var result = new List<(int, string?, string?)>();
        _gutter = [];
        foreach (var (line, condition, hit) in requests)
        {
            var s = File.Document.StatementAt(line - 1);
            string? hook = s switch
            {
                BreakStatement b => b.Target.Text,
                PatchStatement p => p.Target.Text,
                SteerStatement st => st.Target.Text,
                AblateStatement a => a.Target.Layer is int l ? $"blocks.{l}.{(a.Unit == AblationUnit.Head ? "attn.hook_z" : "mlp.hook_post")}" : null,
                _ => null,
            };
            if (hook is null) { result.Add((line, null, "breakpoints in an experiment file go on lines that name a hook (break, ablate, patch, steer), or in the forward listing")); continue; }
            _gutter.Add((line, new BreakpointRequest(null, hook, condition, hit)));
            result.Add((line, hook, null));
        }
        return result;
    }

    /// <summary>"Interventions" (configured ones, marked when applied so far in this token step) and "Watch" (the file's watch lines).</summary>
    public IEnumerable<Scope> Scopes(StopInfo stop, VariableStore store)
    {
        var items = _interventions?.Items ?? [];
        yield return new Scope
        {
            Name = "Interventions", Expensive = false,
            VariablesReference = store.Add(new VariableList(() => items.Count == 0
                ? [new Variable { Name = "(none)", Value = "this experiment has no ablate/patch/steer lines" }]
                : items.Select(i =>
                {
                    var applied = stop.AppliedInterventions.Where(a => ReferenceEquals(a.Intervention, i)).ToList();
                    string state = applied.Count > 0 ? $"applied in step {stop.Step}: {string.Join("; ", applied.Select(a => a.Detail))}"
                        : OrdinalOf(stop, i.HookName) > stop.Location.Ordinal ? $"pending (at {i.HookName})" : $"not applied in step {stop.Step}";
                    return new Variable { Name = i.Description, Value = state };
                }).ToList())),
        };
        var watches = File.Document.All<WatchStatement>().ToList();
        if (watches.Count == 0) yield break;
        yield return new Scope
        {
            Name = "Watch", Expensive = false,
            VariablesReference = store.Add(new VariableList(() => watches.Select(w =>
            {
                try
                {
                    using var value = Expression.Evaluate(w.Expression, new StopExpressionContext(stop));
                    return new Variable { Name = w.Expression, Value = value.Format(TensorSummary.Format) };
                }
                catch (ExpressionException e) { return new Variable { Name = w.Expression, Value = e.Reason }; }
            }).ToList())),
        };
    }

    static int OrdinalOf(StopInfo stop, string hook) => stop.Plan.AtHook(hook)?.Ordinal ?? -1;

    /// <summary>
    /// Checks this prompt's <c>expect</c> lines when generation ends, as <c>llmdebug run</c> does, and reports each as a
    /// PASS/FAIL line through <paramref name="output"/>: the first token step's prediction is kept for that.
    /// Subscribe before the session's own end handler so the report precedes <c>terminated</c>.
    /// </summary>
    public void ReportExpectationsAtEnd(DebugRuntime runtime, Action<string> output)
    {
        var expectations = File.Document.ExpectationsFor(PromptIndex).ToList();
        if (expectations.Count == 0) return;
        torch.Tensor? firstPrediction = null;
        runtime.LogitsComputed += (step, logits) =>
        {
            if (step == 0) firstPrediction = logits.detach().clone().DetachFromDisposeScope();
        };
        runtime.Ended += end =>
        {
            using var row = firstPrediction;
            if (row is null)
            {
                output($"\nexpectations not checked ({end.Reason}): the first token step did not finish\n");
                return;
            }
            var results = ExpectationChecker.Check(expectations, row, runtime.Model.Tokenizer, end.GeneratedText);
            output("\n" + string.Join("\n", results.Select(r => r.ToString())) + "\n" +
                   (results.All(r => r.Passed) ? $"passed: {results.Count} expectation(s)\n" : $"FAILED: {results.Count(r => !r.Passed)} of {results.Count} expectation(s)\n"));
        };
    }

    public void Dispose() => _interventions?.Dispose();
}
