using System.Text.RegularExpressions;
using LlmDebug.Engine.Hooks;

namespace LlmDebug.Engine.Runtime.Breakpoints;

/// <summary>
/// Turns what a user types as a function breakpoint into stop locations:
/// <c>11</c>, <c>layer 11</c>, <c>blocks.11</c> → the start of block 11;
/// <c>blocks.11.attn</c>, <c>blocks.11.mlp</c> → the first hook of that sublayer;
/// a full hook name → that hook; a name relative to a block (<c>attn.hook_pattern</c>, <c>hook_resid_post</c>,
/// <c>attn</c>) → that place in every layer.
/// </summary>
public static partial class FunctionBreakpointResolver
{
    public static IReadOnlyList<ForwardLocation> Resolve(string name, ExecutionPlan plan, out string? error)
    {
        error = null;
        string n = name.Trim();
        var layerOnly = LayerOnly().Match(n);
        if (layerOnly.Success)
        {
            if (LayerIndex(layerOnly.Groups[1].Value, plan) is int layer) return [plan.BlockStart(layer)];
            error = $"layer {layerOnly.Groups[1].Value} does not exist: this model has layers 0…{plan.Layers - 1}";
            return [];
        }
        if (plan.AtHook(n) is { } exact) return [exact];

        var inBlock = BlockPrefix().Match(n);
        if (inBlock.Success)
        {
            if (LayerIndex(inBlock.Groups[1].Value, plan) is not int layer)
            {
                error = $"layer {inBlock.Groups[1].Value} does not exist: this model has layers 0…{plan.Layers - 1}";
                return [];
            }
            var found = FirstHookUnder(plan.Layout.Blocks[layer], inBlock.Groups[2].Value, plan);
            if (found is not null) return [found];
        }
        else
        {
            var everyLayer = plan.Layout.Blocks
                .Select(block => FirstHookUnder(block, n, plan))
                .OfType<ForwardLocation>()
                .ToList();
            if (everyLayer.Count > 0) return everyLayer;
        }
        error = $"no hook point '{n}'. Try a layer (11, layer 11, blocks.11), a sublayer (blocks.11.attn), " +
                $"a hook (blocks.11.attn.hook_pattern) or a hook in every layer (attn.hook_pattern); " +
                $"hooks in a block: {string.Join(", ", plan.Layout.BlockLocalNames)}";
        return [];
    }

    /// <summary>The layer a run of digits names, or null when it is not a layer of this model (too large for an int included).</summary>
    static int? LayerIndex(string digits, ExecutionPlan plan) =>
        int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int layer) && layer < plan.Layers
            ? layer : null;

    /// <summary>The hook named <paramref name="local"/> in this block, or the first hook of the sublayer <paramref name="local"/>.</summary>
    static ForwardLocation? FirstHookUnder(IReadOnlyList<HookPoint> block, string local, ExecutionPlan plan)
    {
        var hook = block.FirstOrDefault(h => h.LocalName == local) ?? block.FirstOrDefault(h => h.LocalName.StartsWith(local + ".", StringComparison.Ordinal));
        return hook is null ? null : plan.AtHook(hook);
    }

    [GeneratedRegex(@"^(?:layer\s+|blocks\.)?(\d+)$", RegexOptions.IgnoreCase)] private static partial Regex LayerOnly();
    [GeneratedRegex(@"^blocks\.(\d+)\.(.+)$")] private static partial Regex BlockPrefix();
}
