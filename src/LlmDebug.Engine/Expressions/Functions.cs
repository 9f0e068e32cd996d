using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Expressions;

/// <summary>
/// Built-in functions. Reductions without a dim reduce over all elements and give a scalar.
/// <list type="table">
/// <item><term>max(x[, dim]) / min(x[, dim])</term><description>largest/smallest element, or values along dim</description></item>
/// <item><term>mean(x[, dim]) / sum(x[, dim])</term><description>integer/bool tensors are averaged as float64; sum of a bool tensor counts the trues</description></item>
/// <item><term>norm(x[, dim])</term><description>L2 norm of all elements, or along dim</description></item>
/// <item><term>abs(x)</term><description>element-wise absolute value</description></item>
/// <item><term>softmax(x[, dim])</term><description>softmax along the last dim by default</description></item>
/// <item><term>argmax(x[, dim])</term><description>1-D: the flat index of the largest element (a scalar);
/// N-D: indices along the last dim (a tensor of shape x.shape[:-1]); or along dim if given</description></item>
/// <item><term>topk(x, k)</term><description>k largest along the last dim, sorted descending: values and indices
/// (index the result with [0]/[1] to get either tensor)</description></item>
/// <item><term>shape(x)</term><description>the shape, indexable: shape(x)[-1]</description></item>
/// <item><term>any(x) / all(x)</term><description>whether any/all elements are non-zero (true)</description></item>
/// </list>
/// </summary>
internal static class Functions
{
    private delegate ExpressionValue Implementation(Evaluator evaluator, CallNode call, ExpressionValue[] args);

    private sealed record Function(string Signature, int MinArgs, int MaxArgs, Implementation Invoke);

    private static readonly Dictionary<string, Function> Table = new(StringComparer.Ordinal)
    {
        ["max"] = new("max(x[, dim])", 1, 2, (e, c, a) => Reduce(e, c, a, t => t.max(), (t, d) => t.max(d, false).values)),
        ["min"] = new("min(x[, dim])", 1, 2, (e, c, a) => Reduce(e, c, a, t => t.min(), (t, d) => t.min(d, false).values)),
        ["mean"] = new("mean(x[, dim])", 1, 2, (e, c, a) => Reduce(e, c, a, t => Floating(t).mean(), (t, d) => Floating(t).mean(new[] { d }, false))),
        ["sum"] = new("sum(x[, dim])", 1, 2, (e, c, a) => Reduce(e, c, a, t => t.sum(), (t, d) => t.sum(d, false))),
        ["norm"] = new("norm(x[, dim])", 1, 2, (e, c, a) => Reduce(e, c, a, t => Floating(t).norm(2f), // 2f, not 2: norm(int) is the dim overload
            (t, d) => Floating(t).norm((int)d, false, 2f))),
        ["abs"] = new("abs(x)", 1, 1, Abs),
        ["softmax"] = new("softmax(x[, dim])", 1, 2, Softmax),
        ["argmax"] = new("argmax(x[, dim])", 1, 2, Argmax),
        ["topk"] = new("topk(x, k)", 2, 2, TopK),
        ["shape"] = new("shape(x)", 1, 1, (e, c, a) => ExpressionValue.FromShape(a[0].Kind == ExpressionValueKind.Tensor ? a[0].Tensor.shape : Array.Empty<long>())),
        ["any"] = new("any(x)", 1, 1, (e, c, a) => ExpressionValue.FromBool(e.Truthy(a[0], c.Arguments[0].Position))),
        ["all"] = new("all(x)", 1, 1, All),
    };

    /// <summary>Names of the built-in functions, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Signatures such as <c>max(x[, dim])</c>, sorted by name.</summary>
    public static IReadOnlyList<string> Signatures { get; } = Names.Select(n => Table[n].Signature).ToArray();

    internal static ExpressionValue Invoke(Evaluator evaluator, CallNode call)
    {
        if (!Table.TryGetValue(call.Function, out var function))
            throw new ExpressionException(
                $"unknown function '{call.Function}'; known functions: {string.Join(", ", Signatures)}", call.Position);
        int count = call.Arguments.Count;
        if (count < function.MinArgs || count > function.MaxArgs)
        {
            string expected = function.MinArgs == function.MaxArgs
                ? $"{function.MinArgs}"
                : $"{function.MinArgs} or {function.MaxArgs}";
            throw new ExpressionException(
                $"{call.Function} takes {expected} argument{(function.MaxArgs == 1 ? "" : "s")} — {function.Signature} — but got {count}",
                call.Position);
        }

        // The dim/k arguments are integers evaluated on demand; only the first argument is evaluated eagerly.
        var args = new ExpressionValue[] { evaluator.Evaluate(call.Arguments[0]) };
        if (args[0].Kind is ExpressionValueKind.TopK or ExpressionValueKind.Shape)
            throw new ExpressionException(
                $"{call.Function} expects a tensor or number, not a {ExpressionValue.KindName(args[0].Kind)}",
                call.Arguments[0].Position);
        return function.Invoke(evaluator, call, args);
    }

