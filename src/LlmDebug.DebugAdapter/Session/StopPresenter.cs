using System.Globalization;
using LlmDebug.DebugAdapter.Protocol;
using LlmDebug.Engine.Inspection;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Tokenization;
using TorchSharp;

namespace LlmDebug.DebugAdapter.Session;

/// <summary>
/// Describes a stop in DAP terms: the call stack (token step → block → hook point, each on its listing line)
/// and the scopes of each frame. Frame ids are fixed per depth; they are valid for the current stop only.
/// </summary>
public sealed class StopPresenter(DebugRuntime runtime, VariableStore store, Func<Source> listingSource)
{
    public const int HookFrameId = 1, BlockFrameId = 2, StepFrameId = 3;
    private readonly TensorVariables _tensors = new(store);
    private TextTokenizer Tokenizer => runtime.Model.Tokenizer;

    public List<StackFrame> Frames(StopInfo stop)
    {
        var frames = new List<StackFrame>();
        var loc = stop.Location;
        var listing = runtime.Listing;
        if (loc.Kind == ForwardLocationKind.Hook)
            frames.Add(Frame(HookFrameId, $"{loc.Hook!.Name} {loc.Hook.Shape}", listing.LineOf(loc)));
        if (stop.Layer is int layer)
            frames.Add(Frame(BlockFrameId, $"blocks.{layer}", listing.LineOf(runtime.Plan.BlockStart(layer))));
        frames.Add(Frame(StepFrameId, StepFrameName(stop), listing.StepLine));
        return frames;
    }

    string StepFrameName(StopInfo stop)
    {
        string input = stop.Step == 0
            ? $"prompt, {stop.InputLength} token{(stop.InputLength == 1 ? "" : "s")}"
            : $"token {Quote(TokenDisplay.Render(Tokenizer, stop.Tokens[stop.InputStart]))} @{stop.InputStart}";
        return $"step {stop.Step} ({input})";
    }

    StackFrame Frame(int id, string name, int line) => new() { Id = id, Name = name, Line = line, Column = 1, Source = listingSource() };

    /// <summary>Layer a frame's relative names refer to (the block frame's, or the current one).</summary>
    public static int? LayerOfFrame(StopInfo stop, int? frameId) => frameId == StepFrameId ? null : stop.Layer;

    public List<Scope> Scopes(StopInfo stop, int frameId)
    {
        var scopes = new List<Scope>();
        if (frameId == HookFrameId || (frameId == BlockFrameId && stop.Location.Kind == ForwardLocationKind.BlockStart))
            scopes.Add(Scope("Activation", () => ActivationVariables(stop), expensive: false, presentationHint: "locals"));
        if (frameId != StepFrameId && stop.Layer is int layer)
        {
            scopes.Add(Scope("Attention", () => HookVariables(stop, layer, attention: true), expensive: false));
            scopes.Add(Scope($"blocks.{layer} activations", () => HookVariables(stop, layer, attention: false), expensive: false));
            scopes.Add(Scope($"blocks.{layer} parameters", () => ParameterVariables(runtime.Model.Model.BlockParameters(layer), $"blocks.{layer}."), expensive: false));
        }
        if (frameId != BlockFrameId)
        {
            scopes.Add(Scope("Prediction", () => PredictionVariables(stop), expensive: false));
            scopes.Add(Scope("Tokens", () => TokenVariables(stop), expensive: false));
            scopes.Add(Scope("Model", () => ModelVariables(), expensive: false));
        }
        return scopes;
    }

    Scope Scope(string name, Func<IReadOnlyList<Variable>> build, bool expensive, string? presentationHint = null)
    {
        var list = new VariableList(build);
        return new Scope { Name = name, VariablesReference = store.Add(list), Expensive = expensive, PresentationHint = presentationHint };
    }

    IReadOnlyList<Variable> ActivationVariables(StopInfo stop)
    {
        var loc = stop.Location;
        if (loc.Kind == ForwardLocationKind.BlockStart)
            return [Text("(block entry)", $"blocks.{loc.Layer} is about to run; step in to reach its first hook point")];
        return [_tensors.Make(loc.Hook!.Name, stop.CurrentValue!, loc.Hook.Name, Axes(loc.Hook.Shape, stop))];
    }

