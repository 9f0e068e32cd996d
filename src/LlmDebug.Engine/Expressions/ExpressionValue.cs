using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Expressions;

public enum ExpressionValueKind { Scalar, Bool, Tensor, TopK, Shape }

/// <summary>One entry of a top-k result: position along the last dimension and its value.</summary>
public readonly record struct TopKEntry(long Index, double Value);

/// <summary>
/// Result of evaluating an expression: a scalar (double), a bool, a tensor, a top-k result
/// (values + indices) or a shape. A value returned by <see cref="Expression.Evaluate(string, IExpressionContext)"/>
/// owns its tensors — they were moved out of the evaluation's dispose scope (into the caller's
/// scope if there is one) — and <see cref="Dispose"/> frees them. Tensors are never the context's own
/// objects: a bare hook name yields an alias (a new handle sharing storage), so disposing it is safe.
/// </summary>
public sealed class ExpressionValue : IDisposable
{
    private const int DefaultPreviewCount = 8;

    private readonly double _scalar;
    private readonly bool _bool;
    private readonly Tensor? _tensor;
    private readonly Tensor? _indices;
    private readonly long[]? _shape;

    private ExpressionValue(ExpressionValueKind kind, double scalar = 0, bool flag = false,
        Tensor? tensor = null, Tensor? indices = null, long[]? shape = null)
    {
        Kind = kind;
        _scalar = scalar;
        _bool = flag;
        _tensor = tensor;
        _indices = indices;
        _shape = shape;
    }

    public static ExpressionValue FromScalar(double value) => new(ExpressionValueKind.Scalar, scalar: value);
    public static ExpressionValue FromBool(bool value) => new(ExpressionValueKind.Bool, flag: value);
    public static ExpressionValue FromTensor(Tensor tensor) =>
        new(ExpressionValueKind.Tensor, tensor: tensor ?? throw new ArgumentNullException(nameof(tensor)));
    public static ExpressionValue FromTopK(Tensor values, Tensor indices) =>
        new(ExpressionValueKind.TopK, tensor: values ?? throw new ArgumentNullException(nameof(values)),
            indices: indices ?? throw new ArgumentNullException(nameof(indices)));
    public static ExpressionValue FromShape(IEnumerable<long> shape) =>
        new(ExpressionValueKind.Shape, shape: shape.ToArray());

    public ExpressionValueKind Kind { get; }

    public double Scalar => Kind == ExpressionValueKind.Scalar ? _scalar : throw WrongKind(ExpressionValueKind.Scalar);
    public bool Bool => Kind == ExpressionValueKind.Bool ? _bool : throw WrongKind(ExpressionValueKind.Bool);
    public Tensor Tensor => Kind == ExpressionValueKind.Tensor ? _tensor! : throw WrongKind(ExpressionValueKind.Tensor);
    /// <summary>Top-k values, shape [..., k].</summary>
    public Tensor TopKValues => Kind == ExpressionValueKind.TopK ? _tensor! : throw WrongKind(ExpressionValueKind.TopK);
    /// <summary>Top-k indices along the last dimension (int64), shape [..., k].</summary>
    public Tensor TopKIndices => Kind == ExpressionValueKind.TopK ? _indices! : throw WrongKind(ExpressionValueKind.TopK);
    public IReadOnlyList<long> Shape => Kind == ExpressionValueKind.Shape ? _shape! : throw WrongKind(ExpressionValueKind.Shape);

    /// <summary>
    /// Truthiness for breakpoint conditions. Scalar: non-zero (NaN counts as true, like Python).
    /// Bool: itself. Tensor: <b>any</b> semantics — true when at least one element is non-zero/true
    /// (so <c>abs(hook_resid_post) &gt; 100</c> holds when any element exceeds 100); an empty tensor is false.
    /// A top-k result or a shape is not a condition and throws <see cref="ExpressionException"/>.
    /// </summary>
    public bool IsTruthy
    {
        get
        {
            switch (Kind)
            {
                case ExpressionValueKind.Scalar: return _scalar != 0;
                case ExpressionValueKind.Bool: return _bool;
                case ExpressionValueKind.Tensor:
                    try
                    {
                        using var scope = NewDisposeScope();
                        return _tensor!.numel() > 0 && _tensor.ne(0).any().item<bool>();
                    }
                    catch (Exception ex)
                    {
                        throw new ExpressionException($"cannot test the tensor as a condition: {Evaluator.FirstLine(ex.Message)}", 0, ex);
                    }
                default:
                    throw new ExpressionException(
                        $"a {KindName(Kind)} cannot be used as a condition; compare it or index it first", 0);
            }
        }
    }