    private static ExpressionValue Reduce(Evaluator evaluator, CallNode call, ExpressionValue[] args,
        Func<Tensor, Tensor> all, Func<Tensor, long, Tensor> alongDim)
    {
        var x = Evaluator.AsTensor(args[0]);
        if (call.Arguments.Count == 1) return Evaluator.Normalize(all(x));
        long dim = Dim(evaluator, call, 1, x);
        return Evaluator.Normalize(alongDim(x, dim));
    }

    private static ExpressionValue Abs(Evaluator evaluator, CallNode call, ExpressionValue[] args) => args[0].Kind switch
    {
        ExpressionValueKind.Tensor => Evaluator.Normalize(args[0].Tensor.abs()),
        ExpressionValueKind.Bool => ExpressionValue.FromScalar(args[0].Bool ? 1 : 0),
        _ => ExpressionValue.FromScalar(Math.Abs(args[0].Scalar)),
    };

    private static ExpressionValue All(Evaluator evaluator, CallNode call, ExpressionValue[] args)
    {
        if (args[0].Kind != ExpressionValueKind.Tensor)
            return ExpressionValue.FromBool(evaluator.Truthy(args[0], call.Arguments[0].Position));
        return ExpressionValue.FromBool(args[0].Tensor.ne(0).all().item<bool>());
    }

    private static ExpressionValue Softmax(Evaluator evaluator, CallNode call, ExpressionValue[] args)
    {
        var x = RequireTensor(call, args, "softmax");
        long dim = call.Arguments.Count > 1 ? Dim(evaluator, call, 1, x) : x.dim() - 1;
        return Evaluator.Normalize(Floating(x).softmax(dim));
    }

    private static ExpressionValue Argmax(Evaluator evaluator, CallNode call, ExpressionValue[] args)
    {
        var x = RequireTensor(call, args, "argmax");
        if (call.Arguments.Count > 1) return Evaluator.Normalize(x.argmax(Dim(evaluator, call, 1, x), false));
        return Evaluator.Normalize(x.dim() == 1 ? x.argmax() : x.argmax(-1, false));
    }

    private static ExpressionValue TopK(Evaluator evaluator, CallNode call, ExpressionValue[] args)
    {
        var x = RequireTensor(call, args, "topk");
        long k = evaluator.EvaluateInteger(call.Arguments[1], "k");
        long size = x.shape[^1];
        if (k < 1 || k > size)
            throw new ExpressionException(
                $"k must be between 1 and the size of the last dimension ({size}), got {k}", call.Arguments[1].Position);
        var (values, indices) = x.topk((int)k, -1, largest: true, sorted: true);
        return ExpressionValue.FromTopK(values, indices);
    }

    private static Tensor RequireTensor(CallNode call, ExpressionValue[] args, string name)
    {
        if (args[0].Kind != ExpressionValueKind.Tensor)
            throw new ExpressionException(
                $"{name} needs a tensor with at least one dimension, but got a {ExpressionValue.KindName(args[0].Kind)}",
                call.Arguments[0].Position);
        return args[0].Tensor;
    }

    /// <summary>Evaluate argument <paramref name="index"/> as a dimension of <paramref name="x"/>; negatives count from the end.</summary>
    private static long Dim(Evaluator evaluator, CallNode call, int index, Tensor x)
    {
        var node = call.Arguments[index];
        long dim = evaluator.EvaluateInteger(node, "dim");
        long rank = x.dim();
        if (rank == 0)
            throw new ExpressionException($"{call.Function} over a dim needs a tensor, but got a number", call.Arguments[0].Position);
        long normalized = dim < 0 ? dim + rank : dim;
        if (normalized < 0 || normalized >= rank)
            throw new ExpressionException(
                $"dim {dim} is out of range for a tensor with {rank} dimension{(rank == 1 ? "" : "s")} (valid: {-rank}…{rank - 1})",
                node.Position);
        return normalized;
    }

    /// <summary>mean/norm/softmax need floating point; integer and bool tensors are promoted to float64.</summary>
    private static Tensor Floating(Tensor x) => torch.is_floating_point(x) ? x : x.to_type(ScalarType.Float64);
}
