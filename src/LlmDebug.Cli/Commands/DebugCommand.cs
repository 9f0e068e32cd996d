using LlmDebug.Engine.Expressions;
using LlmDebug.Engine.Inspection;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Runtime.Breakpoints;

namespace LlmDebug.Cli.Commands;

/// <summary>
/// <c>llmdebug debug</c>: the debugger, scripted. Sets the --break points, runs generation, and at every stop
/// prints where it is and the --print expressions. An expression whose hook has not run yet in this token step is
/// printed as soon as it has (the command steps hook by hook until then), so
/// <c>--break blocks.11 --print blocks.11.attn.hook_pattern</c> shows layer 11's pattern of every step.
/// </summary>
static class DebugCommand
{
    public static int Run(CliArguments args)
    {
        CheckBeforeLoading(args);
        using var model = ModelSession.Load(args);
        DebugRuntime runtime;
        try
        {
            runtime = new DebugRuntime(model, new LaunchOptions
            {
                Prompt = args.Get("prompt") ?? "",
                MaxNewTokens = args.Int("tokens", 3),
                Temperature = args.Double("temperature", 0),
                TopK = args.Int("top-k", 0),
                Seed = args.Int("seed", 0),
                Capture = args.Get("capture"),
            });
        }
        catch (Exception e) when (e is LaunchException or ArgumentException) { throw new CliException(e.Message); }

        using (runtime)
        {
            IStopPrinter printer = args.Has("json") ? new JsonStopPrinter(runtime) : new TextStopPrinter(runtime);
            var breaks = runtime.Breakpoints.SetFunctionBreakpoints(args.All("break").Select(b => new BreakpointRequest(null, b, args.Get("condition"), null)));
            foreach (var bad in breaks.Where(b => !b.Verified)) throw new CliException($"--break: {bad.Message}");
            runtime.Breakpoints.StopOnNonFinite = args.Has("nonfinite");

            var prints = args.All("print");
            var pending = new List<string>();
            int pendingStep = -1;
            SessionEnd? end = null;
            runtime.Stopped += stop =>
            {
                if (stop.Reason != StopReason.Step || pending.Count == 0) { printer.Stop(stop); pending.Clear(); pendingStep = stop.Step; }
                foreach (var expr in (pending.Count > 0 ? pending.ToList() : prints))
                {
                    if (TryEvaluate(expr, stop, printer, out bool notYet)) pending.Remove(expr);
                    else if (notYet && !pending.Contains(expr)) pending.Add(expr);
                }
                runtime.Resume(pending.Count > 0 && stop.Step == pendingStep ? StepKind.StepIn : StepKind.Continue);
            };
            runtime.TokenGenerated += token =>
            {
                foreach (var expr in pending) printer.Error(expr, $"not computed in token step {token.Step}");
                pending.Clear();
                printer.Token(token);
            };
            runtime.Ended += e => end = e;
            printer.Start();
            runtime.Start();
            runtime.WaitForExit();
            printer.End(end!);
            return end!.IsError ? 1 : 0;
        }
    }

    /// <summary>Mistakes that need no model are reported before the (slow) load, not at the first stop.</summary>
    static void CheckBeforeLoading(CliArguments args)
    {
        if (args.Int("tokens", 3) < 1) throw new CliException("--tokens must be at least 1");
        if (args.Double("temperature", 0) < 0) throw new CliException("--temperature must be 0 (greedy) or positive");
        foreach (var (option, expr) in args.All("print").Select(e => ("--print", e)).Concat(args.All("condition").Select(e => ("--condition", e))))
        {
            try { Expression.Parse(expr); }
            catch (ExpressionException e) { throw new CliException($"{option} '{expr}': {e.Message}"); }
        }
    }

    static bool TryEvaluate(string expr, StopInfo stop, IStopPrinter printer, out bool notYet)
    {
        notYet = false;
        try
        {
            using var value = Expression.Evaluate(expr, new StopExpressionContext(stop));
            printer.Value(expr, value, stop);
            return true;
        }
        catch (ExpressionException e) when (e.Message.Contains("has not run yet"))
        {
            notYet = true;
            return false;
        }
        catch (ExpressionException e)
        {
            printer.Error(expr, e.Message);
            return true;
        }
    }
}
