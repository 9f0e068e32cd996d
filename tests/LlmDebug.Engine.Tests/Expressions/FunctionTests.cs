using LlmDebug.Engine.Expressions;
using static LlmDebug.Engine.Tests.Expressions.TestHelpers;

namespace LlmDebug.Engine.Tests.Expressions;

/// <summary>x = [[1, -2, 3], [-4, 5, -6]], v = [0.1, 0.7, 0.05, 0.9, 0.3], r = 0..9 (int64).</summary>
public class FunctionTests
{
    [Theory]
    [InlineData("max(x)", 5)]
    [InlineData("min(x)", -6)]
    [InlineData("sum(x)", -3)]
    [InlineData("mean(x)", -0.5)]
    [InlineData("mean(r)", 4.5)]           // int64 promoted to float
    [InlineData("sum(r)", 45)]
    [InlineData("sum(abs(x) > 2)", 4)]     // bool sum counts
    [InlineData("mean(x > 0)", 0.5)]
    [InlineData("max(3)", 3)]
    [InlineData("abs(-2.5)", 2.5)]
    [InlineData("argmax(v)", 3)]           // 1-D: flat index
    [InlineData("shape(x)[-1]", 3)]
    [InlineData("shape(blocks.11.attn.hook_pattern)[0]", 2)]
    [InlineData("2 + 3 * 4 - 6 / 2", 11)]
    [InlineData("-2 * -3", 6)]
    [InlineData("true + 1", 2)]
    [InlineData("scalar0d * 2", 5)]        // 0-d context tensor becomes a scalar
    public void Scalar_results(string text, double expected)
    {
        using var ctx = FakeContext.Standard();
        Assert.Equal(expected, Scalar(text, ctx), 5);
    }

    [Fact]
    public void Norm_is_l2_of_all_elements()
    {
        using var ctx = FakeContext.Standard();
        Assert.Equal(Math.Sqrt(1 + 4 + 9 + 16 + 25 + 36), Scalar("norm(x)", ctx), 5);
        Assert.Equal(Math.Sqrt(285), Scalar("norm(r)", ctx), 5); // 0²+…+9² = 285
        var (shape, values) = TensorOf("norm(x, 1)", ctx);
        Assert.Equal(new long[] { 2 }, shape);
        AssertClose(new[] { Math.Sqrt(14), Math.Sqrt(77) }, values);
    }

