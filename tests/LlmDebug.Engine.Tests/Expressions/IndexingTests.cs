using LlmDebug.Engine.Expressions;
using static LlmDebug.Engine.Tests.Expressions.TestHelpers;

namespace LlmDebug.Engine.Tests.Expressions;

public class IndexingTests
{
    [Theory]
    [InlineData("x[0, 0]", 1)]
    [InlineData("x[1, -1]", -6)]
    [InlineData("x[-2, 1]", -2)]
    [InlineData("x[1][2]", -6)]
    [InlineData("r[3]", 3)]
    [InlineData("r[-1]", 9)]
    [InlineData("r[1 + 1]", 2)]
    [InlineData("r[argmax(v)]", 3)]
    public void Integer_indices_give_scalars(string text, double expected)
    {
        using var ctx = FakeContext.Standard();
        Assert.Equal(expected, Scalar(text, ctx));
    }

    [Theory]
    [InlineData("x[:, 0]", new long[] { 2 }, new double[] { 1, -4 })]
    [InlineData("x[-1]", new long[] { 3 }, new double[] { -4, 5, -6 })]
    [InlineData("x[0, ::2]", new long[] { 2 }, new double[] { 1, 3 })]
    [InlineData("x[0, -2:]", new long[] { 2 }, new double[] { -2, 3 })]
    [InlineData("x[:, 1:]", new long[] { 2, 2 }, new double[] { -2, 3, 5, -6 })]
    [InlineData("x[0, -10:2]", new long[] { 2 }, new double[] { 1, -2 })]
    [InlineData("r[1:4]", new long[] { 3 }, new double[] { 1, 2, 3 })]
    [InlineData("r[::2]", new long[] { 5 }, new double[] { 0, 2, 4, 6, 8 })]
    [InlineData("r[1:8:3]", new long[] { 3 }, new double[] { 1, 4, 7 })]
    [InlineData("r[-3:]", new long[] { 3 }, new double[] { 7, 8, 9 })]
    [InlineData("r[:-7]", new long[] { 3 }, new double[] { 0, 1, 2 })]
    [InlineData("r[-4:-2]", new long[] { 2 }, new double[] { 6, 7 })]
    [InlineData("r[5:100]", new long[] { 5 }, new double[] { 5, 6, 7, 8, 9 })]
    [InlineData("r[7:3]", new long[] { 0 }, new double[0])]
    [InlineData("r[20:]", new long[] { 0 }, new double[0])]
    [InlineData("r[:]", new long[] { 10 }, new double[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 })]
    public void Slices_follow_numpy(string text, long[] shape, double[] values)
    {
        using var ctx = FakeContext.Standard();
        var (actualShape, actualValues) = TensorOf(text, ctx);
        Assert.Equal(shape, actualShape);
        Assert.Equal(values, actualValues);
    }

    [Fact]
    public void Hook_pattern_slice_keeps_remaining_dims()
    {
        using var ctx = FakeContext.Standard();
        var (shape, values) = TensorOf("blocks.11.attn.hook_pattern[0, :, -1]", ctx);
        Assert.Equal(new long[] { 5 }, shape);
        AssertClose(Enumerable.Repeat(0.2, 5).ToArray(), values);
    }

    [Theory]
    [InlineData("x[2, 0]", 2, "index 2 is out of range for dimension 0 of size 2 (valid: -2…1)")]
    [InlineData("x[0, -4]", 5, "index -4 is out of range for dimension 1 of size 3 (valid: -3…2)")]
    [InlineData("x[0, 3]", 5, "index 3 is out of range for dimension 1 of size 3 (valid: -3…2)")]
    [InlineData("x[0, 0, 0]", 8, "too many indices: tensor of shape [2, 3] has 2 dimensions but 3 were given")]
    [InlineData("r[::-1]", 4, "negative slice steps are not supported (tensors cannot be reversed by slicing)")]
    [InlineData("r[::0]", 4, "slice step cannot be zero")]
    [InlineData("r[1.5]", 2, "index must be an integer, got 1.5")]
    [InlineData("r[v]", 2, "index must be an integer, but this is a tensor")]
    [InlineData("r[:2.5]", 3, "slice stop must be an integer, got 2.5")]
    [InlineData("max(x)[0]", 6, "cannot index a number")]
    [InlineData("r[20:][0]", 7, "index 0 is out of range for dimension 0 of size 0 (it is empty)")]
    public void Index_errors_name_dimension_size_and_index(string text, int position, string reason)
    {
        using var ctx = FakeContext.Standard();
        var ex = Assert.Throws<ExpressionException>(() => Expression.Evaluate(text, ctx));
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(position, ex.Position);
    }

    [Fact]
    public void Slices_are_views_of_context_tensors_and_leave_them_intact()
    {
        using var ctx = FakeContext.Standard();
        var x = ctx.Tensors["x"];
        using (var v = Expression.Evaluate("x[:, 0]", ctx))
        {
            Assert.Equal(new double[] { 1, -4 }, Values(v.Tensor));
        }
        Assert.False(x.IsInvalid);
        Assert.Equal(new double[] { 1, -2, 3, -4, 5, -6 }, Values(x));
    }
}
