using LlmDebug.Engine.Expressions;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Expressions;

internal static class TestHelpers
{
    public static double[] Values(Tensor t) => t.to_type(ScalarType.Float64).reshape(-1).data<double>().ToArray();

    public static long[] Longs(Tensor t) => t.to_type(ScalarType.Int64).reshape(-1).data<long>().ToArray();

    public static double Scalar(string text, FakeContext ctx)
    {
        using var v = Expression.Evaluate(text, ctx);
        Assert.Equal(ExpressionValueKind.Scalar, v.Kind);
        return v.Scalar;
    }

    /// <summary>Evaluate to a tensor and return (shape, flattened values).</summary>
    public static (long[] Shape, double[] Values) TensorOf(string text, FakeContext ctx)
    {
        using var v = Expression.Evaluate(text, ctx);
        Assert.Equal(ExpressionValueKind.Tensor, v.Kind);
        return (v.Tensor.shape, Values(v.Tensor));
    }

    public static void AssertClose(double[] expected, double[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
