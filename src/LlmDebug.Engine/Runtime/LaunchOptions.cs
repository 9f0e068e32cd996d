namespace LlmDebug.Engine.Runtime;

/// <summary>What to run: the same settings for the debug adapter's launch request and the CLI.</summary>
public sealed record LaunchOptions
{
    public string Prompt { get; init; } = "";
    public int MaxNewTokens { get; init; } = 3;
    /// <summary>0 = greedy.</summary>
    public double Temperature { get; init; }
    /// <summary>0 = no top-k restriction.</summary>
    public int TopK { get; init; }
    public int Seed { get; init; }
    public bool StopOnEntry { get; init; }
    /// <summary>Hook-name filter for what stays inspectable during a token step (see <see cref="CaptureFilter"/>).</summary>
    public string? Capture { get; init; }
    /// <summary>Changes to the forward pass at hook points (ablation, patching, steering), applied in this order at every token step.</summary>
    public IReadOnlyList<LlmDebug.Engine.Interventions.IIntervention> Interventions { get; init; } = [];
}