    /// <summary>
    /// Top-k entries grouped by row: leading dimensions are flattened, so a 1-D input gives one row
    /// and logits of shape [pos, vocab] give one row per position. Values are converted to double.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<TopKEntry>> TopKRows()
    {
        var values = TopKValues;
        using var scope = NewDisposeScope();
        long k = values.dim() == 0 ? 1 : values.shape[^1];
        var flatValues = values.to_type(ScalarType.Float64).reshape(-1).data<double>().ToArray();
        var flatIndices = TopKIndices.to_type(ScalarType.Int64).reshape(-1).data<long>().ToArray();
        var rows = new List<IReadOnlyList<TopKEntry>>();
        for (long start = 0; start < flatValues.Length; start += k)
        {
            var row = new List<TopKEntry>();
            for (long j = start; j < start + k && j < flatValues.Length; j++)
                row.Add(new TopKEntry(flatIndices[j], flatValues[j]));
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// One-line display. Scalar: <c>0.1234</c> (6 significant digits, invariant culture); bool:
    /// <c>true</c>; shape: <c>[12, 768]</c>; tensor: <paramref name="tensorSummary"/> if given, else
    /// shape, dtype and the first few values; top-k on a 1-D input: <c>topk: {7: 0.5, 3: 0.25}</c>
    /// (index: value), otherwise the values and indices tensors summarized.
    /// </summary>
    public string Format(Func<Tensor, string>? tensorSummary = null)
    {
        var summarize = tensorSummary ?? (t => DefaultSummary(t));
        switch (Kind)
        {
            case ExpressionValueKind.Scalar: return FormatNumber(_scalar);
            case ExpressionValueKind.Bool: return _bool ? "true" : "false";
            case ExpressionValueKind.Shape: return "[" + string.Join(", ", _shape!) + "]";
            case ExpressionValueKind.Tensor: return summarize(_tensor!);
            default:
                if (_tensor!.dim() == 1)
                {
                    var entries = TopKRows()[0].Select(e => $"{e.Index}: {FormatNumber(e.Value)}");
                    return "topk: {" + string.Join(", ", entries) + "}";
                }
                return $"topk: values {summarize(_tensor)}; indices {summarize(_indices!)}";
        }
    }

    public override string ToString() => Format();

    /// <summary>Shape, dtype and the first <paramref name="previewCount"/> elements in row-major order.</summary>
    public static string DefaultSummary(Tensor tensor, int previewCount = DefaultPreviewCount)
    {
        using var scope = NewDisposeScope();
        var sb = new StringBuilder();
        sb.Append("tensor[").Append(string.Join(", ", tensor.shape)).Append("] ")
          .Append(tensor.dtype.ToString().ToLowerInvariant());
        long n = tensor.numel();
        long shown = Math.Min(n, previewCount);
        var flat = tensor.reshape(-1).narrow(0, 0, shown).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        bool isBool = tensor.dtype == ScalarType.Bool;
        sb.Append(" [")
          .Append(string.Join(", ", flat.Select(v => isBool ? (v != 0 ? "true" : "false") : FormatNumber(v))));
        if (n > shown) sb.Append(", …");
        sb.Append(']');
        return sb.ToString();
    }

    public static string FormatNumber(double value) =>
        value.ToString("G6", CultureInfo.InvariantCulture).Replace("E", "e");

    public void Dispose()
    {
        _tensor?.Dispose();
        _indices?.Dispose();
    }

    internal static string KindName(ExpressionValueKind kind) => kind switch
    {
        ExpressionValueKind.Scalar => "number",
        ExpressionValueKind.Bool => "bool",
        ExpressionValueKind.Tensor => "tensor",
        ExpressionValueKind.TopK => "topk result",
        _ => "shape",
    };

    private InvalidOperationException WrongKind(ExpressionValueKind wanted) =>
        new($"expression value is a {KindName(Kind)}, not a {KindName(wanted)}");
}
