using LlmDebug.DebugAdapter.Protocol;
using LlmDebug.Engine.Expressions;
using LlmDebug.Engine.Inspection;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Tokenization;

namespace LlmDebug.DebugAdapter.Session;

/// <summary>Evaluates watch/hover/REPL expressions at a stop and shapes the result for the client.</summary>
public sealed class EvaluationPresenter(DebugRuntime runtime, VariableStore store)
{
    private readonly TensorVariables _tensors = new(store);

    public EvaluateResponseBody Evaluate(string expression, StopInfo stop, int? layer)
    {
        ExpressionValue value;
        try
        {
            value = Expression.Evaluate(expression, new StopExpressionContext(stop, layer));
        }
        catch (ExpressionException e)
        {
            throw new Transport.RequestException(e.Message);
        }
        using (value)
        {
            switch (value.Kind)
            {
                case ExpressionValueKind.Tensor:
                    var tensor = store.Own(value.Tensor.alias());
                    var v = _tensors.Make(expression, tensor, expression, AxesFor(expression, stop, layer));
                    return new EvaluateResponseBody
                    {
                        Result = v.Value, Type = "tensor", VariablesReference = v.VariablesReference, IndexedVariables = v.IndexedVariables,
                    };
                case ExpressionValueKind.TopK:
                    return TopK(value, stop);
                default:
                    return new EvaluateResponseBody { Result = value.Format(TensorSummary.Format), Type = value.Kind.ToString().ToLowerInvariant() };
            }
        }
    }

    EvaluateResponseBody TopK(ExpressionValue value, StopInfo stop)
    {
        var rows = value.TopKRows();
        var tokenizer = runtime.Model.Tokenizer;
        bool overVocab = value.TopKIndices.shape[^1] > 0 && value.TopKValues.dim() > 0 && runtime.Model.Config.VocabSize > 1000;
        var row = rows[^1]; // for [seq, vocab] inputs the last position is the one being predicted
        var children = row.Select((e, i) => new Variable
        {
            Name = overVocab && e.Index < tokenizer.VocabSize ? $"#{i + 1} \"{TokenDisplay.Render(tokenizer, (int)e.Index)}\" (id {e.Index})" : $"#{i + 1} [{e.Index}]",
            Value = TensorSummary.Number(e.Value),
        }).ToList();
        return new EvaluateResponseBody
        {
            Result = value.Format(TensorSummary.Format),
            Type = "topk",
            VariablesReference = store.Add(new VariableList(() => children)),
        };
    }

    /// <summary>Axis labels when the expression is just a hook name (full or relative to the block).</summary>
    TensorAxes? AxesFor(string expression, StopInfo stop, int? layer)
    {
        var layout = runtime.Plan.Layout;
        var hook = layout.Find(expression.Trim())
                   ?? (layer is int l ? layout.Find($"blocks.{l}.{expression.Trim()}") : null);
        return hook is null ? null : TensorAxes.For(hook.Shape, stop, runtime.Model.Tokenizer);
    }
}
