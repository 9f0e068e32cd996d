using LlmDebug.Engine.Expressions;
using LlmDebug.Engine.Runtime;
using TorchSharp;

namespace LlmDebug.Engine.Inspection;

/// <summary>Lets expressions name the activations of the current stop; relative names resolve in <paramref name="layer"/>.</summary>
public sealed class StopExpressionContext(StopInfo stop, int? layer = null) : IExpressionContext
{
    public bool TryResolve(string name, out torch.Tensor? value, out string? error) =>
        stop.TryResolve(name, layer, out value, out error);
}

/// <summary>Breakpoint conditions are expressions over the stop; a tensor condition holds when any element does.</summary>
public sealed class ExpressionConditionEvaluator : IConditionEvaluator
{
    public bool Evaluate(string condition, StopInfo stop, out string? error)
    {
        error = null;
        try
        {
            return Expression.EvaluateCondition(condition, new StopExpressionContext(stop));
        }
        catch (ExpressionException e)
        {
            error = e.Message;
            return false;
        }
    }
}
