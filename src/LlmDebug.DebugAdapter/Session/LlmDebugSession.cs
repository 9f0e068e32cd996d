using LlmDebug.DebugAdapter.Protocol;
using LlmDebug.DebugAdapter.Transport;
using LlmDebug.Engine.Compute;
using LlmDebug.Engine.Listing;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Runtime.Breakpoints;
using DapBreakpoint = LlmDebug.DebugAdapter.Protocol.Breakpoint;
using DapThread = LlmDebug.DebugAdapter.Protocol.Thread;

namespace LlmDebug.DebugAdapter.Session;

/// <summary>
/// Translates DAP requests into <see cref="DebugRuntime"/> calls and runtime events into DAP events — nothing
/// else (the split of vscode-mock-debug: the runtime knows nothing of the protocol).
/// Order of a session: initialize → launch (loads the model, writes the listing) → initialized event →
/// breakpoints → configurationDone (generation starts) → stops, steps … → disconnect.
/// </summary>
public sealed class LlmDebugSession : IDebugSessionHandlers
{
    public const int ThreadId = 1;
    public const string NonFiniteFilter = "nonfinite";

    private DapServer _server = null!;
    private DebugRuntime? _runtime;
    private string? _listingPath;
    private readonly VariableStore _variables = new();
    private StopPresenter? _presenter;
    private EvaluationPresenter? _evaluator;
    private bool _ended;
    private ExperimentLaunch? _experiment;               // set when 'program' is an experiment file
    private List<BreakpointRequest> _functionRequests = [];

    public void Register(DapServer server)
    {
        _server = server;
        server.OnWithContext<InitializeRequestArguments>(Commands.Initialize, (_, ctx) => Task.FromResult<object?>(Capabilities()));
        server.OnWithContext<LlmLaunchArguments>(Commands.Launch, Launch);
        server.On<SetBreakpointsArguments>(Commands.SetBreakpoints, (a, _) => Task.FromResult<object?>(SetBreakpoints(a)));
        server.On<SetFunctionBreakpointsArguments>(Commands.SetFunctionBreakpoints, (a, _) => Task.FromResult<object?>(SetFunctionBreakpoints(a)));
        server.On<SetExceptionBreakpointsArguments>(Commands.SetExceptionBreakpoints, (a, _) => Task.FromResult<object?>(SetExceptionBreakpoints(a)));
        server.OnWithContext<ConfigurationDoneArguments>(Commands.ConfigurationDone, (_, ctx) =>
        {
            var runtime = Runtime();
            ctx.AfterResponse(runtime.Start);
            return Task.FromResult<object?>(null);
        });
        server.On<EmptyArguments>(Commands.Threads, (_, _) => Task.FromResult<object?>(new ThreadsResponseBody { Threads = [new DapThread { Id = ThreadId, Name = "generation" }] }));
        server.On<StackTraceArguments>(Commands.StackTrace, (a, _) => Task.FromResult<object?>(StackTrace(a)));
        server.On<ScopesArguments>(Commands.Scopes, (a, _) => Task.FromResult<object?>(Scopes(a)));
        server.On<VariablesArguments>(Commands.Variables, (a, _) => Task.FromResult<object?>(Variables(a)));
        server.On<EvaluateArguments>(Commands.Evaluate, (a, _) => Task.FromResult<object?>(Evaluate(a)));
        server.OnWithContext<ContinueArguments>(Commands.Continue, (_, ctx) => Resume(ctx, StepKind.Continue, new ContinueResponseBody { AllThreadsContinued = true }));
        server.OnWithContext<NextArguments>(Commands.Next, (_, ctx) => Resume(ctx, StepKind.Next));
        server.OnWithContext<StepInArguments>(Commands.StepIn, (_, ctx) => Resume(ctx, StepKind.StepIn));
        server.OnWithContext<StepOutArguments>(Commands.StepOut, (_, ctx) => Resume(ctx, StepKind.StepOut));
        server.On<PauseArguments>(Commands.Pause, (_, _) => { Runtime().Pause(); return Task.FromResult<object?>(null); });
        server.On<SourceArguments>(Commands.Source, (a, _) => Task.FromResult<object?>(Source(a)));
        server.On<ExceptionInfoArguments>(Commands.ExceptionInfo, (_, _) => Task.FromResult<object?>(ExceptionInfo()));
        server.OnWithContext<TerminateArguments>(Commands.Terminate, (_, ctx) => { ctx.AfterResponse(() => Task.Run(EndSession)); return Task.FromResult<object?>(null); });
        server.OnWithContext<DisconnectArguments>(Commands.Disconnect, (_, ctx) =>
        {
            ctx.AfterResponse(async () => { await Task.Run(EndSession); server.RequestStop(); });
            return Task.FromResult<object?>(null);
        });
        new WebviewRequests(() => _runtime).Register(server);
    }

