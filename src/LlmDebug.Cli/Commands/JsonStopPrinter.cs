using System.Text.Json;
using LlmDebug.Engine.Expressions;
using LlmDebug.Engine.Inspection;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Cli.Commands;

/// <summary>One JSON object per line: {"event":"start"|"stop"|"value"|"error"|"token"|"end", ...}.</summary>
sealed class JsonStopPrinter(DebugRuntime runtime) : IStopPrinter
{
    static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    static void Emit(object o) => Console.WriteLine(JsonSerializer.Serialize(o, Options));

    public void Start()
    {
        var c = runtime.Model.Config;
        Emit(new
        {
            @event = "start", model = c.Name, family = c.Family, c.Layers, c.Heads, dModel = c.DModel, storedDType = c.StoredDType,
            promptTokens = runtime.PromptTokenIds.Select(id => new { id, text = TokenDisplay.Render(runtime.Model.Tokenizer, id) }),
        });
    }

    public void Stop(StopInfo stop)
    {
        var prediction = Prediction.AtStop(stop, runtime.Model, 5);
        Emit(new
        {
            @event = "stop", reason = stop.Reason.ToString().ToLowerInvariant(), location = stop.Location.Name,
            line = runtime.Listing.LineOf(stop.Location), step = stop.Step, inputStart = stop.InputStart, inputLength = stop.InputLength,
            description = stop.Description,
            prediction = prediction is null ? null : new { source = prediction.Source, top = prediction.Top.Select(c => new { id = c.Id, text = c.Display, probability = c.Probability }) },
        });
    }

    public void Value(string expression, ExpressionValue value, StopInfo stop) => Emit(new
    {
        @event = "value", expression, kind = value.Kind.ToString().ToLowerInvariant(),
        summary = value.Format(TensorSummary.Format),
        shape = value.Kind == ExpressionValueKind.Tensor ? value.Tensor.shape : null,
        scalar = value.Kind == ExpressionValueKind.Scalar ? value.Scalar : (double?)null,
        topk = value.Kind == ExpressionValueKind.TopK ? value.TopKRows()[^1].Select(e => new { index = e.Index, value = e.Value }) : null,
    });

    public void Error(string expression, string message) => Emit(new { @event = "error", expression, message });

    public void Token(GeneratedToken token) => Emit(new
    {
        @event = "token", step = token.Step, id = token.Id, text = token.Display, delta = token.TextDelta,
        candidates = token.Candidates.Select(c => new { id = c.Id, text = c.Display, probability = c.Probability }),
    });

    public void End(SessionEnd end) => Emit(new { @event = "end", reason = end.Reason, isError = end.IsError, text = end.GeneratedText, tokens = end.Tokens });
}
