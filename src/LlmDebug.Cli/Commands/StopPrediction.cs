using LlmDebug.Engine.Inspection;
using LlmDebug.Engine.Runtime;

namespace LlmDebug.Cli.Commands;

/// <summary>Top-5 next tokens at a stop: from the logits once computed, else the logit lens of the latest residual stream.</summary>
static class StopPrediction
{
    public static (string Source, IReadOnlyList<PredictedToken> Top)? Of(StopInfo stop, DebugRuntime runtime)
    {
        if (stop.TryResolve("logits", null, out var logits, out _))
        {
            using var row = logits![-1];
            return ("prediction", Prediction.TopK(row, runtime.Model.Tokenizer, 5));
        }
        return LogitLens.AtStop(stop, runtime.Model.Model, runtime.Model.Tokenizer, 5) is { } lens
            ? ($"logit lens at {lens.Hook}", lens.Top)
            : null;
    }
}
