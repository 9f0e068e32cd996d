using LlmDebug.Engine.Expressions;

namespace LlmDebug.Engine.Tests.Expressions;

public class ConditionTests
{
    [Theory]
    [InlineData("abs(hook_resid_post) > 100", true)]       // any element: -150
    [InlineData("abs(hook_resid_post) > 200", false)]
    [InlineData("abs(x) > 5", true)]
    [InlineData("abs(x) > 6", false)]
    [InlineData("x > 100 or 1 == 1", true)]
    [InlineData("x > 100 || 1 == 1", true)]
    [InlineData("not (x > 100)", true)]
    [InlineData("!(x > 0)", false)]
    [InlineData("max(x) == 5 and min(x) < -5", true)]
    [InlineData("max(x) == 5 && min(x) < -6", false)]
    [InlineData("x[0, 0] == 1", true)]
    [InlineData("x[0, 0] != 1", false)]
    [InlineData("argmax(v) == 3", true)]
    [InlineData("0", false)]
    [InlineData("0.0", false)]
    [InlineData("-0.5", true)]
    [InlineData("true", true)]
    [InlineData("false or false", false)]
    [InlineData("x", true)]                  // numeric tensor: any non-zero
    [InlineData("x * 0", false)]
    [InlineData("r[20:]", false)]            // empty tensor
    [InlineData("all(x != 0)", true)]
    [InlineData("all(x > 0)", false)]
    [InlineData("any(x > 4)", true)]
    [InlineData("shape(x)[0] == 2", true)]
    [InlineData("sum(abs(x) > 2) >= 4", true)]
    public void Truthiness_uses_any_for_tensors(string text, bool expected)
    {
        using var ctx = FakeContext.Standard();
        Assert.Equal(expected, Expression.EvaluateCondition(text, ctx));
        using var v = Expression.Evaluate(text, ctx);
        Assert.Equal(expected, v.IsTruthy);
    }

    [Fact]
    public void Comparison_of_a_tensor_is_an_elementwise_bool_tensor()
    {
        using var ctx = FakeContext.Standard();
        using var v = Expression.Evaluate("x > 0", ctx);
        Assert.Equal(ExpressionValueKind.Tensor, v.Kind);
        Assert.Equal(TorchSharp.torch.ScalarType.Bool, v.Tensor.dtype);
        Assert.Equal(new[] { true, false, true, false, true, false }, v.Tensor.reshape(-1).data<bool>().ToArray());
    }

    [Fact]
    public void And_or_short_circuit_so_the_right_side_is_not_resolved()
    {
        using var ctx = FakeContext.Standard();
        Assert.False(Expression.EvaluateCondition("x > 100 and blocks.99.hook_resid_post > 0", ctx));
        Assert.True(Expression.EvaluateCondition("x < 100 or blocks.99.hook_resid_post > 0", ctx));
        Assert.DoesNotContain("blocks.99.hook_resid_post", ctx.Resolved);
        // …but it is resolved (and fails) when needed.
        var ex = Assert.Throws<ExpressionException>(() => Expression.EvaluateCondition("x > 0 and blocks.99.hook_resid_post > 0", ctx));
        Assert.Equal(10, ex.Position);
    }

    [Fact]
    public void Logical_operators_always_give_bools()
    {
        using var ctx = FakeContext.Standard();
        using var v = Expression.Evaluate("x > 0 and v > 0", ctx); // shapes differ: no element-wise broadcast needed
        Assert.Equal(ExpressionValueKind.Bool, v.Kind);
        Assert.True(v.Bool);
    }

    [Fact]
    public void Topk_and_shape_are_not_conditions()
    {
        using var ctx = FakeContext.Standard();
        var ex = Assert.Throws<ExpressionException>(() => Expression.EvaluateCondition("topk(v, 2)", ctx));
        Assert.Equal("a topk result cannot be used as a condition; compare it or index it first", ex.Reason);
        ex = Assert.Throws<ExpressionException>(() => Expression.EvaluateCondition("1 == 1 and shape(x)", ctx));
        Assert.Equal(11, ex.Position);
        Assert.Contains("a shape cannot be used as a condition", ex.Reason);
    }
}