    IReadOnlyList<Variable> HookVariables(StopInfo stop, int layer, bool attention)
    {
        var result = new List<Variable>();
        foreach (var hook in runtime.Plan.Layout.Blocks[layer])
        {
            if (hook.LocalName.StartsWith("attn.", StringComparison.Ordinal) != attention) continue;
            if (stop.TryResolve(hook.Name, layer, out var value, out _))
                result.Add(_tensors.Make(hook.LocalName, value!, hook.Name, Axes(hook.Shape, stop)));
        }
        if (result.Count == 0) result.Add(Text("(nothing yet)", "no hook of this kind has run in this block during this token step"));
        return result;
    }

    IReadOnlyList<Variable> ParameterVariables(IEnumerable<(string Name, torch.Tensor Value)> parameters, string prefix) =>
        parameters.Select(p => _tensors.Make(p.Name, p.Value, null, null)).ToList();

    IReadOnlyList<Variable> PredictionVariables(StopInfo stop)
    {
        if (Prediction.AtStop(stop, runtime.Model, 10) is { } prediction)
            return Candidates(prediction.Top, prediction.LensHook);
        return [Text("(not yet)", $"the next token is predicted at the 'logits' line (line {runtime.Listing.LineOf(runtime.Plan.Last)})")];
    }

    /// <summary>Top-k rows; <paramref name="lensHook"/> marks a logit-lens guess from an intermediate residual stream.</summary>
    static IReadOnlyList<Variable> Candidates(IReadOnlyList<PredictedToken> top, string? lensHook)
    {
        var rows = top.Select((p, i) => new Variable
        {
            Name = $"#{i + 1} {Quote(p.Display)}",
            Value = $"p {p.Probability.ToString("P2", CultureInfo.InvariantCulture)} · logit {TensorSummary.Number(p.Logit)} · id {p.Id}",
        }).ToList();
        if (lensHook is not null)
            rows.Insert(0, Text("(logit lens)", $"final norm + unembedding of {lensHook} at the last position; the real prediction comes at the 'logits' line"));
        return rows;
    }

    IReadOnlyList<Variable> TokenVariables(StopInfo stop) =>
        stop.Tokens.Select((id, pos) => new Variable
        {
            Name = $"[{pos}] {Quote(TokenDisplay.Render(Tokenizer, id))}",
            Value = $"id {id} · {(pos < stop.PromptLength ? "prompt" : "generated")}{(Tokenizer.IsSpecial(id) ? " · special" : "")}",
            VariablesReference = store.Add(new VariableList(() =>
            [
                Text("id", id.ToString(CultureInfo.InvariantCulture)),
                Text("vocab", Quote(Tokenizer.VocabString(id))),
                Text("text", Quote(TokenDisplay.Render(Tokenizer, id))),
                Text("position", pos.ToString(CultureInfo.InvariantCulture)),
            ])),
        }).ToList();

    IReadOnlyList<Variable> ModelVariables()
    {
        var c = runtime.Model.Config;
        return
        [
            Text("name", c.Name), Text("family", c.Family), Text("folder", runtime.Model.Folder),
            Text("layers", $"{c.Layers}"), Text("heads", $"{c.Heads}"), Text("d_model", $"{c.DModel}"), Text("d_head", $"{c.DHead}"),
            Text("d_mlp", $"{c.DMlp}"), Text("context", $"{c.ContextLength}"), Text("vocab", $"{c.VocabSize}"),
            Text("stored dtype", c.StoredDType), Text("compute dtype", "F32"), Text("capture", runtime.CaptureFilter.Description),
        ];
    }

    TensorAxes Axes(string shape, StopInfo stop) => TensorAxes.For(shape, stop, Tokenizer);

    static Variable Text(string name, string value) => new() { Name = name, Value = value };
    static string Quote(string s) => $"\"{s}\"";
}
