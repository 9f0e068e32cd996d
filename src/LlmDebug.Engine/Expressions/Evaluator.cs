using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Expressions;

/// <summary>
/// Walks the syntax tree. Semantics:
/// <list type="bullet">
/// <item>Number op number stays a double; as soon as a tensor is involved the number is broadcast
/// (torch rules: a number does not widen a float32 tensor). Bools act as 0/1 in arithmetic.</item>
/// <item>Comparisons give a bool (numbers) or a bool tensor (tensors).</item>
/// <item><c>and</c>/<c>or</c>/<c>not</c> (and <c>&amp;&amp;</c>/<c>||</c>/<c>!</c>) are logical
/// connectives over truthiness (see <see cref="ExpressionValue.IsTruthy"/>, tensors use <b>any</b>);
/// they short-circuit and always return a bool, never an element-wise tensor.</item>
/// <item>Any 0-dimensional tensor produced along the way becomes a scalar/bool.</item>
/// <item>Indexing follows numpy for integers and slices with positive steps: negative indices count
/// from the end, slice bounds are clamped, a single index removes its dimension.</item>
/// </list>
/// All tensors created here live in one dispose scope owned by <see cref="Expression.Evaluate(ExpressionNode, IExpressionContext)"/>.
/// </summary>
internal sealed class Evaluator
{
    private readonly IExpressionContext _context;
    private readonly DisposeScope _scope;

    internal Evaluator(IExpressionContext context, DisposeScope scope)
    {
        _context = context;
        _scope = scope;
    }

    internal DisposeScope Scope => _scope;

    internal ExpressionValue Evaluate(ExpressionNode node)
    {
        try
        {
            return node switch
            {
                NumberNode n => ExpressionValue.FromScalar(n.Value),
                BoolNode b => ExpressionValue.FromBool(b.Value),
                NameNode name => Resolve(name),
                UnaryNode u => EvaluateUnary(u),
                BinaryNode b => EvaluateBinary(b),
                CallNode call => Functions.Invoke(this, call),
                IndexNode index => EvaluateIndex(index),
                _ => throw new ExpressionException($"unsupported expression node {node.GetType().Name}", node.Position),
            };
        }
        catch (ExpressionException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new ExpressionException($"{Describe(node)} failed: {FirstLine(ex.Message)}", node.Position, ex);
        }
    }

    private ExpressionValue Resolve(NameNode node)
    {
        Tensor? value;
        string? error;
        bool found;
        try
        {
            found = _context.TryResolve(node.Name, out value, out error);
        }
        catch (Exception ex)
        {
            throw new ExpressionException($"could not read '{node.Name}': {FirstLine(ex.Message)}", node.Position, ex);
        }
        if (!found)
            throw new ExpressionException(error ?? $"unknown hook '{node.Name}'", node.Position);
        if (value is null || value.IsInvalid)
            throw new ExpressionException($"hook '{node.Name}' has no captured tensor", node.Position);
        // The context owns this tensor; if it was created while our scope was active, keep our scope off it.
        if (_scope.Contains(value)) _scope.Detach(value);
        return Normalize(value);
    }

    private ExpressionValue EvaluateUnary(UnaryNode node)
    {
        var operand = Evaluate(node.Operand);
        switch (node.Operator)
        {
            case UnaryOperator.Not:
                return ExpressionValue.FromBool(!Truthy(operand, node.Operand.Position));
            case UnaryOperator.Plus:
                RequireArithmetic(operand, "+", node.Operand.Position);
                return operand;
            default:
                return operand.Kind switch
                {
                    ExpressionValueKind.Tensor => Normalize(operand.Tensor.neg()),
                    _ => ExpressionValue.FromScalar(-AsNumber(operand, "-", node.Operand.Position)),
                };
        }
    }

