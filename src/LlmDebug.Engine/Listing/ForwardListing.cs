using System.Text;
using LlmDebug.Engine.Models;
using LlmDebug.Engine.Runtime;

namespace LlmDebug.Engine.Listing;

/// <summary>
/// The forward pass rendered as a program: a header, a "step" line that stands for one token step, then one
/// line per stop location with every layer unrolled. It is the debug source: frames point at its lines and
/// breakpoints are set on them. Lines are 1-based, as editors count them.
/// </summary>
public sealed class ForwardListing
{
    public const string FileExtension = ".llmlisting";
    public string Text { get; }
    public int StepLine { get; }
    public string ModelName { get; }
    private readonly int[] _lineOfOrdinal;
    private readonly Dictionary<int, ForwardLocation> _locationOfLine = new();

    public ForwardListing(ModelConfig config, ExecutionPlan plan)
    {
        ModelName = config.Name;
        var text = new StringBuilder();
        int line = 0;
        void Line(string s) { text.Append(s).Append('\n'); line++; }

        Line($"# {config.Name} — forward listing ({config.Family})");
        Line($"# layers {config.Layers} · heads {config.Heads} · d_model {config.DModel} · d_head {config.DHead} · d_mlp {config.DMlp} · context {config.ContextLength} · vocab {config.VocabSize} · weights {config.StoredDType}");
        Line("# One token step runs every line below: the first step reads the whole prompt (seq = prompt length),");
        Line("# each later step reads the one token generated before it (seq = 1, keys = all positions so far).");
        Line("");
        Line("step:");
        StepLine = line;
        _lineOfOrdinal = new int[plan.Locations.Count];
        int nameWidth = plan.Locations.Max(l => l.Name.Length) + 4;
        foreach (var loc in plan.Locations)
        {
            string indent = new(' ', 2 * loc.Depth);
            if (loc.Kind == ForwardLocationKind.BlockStart)
                Line($"{indent}blocks.{loc.Layer}:");
            else
                Line($"{indent}{loc.Hook!.Name.PadRight(nameWidth - indent.Length + 2)}{loc.Hook.Shape,-22} # {loc.Hook.Description}");
            _lineOfOrdinal[loc.Ordinal] = line;
            _locationOfLine[line] = loc;
        }
        Text = text.ToString();
        LineCount = line;
    }

    public int LineCount { get; }

    public int LineOf(ForwardLocation location) => _lineOfOrdinal[location.Ordinal];

    /// <summary>The location on <paramref name="line"/>, or null for header/blank/step lines.</summary>
    public ForwardLocation? LocationAt(int line) => _locationOfLine.GetValueOrDefault(line);

    /// <summary>
    /// The location a breakpoint on <paramref name="line"/> binds to: the line itself if it is a location,
    /// else the next location below it (as debuggers move a breakpoint on a blank line to the next statement).
    /// </summary>
    public ForwardLocation? NearestLocationAtOrAfter(int line)
    {
        for (int l = Math.Max(line, 1); l <= LineCount; l++)
            if (_locationOfLine.TryGetValue(l, out var loc)) return loc;
        return null;
    }

    /// <summary>Default file name for writing the listing next to a workspace, never inside the model folder.</summary>
    public string DefaultFileName => $"{ModelName}{FileExtension}";

    /// <summary>True when <paramref name="text"/> was produced for the same model (its first line matches).</summary>
    public bool Describes(string text) => text.Split('\n', 2)[0] == Text.Split('\n', 2)[0];
}
