using LlmDebug.Engine.Expressions;
using TorchSharp;
using static TorchSharp.torch;
using static LlmDebug.Engine.Tests.Expressions.TestHelpers;

namespace LlmDebug.Engine.Tests.Expressions;

public class MemoryTests
{
    private static readonly string[] Expressions =
    {
        "x", "x[:, 0]", "x[1, -1]", "abs(x) > 2", "softmax(x)", "topk(v, 2)", "topk(v, 2)[1]", "mean(x, 1) * 2 + 1",
        "norm(x)", "shape(x)", "argmax(x)", "sum(abs(hook_resid_post) > 100) > 0 and max(v) < 1", "1 - x / 3",
        "blocks.11.attn.hook_pattern[0, :, -1]", "mean(r)", "scalar0d",
    };

    private static readonly string[] FailingExpressions =
    {
        "x + v", "x[5]", "topk(v, 99)", "foo(x)", "softmax(x) + blocks.99.attn.hook_q", "mean(x, 7)", "max(x",
    };

    /// <summary>TorchSharp's per-thread count of live (created, not yet disposed) tensors.</summary>
    private static long LiveTensors() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    [Fact]
    public void Evaluation_leaves_no_tensors_behind_and_never_disposes_context_tensors()
    {
        using var ctx = FakeContext.Standard();
        var snapshot = ctx.Tensors.ToDictionary(kv => kv.Key, kv => Values(kv.Value));
        long before = LiveTensors();

        foreach (var text in Expressions)
        {
            using var value = Expression.Evaluate(text, ctx);
            _ = value.Format();
            if (value.Kind is ExpressionValueKind.Scalar or ExpressionValueKind.Bool or ExpressionValueKind.Tensor) _ = value.IsTruthy;
        }
        foreach (var text in FailingExpressions)
            Assert.Throws<ExpressionException>(() => Expression.Evaluate(text, ctx));

        Assert.Equal(before, LiveTensors());
        foreach (var (name, tensor) in ctx.Tensors)
        {
            Assert.False(tensor.IsInvalid, $"context tensor '{name}' was disposed");
            Assert.Equal(snapshot[name], Values(tensor));
        }
    }

    [Fact]
    public void Result_owns_only_its_own_handles()
    {
        using var ctx = FakeContext.Standard();
        var x = ctx.Tensors["x"];
        long before = LiveTensors();

        var whole = Expression.Evaluate("x", ctx);
        Assert.NotSame(x, whole.Tensor);                 // an alias, not the context's object
        Assert.Equal(before + 1, LiveTensors());         // exactly the result handle is alive
        whole.Dispose();
        Assert.True(whole.Tensor.IsInvalid);
        Assert.False(x.IsInvalid);
        Assert.Equal(before, LiveTensors());

        var topk = Expression.Evaluate("topk(x, 2)", ctx);
        Assert.Equal(before + 2, LiveTensors());         // values + indices
        topk.Dispose();
        Assert.Equal(before, LiveTensors());
    }

    [Fact]
    public void Result_moves_into_the_callers_dispose_scope()
    {
        using var ctx = FakeContext.Standard();
        using var outer = NewDisposeScope();
        using var value = Expression.Evaluate("softmax(x)[0]", ctx);
        Assert.Equal(1, outer.DisposablesCount);
        Assert.True(outer.Contains(value.Tensor));
        Assert.False(outer.Contains(ctx.Tensors["x"]));
    }

    [Fact]
    public void Lazily_created_context_tensors_survive_the_evaluation_scope()
    {
        using var ctx = FakeContext.Standard();
        ctx.Lazy = name => name == "lazy" ? tensor(new float[] { 4, 5 }) : null;
        Assert.Equal(9, Scalar("sum(lazy)", ctx));
        var lazy = ctx.Tensors["lazy"];
        Assert.False(lazy.IsInvalid);
        Assert.Equal(new double[] { 4, 5 }, Values(lazy));

        // Returning the lazy tensor itself hands out an alias, so disposing the result keeps the context's.
        using (var v = Expression.Evaluate("lazy", ctx)) Assert.NotSame(lazy, v.Tensor);
        Assert.False(lazy.IsInvalid);
    }
}
