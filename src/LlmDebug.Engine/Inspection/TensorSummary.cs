using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Inspection;

/// <summary>
/// The one-line value of a tensor shown everywhere (Variables pane, watches, CLI): dtype and shape, then
/// min/max/mean/L2 norm, and NaN/Inf counts when present — never the whole tensor.
/// Example: <c>f32[4,7,7] min 0 max 1 mean 0.143 ‖x‖ 5.29</c>.
/// </summary>
public static class TensorSummary
{
    public static string Format(Tensor t)
    {
        using var scope = NewDisposeScope();
        string head = $"{DTypeName(t.dtype)}[{string.Join(",", t.shape)}]";
        if (t.numel() == 0) return head + " (empty)";
        var x = t.to_type(ScalarType.Float64);
        if (t.numel() == 1) return $"{head} {Number(x.item<double>())}";
        var finite = x.isfinite();
        long nonFinite = t.numel() - finite.sum().item<long>();
        var values = nonFinite > 0 ? x.masked_select(finite) : x;
        string stats = values.numel() == 0
            ? "no finite values"
            : $"min {Number(values.min().item<double>())} max {Number(values.max().item<double>())} " +
              $"mean {Number(values.mean().item<double>())} ‖x‖ {Number(values.norm().item<double>())}";
        if (nonFinite > 0)
        {
            long nan = x.isnan().sum().item<long>(), inf = nonFinite - nan;
            stats += (nan > 0 ? $" NaN×{nan}" : "") + (inf > 0 ? $" Inf×{inf}" : "");
        }
        return $"{head} {stats}";
    }

    public static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "f32", ScalarType.Float16 => "f16", ScalarType.BFloat16 => "bf16", ScalarType.Float64 => "f64",
        ScalarType.Int64 => "i64", ScalarType.Int32 => "i32", ScalarType.Bool => "bool", _ => t.ToString().ToLowerInvariant(),
    };

    /// <summary>Numbers as people read them: 4 significant digits, invariant culture.</summary>
    public static string Number(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf"
        : v == Math.Floor(v) && Math.Abs(v) < 1e7 ? v.ToString("0", CultureInfo.InvariantCulture)
        : v.ToString("G4", CultureInfo.InvariantCulture);
}