    static Capabilities Capabilities() => new()
    {
        SupportsConfigurationDoneRequest = true,
        SupportsFunctionBreakpoints = true,
        SupportsConditionalBreakpoints = true,
        SupportsHitConditionalBreakpoints = true,
        SupportsEvaluateForHovers = true,
        SupportsTerminateRequest = true,
        SupportsExceptionInfoRequest = true,
        ExceptionBreakpointFilters =
        [
            new ExceptionBreakpointsFilter
            {
                Filter = NonFiniteFilter, Label = "NaN/Inf activations",
                Description = "Stop at the first hook point whose activation holds NaN or ±Inf", Default = false,
            },
        ],
    };

    Task<object?> Launch(LlmLaunchArguments args, RequestContext ctx)
    {
        if (_runtime is not null) throw new RequestException("this session already launched a model");
        _experiment = ExperimentLaunch.From(args);
        if (_experiment is null && string.IsNullOrWhiteSpace(args.Model)) throw new RequestException("launch needs 'model': the path of a Hugging Face model folder (config.json + model.safetensors + tokenizer files), or 'program': an experiment file (.llmdebug)");
        string folder = _experiment?.ModelFolder ?? Path.GetFullPath(args.Model!, args.Cwd ?? Directory.GetCurrentDirectory());
        LoadedModel model;
        try
        {
            var progress = new InlineProgress<string>(m => Output($"{m}\n", "console"));
            model = ModelLoader.Load(folder, progress);
        }
        catch (ModelLoadException e) { throw new RequestException($"cannot load the model: {e.Message}"); }
        int threads = TorchThreads.Configure(args.Threads, model.Config);
        try
        {
            _runtime = new DebugRuntime(model, _experiment?.Options(args, model) ?? args.ToLaunchOptions());
            ApplyFunctionBreakpoints();   // the experiment's break lines hold even if the client sends no function breakpoints
            _listingPath = ListingFiles.Write(_runtime.Listing, folder, args.Listing is null ? null : Path.GetFullPath(args.Listing, args.Cwd ?? Directory.GetCurrentDirectory()));
        }
        catch (Exception e) when (e is LaunchException or ArgumentException or IOException or RequestException)
        {
            _experiment?.Dispose();
            model.Dispose();
            _runtime = null;
            throw new RequestException(e.Message);
        }
        _presenter = new StopPresenter(_runtime, _variables, ListingSource);
        _evaluator = new EvaluationPresenter(_runtime, _variables);
        _runtime.Stopped += OnStopped;
        _runtime.TokenGenerated += t => Output(t.TextDelta, "stdout");
        _experiment?.ReportExpectationsAtEnd(_runtime, text => Output(text, "console"));
        _runtime.Ended += OnEnded;
        var c = model.Config;
        Output($"{c.Name}: {c.Family}, {c.Layers} layers, {c.Heads} heads, d_model {c.DModel}, weights {c.StoredDType}, {threads} thread(s)\n" +
               $"listing: {_listingPath}\nprompt: {_runtime.PromptTokenIds.Count} token(s): {Engine.Tokenization.TokenDisplay.Render(model.Tokenizer, _runtime.PromptTokenIds)}\n", "console");
        ctx.AfterResponse(() => _server.SendEvent(EventNames.Initialized));
        return Task.FromResult<object?>(null);
    }

