namespace LlmDebug.Engine.Runtime.Breakpoints;

/// <summary>
/// A breakpoint bound to one or more stop locations. Line breakpoints bind to the listing line's location;
/// function breakpoints bind by hook name and may match a hook in every layer.
/// </summary>
public sealed class Breakpoint
{
    public required int Id { get; init; }
    public required IReadOnlyList<ForwardLocation> Locations { get; init; }
    public string? Condition { get; init; }
    public HitCondition? HitCondition { get; init; }
    /// <summary>Set when the breakpoint could not be bound; the user sees why.</summary>
    public string? Message { get; init; }
    public bool Verified => Locations.Count > 0 && Message is null;
    /// <summary>Listing line it is shown on (the first bound location's line for function breakpoints).</summary>
    public int? Line { get; set; }
    public int Hits { get; set; }
    /// <summary>Its condition failed to evaluate and the user was shown why (once; afterwards it counts as false).</summary>
    public bool ConditionErrorShown { get; set; }
}
