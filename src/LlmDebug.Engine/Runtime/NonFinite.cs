using TorchSharp;

namespace LlmDebug.Engine.Runtime;

/// <summary>Detects NaN and ±Inf in an activation (for the "nonfinite" exception breakpoint and summaries).</summary>
public static class NonFinite
{
    /// <summary>Null when every element is finite, else e.g. "3 NaN, 1 +Inf".</summary>
    public static string? Describe(torch.Tensor value)
    {
        using var scope = torch.NewDisposeScope();
        if (value.isfinite().all().item<bool>()) return null;
        long nan = value.isnan().sum().item<long>();
        long posInf = value.isposinf().sum().item<long>();
        long negInf = value.isneginf().sum().item<long>();
        var parts = new List<string>();
        if (nan > 0) parts.Add($"{nan} NaN");
        if (posInf > 0) parts.Add($"{posInf} +Inf");
        if (negInf > 0) parts.Add($"{negInf} -Inf");
        return string.Join(", ", parts);
    }
}