    private ExpressionValue EvaluateBinary(BinaryNode node)
    {
        if (node.Operator is BinaryOperator.And or BinaryOperator.Or)
        {
            bool left = Truthy(Evaluate(node.Left), node.Left.Position);
            if (node.Operator == BinaryOperator.And && !left) return ExpressionValue.FromBool(false);
            if (node.Operator == BinaryOperator.Or && left) return ExpressionValue.FromBool(true);
            return ExpressionValue.FromBool(Truthy(Evaluate(node.Right), node.Right.Position));
        }

        var l = Evaluate(node.Left);
        var r = Evaluate(node.Right);
        string symbol = BinaryNode.Symbol(node.Operator);
        RequireArithmetic(l, symbol, node.Left.Position);
        RequireArithmetic(r, symbol, node.Right.Position);

        if (l.Kind != ExpressionValueKind.Tensor && r.Kind != ExpressionValueKind.Tensor)
        {
            double a = AsNumber(l, symbol, node.Left.Position), b = AsNumber(r, symbol, node.Right.Position);
            return node.Operator switch
            {
                BinaryOperator.Add => ExpressionValue.FromScalar(a + b),
                BinaryOperator.Subtract => ExpressionValue.FromScalar(a - b),
                BinaryOperator.Multiply => ExpressionValue.FromScalar(a * b),
                BinaryOperator.Divide => ExpressionValue.FromScalar(a / b),
                BinaryOperator.Less => ExpressionValue.FromBool(a < b),
                BinaryOperator.LessEqual => ExpressionValue.FromBool(a <= b),
                BinaryOperator.Greater => ExpressionValue.FromBool(a > b),
                BinaryOperator.GreaterEqual => ExpressionValue.FromBool(a >= b),
                BinaryOperator.Equal => ExpressionValue.FromBool(a == b),
                _ => ExpressionValue.FromBool(a != b),
            };
        }

        Tensor x = AsTensor(l), y = AsTensor(r);
        Tensor result = node.Operator switch
        {
            BinaryOperator.Add => x.add(y),
            BinaryOperator.Subtract => x.sub(y),
            BinaryOperator.Multiply => x.mul(y),
            BinaryOperator.Divide => x.div(y),
            BinaryOperator.Less => x.lt(y),
            BinaryOperator.LessEqual => x.le(y),
            BinaryOperator.Greater => x.gt(y),
            BinaryOperator.GreaterEqual => x.ge(y),
            BinaryOperator.Equal => x.eq(y),
            _ => x.ne(y),
        };
        return Normalize(result);
    }

    private ExpressionValue EvaluateIndex(IndexNode node)
    {
        var target = Evaluate(node.Target);
        switch (target.Kind)
        {
            case ExpressionValueKind.Tensor:
                return Normalize(IndexTensor(target.Tensor, node.Items));
            case ExpressionValueKind.TopK:
            {
                long which = SingleItem(node, 2, "a topk result: [0] is the values, [1] the indices");
                return ExpressionValue.FromTensor(which == 0 ? target.TopKValues : target.TopKIndices);
            }
            case ExpressionValueKind.Shape:
            {
                var shape = target.Shape;
                long which = SingleItem(node, shape.Count, $"a shape with {shape.Count} entries");
                return ExpressionValue.FromScalar(shape[(int)which]);
            }
            default:
                throw new ExpressionException($"cannot index a {ExpressionValue.KindName(target.Kind)}", node.Position);
        }
    }

    /// <summary>Index into a short list (topk pair, shape) with exactly one integer, negatives allowed.</summary>
    private long SingleItem(IndexNode node, long count, string what)
    {
        if (node.Items.Count != 1 || node.Items[0] is not SingleIndex single)
            throw new ExpressionException($"{what} takes exactly one integer index", node.Position);
        long index = EvaluateInteger(single.Index, "index");
        long normalized = index < 0 ? index + count : index;
        if (normalized < 0 || normalized >= count)
            throw new ExpressionException($"index {index} is out of range for {what} (valid: {-count}…{count - 1})", single.Position);
        return normalized;
    }

    private Tensor IndexTensor(Tensor tensor, IReadOnlyList<IndexItem> items)
    {
        long[] shape = tensor.shape;
        if (items.Count > shape.Length)
            throw new ExpressionException(
                $"too many indices: tensor of shape [{string.Join(", ", shape)}] has {shape.Length} dimension{(shape.Length == 1 ? "" : "s")} but {items.Count} were given",
                items[shape.Length].Position);

        var indices = new TensorIndex[items.Count];
        for (int dim = 0; dim < items.Count; dim++)
        {
            long size = shape[dim];
            switch (items[dim])
            {
                case SingleIndex single:
                {
                    long index = EvaluateInteger(single.Index, "index");
                    long normalized = index < 0 ? index + size : index;
                    if (normalized < 0 || normalized >= size)
                        throw new ExpressionException(
                            size == 0
                                ? $"index {index} is out of range for dimension {dim} of size 0 (it is empty)"
                                : $"index {index} is out of range for dimension {dim} of size {size} (valid: {-size}…{size - 1})",
                            single.Position);
                    indices[dim] = TensorIndex.Single(normalized);
                    break;
                }
                case SliceIndex slice:
                {
                    long step = slice.Step is null ? 1 : EvaluateInteger(slice.Step, "slice step");
                    if (step == 0)
                        throw new ExpressionException("slice step cannot be zero", slice.Step!.Position);
                    if (step < 0)
                        throw new ExpressionException("negative slice steps are not supported (tensors cannot be reversed by slicing)", slice.Step!.Position);
                    long start = slice.Start is null ? 0 : ClampBound(EvaluateInteger(slice.Start, "slice start"), size);
                    long stop = slice.Stop is null ? size : ClampBound(EvaluateInteger(slice.Stop, "slice stop"), size);
                    if (stop < start) stop = start;
                    indices[dim] = TensorIndex.Slice(start, stop, step);
                    break;
                }
            }
        }
        return tensor.index(indices);
    }