    SetBreakpointsResponseBody SetBreakpoints(SetBreakpointsArguments a)
    {
        var runtime = Runtime();
        var requests = a.Breakpoints?.Select(b => new BreakpointRequest((int)b.Line, null, b.Condition, b.HitCondition)).ToList()
                       ?? a.Lines?.Select(l => new BreakpointRequest((int)l, null, null, null)).ToList() ?? [];
        if (_experiment?.IsSource(a.Source) == true) return SetExperimentBreakpoints(a);
        if (!IsListing(a.Source))
            return new SetBreakpointsResponseBody
            {
                Breakpoints = requests.Select(r => new DapBreakpoint { Verified = false, Line = r.Line, Message = $"breakpoints go in the forward listing ({_listingPath}) or by hook name (function breakpoints)" }).ToList(),
            };
        return new SetBreakpointsResponseBody { Breakpoints = runtime.Breakpoints.SetLineBreakpoints(requests).Select(ToDap).ToList() };
    }

    SetFunctionBreakpointsResponseBody SetFunctionBreakpoints(SetFunctionBreakpointsArguments a)
    {
        _functionRequests = a.Breakpoints.Select(b => new BreakpointRequest(null, b.Name, b.Condition, b.HitCondition)).ToList();
        return new SetFunctionBreakpointsResponseBody { Breakpoints = ApplyFunctionBreakpoints().Take(_functionRequests.Count).Select(ToDap).ToList() };
    }

    /// <summary>The client's function breakpoints plus the experiment's (break lines, gutter breakpoints on its hook lines).</summary>
    IReadOnlyList<Engine.Runtime.Breakpoints.Breakpoint> ApplyFunctionBreakpoints() =>
        Runtime().Breakpoints.SetFunctionBreakpoints(_functionRequests.Concat(_experiment?.Requests ?? []));

    SetBreakpointsResponseBody SetExperimentBreakpoints(SetBreakpointsArguments a)
    {
        var bound = _experiment!.SetGutter(a.Breakpoints?.Select(b => ((int)b.Line, b.Condition, b.HitCondition)) ?? a.Lines?.Select(l => ((int)l, (string?)null, (string?)null)) ?? []);
        var created = ApplyFunctionBreakpoints().Skip(_functionRequests.Count + _experiment.BreakLineCount).ToList();
        int next = 0;
        var source = new Source { Name = Path.GetFileName(_experiment.File.Path), Path = _experiment.File.Path };
        return new SetBreakpointsResponseBody
        {
            Breakpoints = bound.Select(b => b.Hook is null
                ? new DapBreakpoint { Verified = false, Line = b.Line, Message = b.Why, Reason = "failed" }
                : created[next++] is var bp ? new DapBreakpoint { Id = bp.Id, Verified = bp.Verified, Line = b.Line, Source = source, Message = bp.Message ?? $"stops at {b.Hook}", Reason = bp.Verified ? null : "failed" } : null!).ToList(),
        };
    }

    SetExceptionBreakpointsResponseBody SetExceptionBreakpoints(SetExceptionBreakpointsArguments a)
    {
        bool on = a.Filters.Contains(NonFiniteFilter) || a.FilterOptions?.Any(f => f.FilterId == NonFiniteFilter) == true;
        Runtime().Breakpoints.StopOnNonFinite = on;
        return new SetExceptionBreakpointsResponseBody { Breakpoints = on ? [new DapBreakpoint { Verified = true }] : [] };
    }

    DapBreakpoint ToDap(Engine.Runtime.Breakpoints.Breakpoint bp) => new()
    {
        Id = bp.Id, Verified = bp.Verified, Line = bp.Line, Message = bp.Message, Source = bp.Verified ? ListingSource() : null,
        Reason = bp.Verified ? null : "failed",
    };

    StackTraceResponseBody StackTrace(StackTraceArguments a)
    {
        var frames = _presenter!.Frames(Stopped());
        int start = (int)(a.StartFrame ?? 0);
        int levels = a.Levels is > 0 ? (int)a.Levels : frames.Count;
        return new StackTraceResponseBody { StackFrames = frames.Skip(start).Take(levels).ToList(), TotalFrames = frames.Count };
    }

    ScopesResponseBody Scopes(ScopesArguments a)
    {
        var stop = Stopped();
        if (!_presenter!.Frames(stop).Any(f => f.Id == a.FrameId))
            throw new RequestException($"frameId {a.FrameId} is not a frame of this stop (see stackTrace)");
        var scopes = _presenter.Scopes(stop, a.FrameId);
        if (_experiment is not null && a.FrameId == _presenter.Frames(stop)[0].Id)   // on the top frame only
            scopes.AddRange(_experiment.Scopes(stop, _variables));
        return new ScopesResponseBody { Scopes = scopes };
    }

