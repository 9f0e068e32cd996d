using TorchSharp;

namespace LlmDebug.Engine.Expressions;

/// <summary>Entry points of the watch/condition expression language.</summary>
public static class Expression
{
    /// <summary>Expressions longer than this many characters are rejected (keeps recursion shallow).</summary>
    public const int MaxLength = 2000;

    /// <summary>Names of the built-in functions, for completion and help.</summary>
    public static IReadOnlyList<string> FunctionNames => Functions.Names;

    /// <summary>Parse to a syntax tree; throws <see cref="ExpressionException"/> on syntax errors.</summary>
    public static ExpressionNode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
            throw new ExpressionException($"expression is too long ({text.Length} characters, at most {MaxLength})", MaxLength);
        return Parser.Parse(text);
    }

    /// <summary>Parse and evaluate. The caller owns (and must dispose) the returned value.</summary>
    public static ExpressionValue Evaluate(string text, IExpressionContext ctx) => Evaluate(Parse(text), ctx);

    /// <summary>
    /// Evaluate a parsed tree. Intermediate tensors live in a dispose scope freed before returning;
    /// only the result's tensors are moved out. Context tensors are never disposed. Every failure,
    /// including those inside TorchSharp, surfaces as <see cref="ExpressionException"/>.
    /// </summary>
    public static ExpressionValue Evaluate(ExpressionNode node, IExpressionContext ctx)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(ctx);
        try
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var evaluator = new Evaluator(ctx, scope);
            var value = evaluator.Evaluate(node);
            return value.Kind switch
            {
                ExpressionValueKind.Tensor => ExpressionValue.FromTensor(TakeOut(scope, value.Tensor)),
                ExpressionValueKind.TopK => ExpressionValue.FromTopK(TakeOut(scope, value.TopKValues), TakeOut(scope, value.TopKIndices)),
                _ => value,
            };
        }
        catch (ExpressionException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new ExpressionException($"evaluation failed: {Evaluator.FirstLine(ex.Message)}", node.Position, ex);
        }
    }

    /// <summary>Evaluate as a breakpoint condition (see <see cref="ExpressionValue.IsTruthy"/>: tensors use any()).</summary>
    public static bool EvaluateCondition(string text, IExpressionContext ctx)
    {
        var node = Parse(text);
        using var value = Evaluate(node, ctx);
        try { return value.IsTruthy; }
        catch (ExpressionException ex) { throw new ExpressionException(ex.Reason, node.Position, ex.InnerException); }
    }

    /// <summary>
    /// Move a result tensor out of the evaluation scope. A tensor the scope does not track belongs to
    /// the context (a bare hook name), so the caller gets an alias: a new handle on the same storage.
    /// </summary>
    private static torch.Tensor TakeOut(DisposeScope scope, torch.Tensor tensor)
    {
        if (!scope.Contains(tensor)) tensor = tensor.alias();
        return scope.MoveToOuter(tensor);
    }
}