    /// <summary>numpy slice bound: negative counts from the end, then clamp to [0, size].</summary>
    private static long ClampBound(long bound, long size) => Math.Clamp(bound < 0 ? bound + size : bound, 0, size);

    internal long EvaluateInteger(ExpressionNode node, string what)
    {
        var value = Evaluate(node);
        if (value.Kind != ExpressionValueKind.Scalar)
            throw new ExpressionException($"{what} must be an integer, but this is a {ExpressionValue.KindName(value.Kind)}", node.Position);
        double d = value.Scalar;
        if (double.IsNaN(d) || double.IsInfinity(d) || d != Math.Floor(d) || Math.Abs(d) > 1e15)
            throw new ExpressionException($"{what} must be an integer, got {ExpressionValue.FormatNumber(d)}", node.Position);
        return (long)d;
    }

    internal bool Truthy(ExpressionValue value, int position)
    {
        try { return value.IsTruthy; }
        catch (ExpressionException ex) { throw new ExpressionException(ex.Reason, position, ex.InnerException); }
    }

    /// <summary>Numbers and bools become 0-d tensors (float64 / bool) so torch broadcasting applies.</summary>
    internal static Tensor AsTensor(ExpressionValue value) => value.Kind switch
    {
        ExpressionValueKind.Tensor => value.Tensor,
        ExpressionValueKind.Bool => torch.tensor(value.Bool),
        ExpressionValueKind.Scalar => torch.tensor(value.Scalar, ScalarType.Float64),
        _ => throw new InvalidOperationException($"{ExpressionValue.KindName(value.Kind)} is not a tensor"),
    };

    /// <summary>0-d tensors become plain scalars/bools; everything else stays a tensor.</summary>
    internal static ExpressionValue Normalize(Tensor tensor)
    {
        if (tensor.dim() != 0) return ExpressionValue.FromTensor(tensor);
        if (tensor.dtype == ScalarType.Bool) return ExpressionValue.FromBool(tensor.item<bool>());
        // No 'using': the conversion is tracked by the evaluation scope, and must never dispose a context tensor.
        return ExpressionValue.FromScalar(tensor.to_type(ScalarType.Float64).item<double>());
    }

    private static double AsNumber(ExpressionValue value, string op, int position) => value.Kind switch
    {
        ExpressionValueKind.Scalar => value.Scalar,
        ExpressionValueKind.Bool => value.Bool ? 1 : 0,
        _ => throw NotArithmetic(value, op, position),
    };

    private static void RequireArithmetic(ExpressionValue value, string op, int position)
    {
        if (value.Kind is ExpressionValueKind.TopK or ExpressionValueKind.Shape)
            throw NotArithmetic(value, op, position);
    }

    private static ExpressionException NotArithmetic(ExpressionValue value, string op, int position) =>
        new(value.Kind == ExpressionValueKind.TopK
                ? $"operator '{op}' cannot be applied to a topk result; use [0] for its values or [1] for its indices"
                : $"operator '{op}' cannot be applied to a {ExpressionValue.KindName(value.Kind)}; index it first",
            position);

    private static string Describe(ExpressionNode node) => node switch
    {
        BinaryNode b => $"operator '{BinaryNode.Symbol(b.Operator)}'",
        UnaryNode u => u.Operator == UnaryOperator.Not ? "operator 'not'" : "unary minus",
        CallNode c => $"{c.Function}()",
        IndexNode => "indexing",
        NameNode n => $"reading '{n.Name}'",
        _ => "evaluation",
    };

    /// <summary>libtorch messages carry a C++ backtrace after the first line; users only need the first.</summary>
    internal static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length == 0 ? "internal error" : line;
    }
}
