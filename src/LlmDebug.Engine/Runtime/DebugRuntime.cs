using LlmDebug.Engine.Hooks;
using LlmDebug.Engine.Interventions;
using LlmDebug.Engine.Listing;
using LlmDebug.Engine.Models;
using LlmDebug.Engine.Runtime.Breakpoints;
using LlmDebug.Engine.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Runtime;

/// <summary>
/// Runs token-by-token generation on its own thread and stops it at hook points like a debugger stops a program:
/// on entry, breakpoints, steps, pause requests and non-finite activations. Knows nothing about any protocol: the
/// debug adapter and the CLI subscribe to its events and call <see cref="Resume"/>, <see cref="Pause"/>, <see cref="Terminate"/>.
/// While stopped, the front end may read <see cref="CurrentStop"/> (and run tensor code) on its own thread: the
/// generation thread is blocked until it resumes.
/// </summary>
public sealed class DebugRuntime : IForwardObserver, IDisposable
{
    public LoadedModel Model { get; }
    public LaunchOptions Options { get; }
    public ExecutionPlan Plan { get; }
    public ForwardListing Listing { get; }
    public BreakpointTable Breakpoints { get; }
    public CaptureFilter CaptureFilter { get; }
    public IConditionEvaluator? Conditions { get; set; }

    public event Action<StopInfo>? Stopped;
    public event Action<GeneratedToken>? TokenGenerated;
    /// <summary>A token step's logits at its last position, before sampling; the tensor is valid only during the call.</summary>
    public event Action<int, Tensor>? LogitsComputed;
    public event Action<SessionEnd>? Ended;

    public StopInfo? CurrentStop { get; private set; }
    public bool IsRunning => _thread is { IsAlive: true } && CurrentStop is null;

    private readonly SemaphoreSlim _resume = new(0);
    private readonly List<int> _tokens = [];
    private readonly int _promptLength;
    private Thread? _thread;
    private volatile bool _pauseRequested, _terminateRequested;
    private StepTarget? _stepTarget;
    private bool _entryPending;
    // state of the token step in progress (generation thread only)
    private int _step, _inputStart, _inputLength, _nonFiniteStep = -1;
    private StepCapture _capture = new();
    private readonly ILookup<string, IIntervention> _interventions;
    private readonly List<AppliedIntervention> _applied = [];   // interventions that changed an activation in this token step

    public DebugRuntime(LoadedModel model, LaunchOptions options)
    {
        Model = model;
        Options = options;
        Plan = new ExecutionPlan(model.Model.Hooks);
        Listing = new ForwardListing(model.Config, Plan);
        Breakpoints = new BreakpointTable(Plan, Listing);
        CaptureFilter = new CaptureFilter(options.Capture);
        _tokens.AddRange(PromptTokens.Encode(model, options.Prompt));
        _promptLength = _tokens.Count;
        _entryPending = options.StopOnEntry;
        Conditions = new Inspection.ExpressionConditionEvaluator();
        _interventions = options.Interventions.ToLookup(i => i.HookName, StringComparer.Ordinal);
        if (options.MaxNewTokens < 1) throw new ArgumentException($"maxNewTokens must be at least 1 (got {options.MaxNewTokens})");
    }

    public IReadOnlyList<int> PromptTokenIds => _tokens.Take(_promptLength).ToList();

