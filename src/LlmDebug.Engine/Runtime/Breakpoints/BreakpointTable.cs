using LlmDebug.Engine.Listing;

namespace LlmDebug.Engine.Runtime.Breakpoints;

/// <summary>What the user asked to set on a listing line or by name (mirrors DAP's SourceBreakpoint/FunctionBreakpoint).</summary>
public sealed record BreakpointRequest(int? Line, string? Name, string? Condition, string? HitCondition);

/// <summary>
/// All breakpoints of a session. Each set* call replaces the previous set of its kind, as DAP requires.
/// Read by the generation thread at every stop location, written by the protocol thread: guarded by a lock.
/// </summary>
public sealed class BreakpointTable(ExecutionPlan plan, ForwardListing listing)
{
    private readonly object _gate = new();
    private List<Breakpoint> _line = [], _function = [];
    private Dictionary<int, List<Breakpoint>> _byOrdinal = new();
    private int _nextId = 1;

    /// <summary>Stop at the first hook point whose activation holds NaN or ±Inf.</summary>
    public bool StopOnNonFinite { get; set; }

    public IReadOnlyList<Breakpoint> SetLineBreakpoints(IEnumerable<BreakpointRequest> requests)
    {
        var created = requests.Select(r => Create(r, line: true)).ToList();
        lock (_gate) { _line = created; Reindex(); }
        return created;
    }

    public IReadOnlyList<Breakpoint> SetFunctionBreakpoints(IEnumerable<BreakpointRequest> requests)
    {
        var created = requests.Select(r => Create(r, line: false)).ToList();
        lock (_gate) { _function = created; Reindex(); }
        return created;
    }

    public IReadOnlyList<Breakpoint> At(ForwardLocation location)
    {
        lock (_gate) return _byOrdinal.TryGetValue(location.Ordinal, out var list) ? list.ToList() : [];
    }

    Breakpoint Create(BreakpointRequest r, bool line)
    {
        IReadOnlyList<ForwardLocation> locations = [];
        string? error = null;
        if (line)
        {
            var loc = r.Line is int l ? listing.NearestLocationAtOrAfter(l) : null;
            if (loc is null) error = $"line {r.Line} is past the last line of the listing";
            else locations = [loc];
        }
        else locations = FunctionBreakpointResolver.Resolve(r.Name ?? "", plan, out error);

        HitCondition? hit = null;
        if (!string.IsNullOrWhiteSpace(r.HitCondition))
        {
            try { hit = HitCondition.Parse(r.HitCondition); }
            catch (FormatException e) { error = e.Message; }
        }
        var bp = new Breakpoint
        {
            Id = Interlocked.Increment(ref _nextId) - 1,
            Locations = error is null ? locations : [],
            Condition = string.IsNullOrWhiteSpace(r.Condition) ? null : r.Condition,
            HitCondition = hit,
            Message = error,
        };
        bp.Line = bp.Locations.Count > 0 ? listing.LineOf(bp.Locations[0]) : r.Line;
        return bp;
    }

    void Reindex() =>
        _byOrdinal = _line.Concat(_function)
            .SelectMany(bp => bp.Locations.Select(loc => (loc.Ordinal, bp)))
            .GroupBy(p => p.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.bp).ToList());
}