    VariablesResponseBody Variables(VariablesArguments a)
    {
        Stopped();
        var container = _variables.Get(a.VariablesReference)
            ?? throw new RequestException($"variablesReference {a.VariablesReference} is not valid at this stop (values are only kept while stopped)");
        if (a.Filter == "named") return new VariablesResponseBody();
        if (a.Start < 0) throw new RequestException($"variables: 'start' must be 0 or more (got {a.Start})");
        int start = (int)(a.Start ?? 0);
        int count = a.Count is > 0 ? (int)a.Count : container.Count;
        return new VariablesResponseBody { Variables = container.Children(start, count).ToList() };
    }

    EvaluateResponseBody Evaluate(EvaluateArguments a)
    {
        var stop = _runtime?.CurrentStop
            ?? throw new RequestException(_runtime is null ? "no model is running" : "expressions can be evaluated only while stopped");
        return _evaluator!.Evaluate(a.Expression, stop, StopPresenter.LayerOfFrame(stop, a.FrameId));
    }

    Task<object?> Resume(RequestContext ctx, StepKind kind, object? body = null)
    {
        var runtime = Runtime();
        if (runtime.CurrentStop is null) throw RequestException.NotStopped(ctx.Request.Command);
        ctx.AfterResponse(() => { _variables.Reset(); runtime.Resume(kind); });
        return Task.FromResult(body);
    }

    SourceResponseBody Source(SourceArguments a)
    {
        var runtime = Runtime();
        if (a.SourceReference != 0 && a.SourceReference != 1 && !IsListing(a.Source))
            throw new RequestException($"unknown source reference {a.SourceReference}");
        return new SourceResponseBody { Content = runtime.Listing.Text, MimeType = "text/plain" };
    }

    ExceptionInfoResponseBody ExceptionInfo()
    {
        var stop = Stopped();
        return new ExceptionInfoResponseBody
        {
            ExceptionId = stop.Reason == StopReason.Exception ? NonFiniteFilter : "none",
            Description = stop.Description ?? "",
            BreakMode = "always",
        };
    }

    void OnStopped(StopInfo stop)
    {
        _variables.Reset();
        string reason = stop.Reason switch
        {
            StopReason.Entry => StoppedEventReasons.Entry,
            StopReason.Breakpoint => StoppedEventReasons.Breakpoint,
            StopReason.Exception => StoppedEventReasons.Exception,
            StopReason.Pause => StoppedEventReasons.Pause,
            _ => StoppedEventReasons.Step,
        };
        _server.SendEvent(EventNames.Stopped, new StoppedEventBody
        {
            Reason = reason, ThreadId = ThreadId, AllThreadsStopped = true, Description = stop.Description ?? $"{reason} at {stop.Location.Name}",
            Text = stop.Description, HitBreakpointIds = stop.HitBreakpointIds.Count > 0 ? stop.HitBreakpointIds.ToList() : null,
        });
    }

    void OnEnded(SessionEnd end)
    {
        Output($"\n[{end.Reason}]\n", end.IsError ? "stderr" : "console");
        lock (this)
        {
            if (_ended) return;
            _ended = true;
        }
        _server.SendEvent(EventNames.Exited, new ExitedEventBody { ExitCode = end.IsError ? 1 : 0 });
        _server.SendEvent(EventNames.Terminated, new TerminatedEventBody());
    }

    void EndSession()
    {
        _variables.Reset();
        _runtime?.Terminate();
        _runtime?.Model.Dispose();
        _experiment?.Dispose();
    }

    void Output(string text, string category) =>
        _server.SendEvent(EventNames.Output, new OutputEventBody { Output = text, Category = category });

    bool IsListing(Source? s) =>
        s is not null && (s.SourceReference == 1 ||
                          (s.Path is { } p && (PathEquals(p, _listingPath) || p.EndsWith(ForwardListing.FileExtension, StringComparison.OrdinalIgnoreCase))));

    static bool PathEquals(string a, string? b) => b is not null && Path.GetFullPath(a) == Path.GetFullPath(b);

    Source ListingSource() => new() { Name = Path.GetFileName(_listingPath), Path = _listingPath };

    DebugRuntime Runtime() => _runtime ?? throw new RequestException("no model is loaded: send 'launch' first");

    StopInfo Stopped() => _runtime?.CurrentStop ?? throw new RequestException("not stopped");
}