    [Theory]
    [InlineData("max(x, 0)", new double[] { 1, 5, 3 })]
    [InlineData("max(x, 1)", new double[] { 3, 5 })]
    [InlineData("max(x, -1)", new double[] { 3, 5 })]
    [InlineData("min(x, 1)", new double[] { -2, -6 })]
    [InlineData("sum(x, 0)", new double[] { -3, 3, -3 })]
    [InlineData("mean(x, 1)", new double[] { 2.0 / 3, -5.0 / 3 })]
    [InlineData("abs(x)", new double[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData("argmax(x)", new double[] { 2, 1 })]     // N-D: along the last dim
    [InlineData("argmax(x, 0)", new double[] { 0, 1, 0 })]
    [InlineData("x * 2 - 1", new double[] { 1, -5, 5, -9, 9, -13 })]
    [InlineData("1 - x", new double[] { 0, 3, -2, 5, -4, 7 })]
    [InlineData("-x", new double[] { -1, 2, -3, 4, -5, 6 })]
    [InlineData("x / x[0]", new double[] { 1, 1, 1, -4, -2.5, -2 })] // broadcasting a row
    public void Tensor_results(string text, double[] expected)
    {
        using var ctx = FakeContext.Standard();
        AssertClose(expected, TensorOf(text, ctx).Values);
    }

    [Fact]
    public void Softmax_rows_sum_to_one_and_match_hand_values()
    {
        using var ctx = FakeContext.Standard();
        var (shape, values) = TensorOf("softmax(x)", ctx);
        Assert.Equal(new long[] { 2, 3 }, shape);
        Assert.Equal(1.0, values[0] + values[1] + values[2], 5);
        Assert.Equal(1.0, values[3] + values[4] + values[5], 5);
        double z = Math.Exp(1) + Math.Exp(-2) + Math.Exp(3);
        AssertClose(new[] { Math.Exp(1) / z, Math.Exp(-2) / z, Math.Exp(3) / z }, values[..3]);

        // Along dim 0 the columns sum to one instead.
        var columns = TensorOf("sum(softmax(x, 0), 0)", ctx).Values;
        AssertClose(new double[] { 1, 1, 1 }, columns);
        Assert.Equal(1.0, Scalar("sum(softmax(r))", ctx), 5); // int input promoted
    }

    [Fact]
    public void Topk_returns_known_values_and_indices()
    {
        using var ctx = FakeContext.Standard();
        using var v = Expression.Evaluate("topk(v, 3)", ctx);
        Assert.Equal(ExpressionValueKind.TopK, v.Kind);
        Assert.Equal(new long[] { 3, 1, 4 }, Longs(v.TopKIndices));
        AssertClose(new[] { 0.9, 0.7, 0.3 }, Values(v.TopKValues));

        var row = Assert.Single(v.TopKRows());
        Assert.Equal(new long[] { 3, 1, 4 }, row.Select(e => e.Index));
        Assert.Equal("topk: {3: 0.9, 1: 0.7, 4: 0.3}", v.Format());

        Assert.Equal(new double[] { 3, 1 }, TensorOf("topk(v, 2)[1]", ctx).Values);
        Assert.Equal(0.7, Scalar("topk(v, 2)[0][1]", ctx), 5);
    }

    [Fact]
    public void Topk_on_a_matrix_works_per_row()
    {
        using var ctx = FakeContext.Standard();
        using var v = Expression.Evaluate("topk(x, 2)", ctx);
        var rows = v.TopKRows();
        Assert.Equal(2, rows.Count);
        Assert.Equal(new long[] { 2, 0 }, rows[0].Select(e => e.Index)); // 3, 1
        Assert.Equal(new long[] { 1, 0 }, rows[1].Select(e => e.Index)); // 5, -4
        Assert.Equal(new double[] { 5, -4 }, rows[1].Select(e => e.Value));
        Assert.StartsWith("topk: values tensor[2, 2]", v.Format());
    }

    [Fact]
    public void Shape_value_formats_as_a_list()
    {
        using var ctx = FakeContext.Standard();
        using var v = Expression.Evaluate("shape(blocks.11.attn.hook_pattern)", ctx);
        Assert.Equal(new long[] { 2, 5, 5 }, v.Shape);
        Assert.Equal("[2, 5, 5]", v.Format());
    }

    [Theory]
    [InlineData("foo(x)", 0, "unknown function 'foo'; known functions: abs(x), all(x), any(x), argmax(x[, dim]), max(x[, dim]), mean(x[, dim]), min(x[, dim]), norm(x[, dim]), shape(x), softmax(x[, dim]), sum(x[, dim]), topk(x, k)")]
    [InlineData("max(x, 0, 1)", 0, "max takes 1 or 2 arguments — max(x[, dim]) — but got 3")]
    [InlineData("abs()", 0, "abs takes 1 argument — abs(x) — but got 0")]
    [InlineData("topk(v)", 0, "topk takes 2 arguments — topk(x, k) — but got 1")]
    [InlineData("topk(v, 6)", 8, "k must be between 1 and the size of the last dimension (5), got 6")]
    [InlineData("topk(v, 0)", 8, "k must be between 1 and the size of the last dimension (5), got 0")]
    [InlineData("mean(x, 2)", 8, "dim 2 is out of range for a tensor with 2 dimensions (valid: -2…1)")]
    [InlineData("sum(x, -3)", 7, "dim -3 is out of range for a tensor with 2 dimensions (valid: -2…1)")]
    [InlineData("softmax(3)", 8, "softmax needs a tensor with at least one dimension, but got a number")]
    [InlineData("mean(topk(v, 2))", 5, "mean expects a tensor or number, not a topk result")]
    [InlineData("topk(v, 2) + 1", 0, "operator '+' cannot be applied to a topk result; use [0] for its values or [1] for its indices")]
    [InlineData("1 + blocks.99.attn.hook_q", 4, "unknown hook 'blocks.99.attn.hook_q' — valid layers are 0…11")]
    [InlineData("nothing_here", 0, "unknown hook 'nothing_here'")]
    public void Function_errors(string text, int position, string reason)
    {
        using var ctx = FakeContext.Standard();
        var ex = Assert.Throws<ExpressionException>(() => Expression.Evaluate(text, ctx));
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(position, ex.Position);
    }

    [Fact]
    public void Torch_failures_become_expression_exceptions_with_a_one_line_message()
    {
        using var ctx = FakeContext.Standard();
        // [2,3] + [5] cannot broadcast; libtorch throws, we report it at the operator.
        var ex = Assert.Throws<ExpressionException>(() => Expression.Evaluate("x + v", ctx));
        Assert.Equal(2, ex.Position);
        Assert.StartsWith("operator '+' failed: ", ex.Reason);
        Assert.Contains("size of tensor", ex.Reason);
        Assert.DoesNotContain("\n", ex.Reason);
        Assert.NotNull(ex.InnerException);

        // A context that throws is reported too, not propagated raw.
        var throwing = new ThrowingContext();
        var ex2 = Assert.Throws<ExpressionException>(() => Expression.Evaluate("2 * boom", throwing));
        Assert.Equal(4, ex2.Position);
        Assert.Equal("could not read 'boom': kaboom", ex2.Reason);
    }

    [Fact]
    public void Relative_names_are_resolved_by_the_context()
    {
        using var ctx = FakeContext.Standard();
        Assert.Equal(-150, Scalar("min(hook_resid_post)", ctx));
        Assert.Contains("hook_resid_post", ctx.Resolved);
    }

    [Fact]
    public void Format_of_scalars_bools_and_tensors()
    {
        using var ctx = FakeContext.Standard();
        using (var v = Expression.Evaluate("0.1234", ctx)) Assert.Equal("0.1234", v.Format());
        using (var v = Expression.Evaluate("1 / 3", ctx)) Assert.Equal("0.333333", v.Format());
        using (var v = Expression.Evaluate("1e-7 * 2", ctx)) Assert.Equal("2e-07", v.Format());
        using (var v = Expression.Evaluate("argmax(v)", ctx)) Assert.Equal("3", v.Format());
        using (var v = Expression.Evaluate("1 < 2", ctx)) Assert.Equal("true", v.Format());
        using (var v = Expression.Evaluate("x[0]", ctx)) Assert.Equal("tensor[3] float32 [1, -2, 3]", v.Format());
        using (var v = Expression.Evaluate("x > 0", ctx)) Assert.Equal("tensor[2, 3] bool [true, false, true, false, true, false]", v.Format());
        using (var v = Expression.Evaluate("r", ctx)) Assert.Equal("tensor[10] int64 [0, 1, 2, 3, 4, 5, 6, 7, …]", v.Format());
        using (var v = Expression.Evaluate("x", ctx)) Assert.Equal("custom 2x3", v.Format(t => $"custom {t.shape[0]}x{t.shape[1]}"));
    }

    private sealed class ThrowingContext : IExpressionContext
    {
        public bool TryResolve(string name, out TorchSharp.torch.Tensor? value, out string? error) =>
            throw new InvalidOperationException("kaboom");
    }
}
