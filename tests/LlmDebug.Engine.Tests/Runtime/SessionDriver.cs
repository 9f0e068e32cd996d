using System.Collections.Concurrent;
using LlmDebug.Engine.Runtime;
using Xunit.Sdk;

namespace LlmDebug.Engine.Tests.Runtime;

/// <summary>A stop as a test sees it (StopInfo itself is only valid until execution resumes).</summary>
public sealed record Stop(StopReason Reason, int Step, string Location, string? Description = null)
{
    public override string ToString() => $"{Reason}@{Step}:{Location}" + (Description is null ? "" : $" ({Description})");
}

/// <summary>
/// Drives a <see cref="DebugRuntime"/> the way a front end does: its events arrive on the generation thread and are
/// queued; the test thread takes them with a timeout and resumes. A runtime bug fails the test instead of hanging it.
/// </summary>
public sealed class SessionDriver : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly BlockingCollection<object> _events = new();
    private readonly List<GeneratedToken> _tokens = [];

    public DebugRuntime Runtime { get; }
    public List<Stop> Stops { get; } = [];
    public SessionEnd? End { get; private set; }
    public IReadOnlyList<GeneratedToken> Tokens { get { lock (_tokens) return _tokens.ToList(); } }

    /// <param name="setup">Runs before the generation thread starts: set breakpoints, subscribe to events.</param>
    public SessionDriver(LoadedModel model, LaunchOptions options, Action<DebugRuntime>? setup = null)
    {
        Runtime = new DebugRuntime(model, options);
        Runtime.Stopped += s => _events.Add(s);
        Runtime.TokenGenerated += t => { lock (_tokens) _tokens.Add(t); };
        Runtime.Ended += e => _events.Add(e);
        setup?.Invoke(Runtime);
        Runtime.Start();
    }

    /// <summary>Waits for the next stop; fails if the session ends instead or nothing happens in time.</summary>
    public StopInfo NextStop()
    {
        var e = Next();
        if (e is SessionEnd end) throw new XunitException($"expected a stop, but the session ended: {end.Reason} (stops so far: {string.Join(", ", Stops)})");
        var stop = (StopInfo)e;
        Stops.Add(new Stop(stop.Reason, stop.Step, stop.Location.Name, stop.Description));
        return stop;
    }

    /// <summary>Waits for the session to end; fails if it stops instead.</summary>
    public SessionEnd WaitForEnd()
    {
        var e = Next();
        if (e is StopInfo stop) throw new XunitException($"expected the session to end, but it stopped at {stop.Location.Name} ({stop.Reason}, step {stop.Step})");
        return End = (SessionEnd)e;
    }

    /// <summary>Resumes with <paramref name="kind"/> at every stop until the session ends; returns the stops.</summary>
    public List<Stop> RunToEnd(StepKind kind = StepKind.Continue, int maxStops = 500)
    {
        while (true)
        {
            var e = Next();
            if (e is SessionEnd end) { End = end; return Stops; }
            var stop = (StopInfo)e;
            Stops.Add(new Stop(stop.Reason, stop.Step, stop.Location.Name, stop.Description));
            if (Stops.Count > maxStops) throw new XunitException($"more than {maxStops} stops");
            Runtime.Resume(kind);
        }
    }

    /// <summary>Resumes with <paramref name="kind"/> and returns where execution stops next.</summary>
    public Stop Step(StepKind kind)
    {
        Runtime.Resume(kind);
        NextStop();
        return Stops[^1];
    }

    private object Next()
    {
        if (_events.TryTake(out var e, Timeout)) return e;
        Runtime.Terminate(TimeSpan.FromSeconds(2));
        throw new XunitException($"nothing happened within {Timeout.TotalSeconds} s (stops so far: {string.Join(", ", Stops)})");
    }

    public void Dispose()
    {
        Runtime.Dispose();
        _events.Dispose();
    }
}