    /// <summary>Starts generation on its own thread. Breakpoints should be set before.</summary>
    public void Start()
    {
        if (_thread is not null) throw new InvalidOperationException("already started");
        _thread = new Thread(Run) { Name = "generation", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Resumes a stopped session: continue, or step over/in/out from where it stands.</summary>
    public void Resume(StepKind kind)
    {
        var stop = CurrentStop ?? throw new InvalidOperationException("not stopped");
        _stepTarget = kind == StepKind.Continue ? null : new StepTarget(kind, stop.Step, stop.Location, Plan);
        CurrentStop = null;
        _resume.Release();
    }

    /// <summary>Asks the running generation to stop at the next stop location.</summary>
    public void Pause() => _pauseRequested = true;

    /// <summary>Ends generation; returns when the generation thread has finished (or after a timeout).</summary>
    public void Terminate(TimeSpan? wait = null)
    {
        _terminateRequested = true;
        if (CurrentStop is not null) { CurrentStop = null; _resume.Release(); }
        _thread?.Join(wait ?? TimeSpan.FromSeconds(10));
    }

    public void WaitForExit() => _thread?.Join();

    void Run()
    {
        string reason = "done";
        bool isError = false;
        var generated = new List<int>();
        var text = new IncrementalDecoder(Model.Tokenizer);
        try
        {
            using var noGrad = no_grad();
            using var cache = new KvCache(Model.Config.Layers);
            var sampler = new Sampler(Options.Temperature, Options.TopK, Options.Seed);
            for (_step = 0; _step < Options.MaxNewTokens; _step++)
            {
                if (_tokens.Count > Model.Config.ContextLength)   // the newest token would need position n_positions
                {
                    reason = $"stopped at the context limit of {Model.Config.ContextLength} tokens (n_positions)";
                    break;
                }
                int next;
                IReadOnlyList<Inspection.PredictedToken> candidates;
                using (var scope = NewDisposeScope())
                {
                    _inputStart = _step == 0 ? 0 : _tokens.Count - 1;
                    _inputLength = _tokens.Count - _inputStart;
                    _applied.Clear();
                    var input = tensor(_tokens.Skip(_inputStart).Select(t => (long)t).ToArray());
                    var logits = Model.Model.Forward(input, cache, this);
                    var lastRow = logits[-1];
                    LogitsComputed?.Invoke(_step, lastRow);
                    next = sampler.Next(lastRow);
                    candidates = Inspection.Prediction.TopK(lastRow, Model.Tokenizer, 5);
                    _capture.Dispose();
                }
                _tokens.Add(next);
                generated.Add(next);
                string delta = text.Append(next);   // outside the ?.Invoke: its arguments are skipped when nobody listens
                TokenGenerated?.Invoke(new GeneratedToken(_step, next, TokenDisplay.Render(Model.Tokenizer, next), delta, candidates));
                if (next == Model.Tokenizer.EndOfTextId) { reason = "end of text"; break; }
            }
            if (reason == "done") reason = $"generated {generated.Count} token(s) (maxNewTokens)";
        }
        catch (TerminatedException) { reason = "terminated"; }
        catch (Exception e)
        {
            reason = $"generation failed at token step {_step}: {e.Message}";
            isError = true;
        }
        finally
        {
            _capture.Dispose();
            CurrentStop = null;
        }
        Ended?.Invoke(new SessionEnd(reason, isError, _tokens.ToList(), text.Flush()));
    }

    // ---- IForwardObserver: called by the model at every stop location --------------------------------------

    public void OnBlockStart(int layer) => MaybeStop(Plan.BlockStart(layer), null);

    public Tensor OnHook(HookPoint point, Tensor value)
    {
        value = ApplyInterventions(point, value);
        if (CaptureFilter.Captures(point)) _capture.Add(point, value);
        MaybeStop(Plan.AtHook(point), value);
        return value;
    }

    /// <summary>Runs the launch's interventions at this hook, in the order given; stops and captures see the result.</summary>
    Tensor ApplyInterventions(HookPoint point, Tensor value)
    {
        if (!_interventions.Contains(point.Name)) return value;
        var window = new StepWindow(_step, _inputStart, _inputLength, _promptLength);
        foreach (var intervention in _interventions[point.Name])
        {
            if (intervention.Apply(value, window, out var detail) is not { } changed) continue;
            value = changed;
            _applied.Add(new AppliedIntervention(intervention, _step, detail));
        }
        return value;
    }

    void MaybeStop(ForwardLocation loc, Tensor? value)
    {
        if (_terminateRequested) throw new TerminatedException();
        StopInfo Make(StopReason reason, IReadOnlyList<int>? hits = null, string? description = null) => new()
        {
            Reason = reason, Step = _step, Location = loc, Tokens = _tokens.ToList(), InputStart = _inputStart,
            InputLength = _inputLength, PromptLength = _promptLength, Capture = _capture, Plan = Plan,
            CurrentValue = value, HitBreakpointIds = hits ?? [], Description = description,
            AppliedInterventions = _applied.ToList(),
        };

        if (_pauseRequested) { _pauseRequested = false; Stop(Make(StopReason.Pause)); return; }
        if (_entryPending) { _entryPending = false; Stop(Make(StopReason.Entry)); return; }
        // only the first hook that holds NaN/Inf in a token step: everything downstream of it would too
        if (Breakpoints.StopOnNonFinite && value is not null && _nonFiniteStep != _step && NonFinite.Describe(value) is { } bad)
        {
            _nonFiniteStep = _step;
            Stop(Make(StopReason.Exception, description: $"{loc.Name} holds {bad} (token step {_step})"));
            return;
        }
        var hits = BreakpointHits(loc, () => Make(StopReason.Breakpoint), out var conditionError);
        if (conditionError is not null) { Stop(Make(StopReason.Breakpoint, hits, conditionError)); return; }
        if (hits.Count > 0) { Stop(Make(StopReason.Breakpoint, hits)); return; }   // stepping onto a breakpoint reports the breakpoint
        if (_stepTarget?.IsReachedAt(_step, loc) == true) Stop(Make(StopReason.Step));
    }

    /// <summary>Breakpoints at <paramref name="loc"/> whose condition holds and whose hit condition is met (counting their hits).</summary>
    List<int> BreakpointHits(ForwardLocation loc, Func<StopInfo> probe, out string? conditionError)
    {
        conditionError = null;
        var hit = new List<int>();
        var candidates = Breakpoints.At(loc);
        if (candidates.Count == 0) return hit;
        var stop = probe();
        foreach (var bp in candidates)
        {
            if (bp.Condition is not null && Conditions is not null && !Conditions.Evaluate(bp.Condition, stop, out var error))
            {
                if (error is null || bp.ConditionErrorShown) continue;
                // a condition that cannot be evaluated (a typo, a hook that has not run yet here) stops once, so the
                // user sees why instead of a breakpoint that silently never fires
                bp.ConditionErrorShown = true;
                conditionError = $"breakpoint condition '{bp.Condition}' cannot be evaluated at {loc.Name}: {error}";
                return [bp.Id];
            }
            bp.Hits++;
            if (bp.HitCondition is null || bp.HitCondition.IsMet(bp.Hits)) hit.Add(bp.Id);
        }
        return hit;
    }

    void Stop(StopInfo stop)
    {
        _stepTarget = null;
        CurrentStop = stop;
        Stopped?.Invoke(stop);
        _resume.Wait();
        if (_terminateRequested) throw new TerminatedException();
    }

    public void Dispose()
    {
        Terminate();
        _capture.Dispose();
        _resume.Dispose();
    }

    sealed class TerminatedException : Exception;
}
