using LlmDebug.Engine.Hooks;
using LlmDebug.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Interventions;

/// <summary>
/// One clean forward pass of a text (no cache, no interventions) that keeps the activations of the hooks asked for:
/// the counterfactual run that patching copies from, the reference for mean ablation, <c>run "text"</c> steering vectors.
/// Owns the kept tensors.
/// </summary>
public sealed class ReferenceRun : IDisposable
{
    private readonly Dictionary<string, Tensor> _values;
    public IReadOnlyList<int> Tokens { get; }
    public string Text { get; }

    private ReferenceRun(string text, IReadOnlyList<int> tokens, Dictionary<string, Tensor> values)
    {
        Text = text;
        Tokens = tokens;
        _values = values;
    }

    public static ReferenceRun Capture(LoadedModel model, string text, IEnumerable<string> hooks)
    {
        var tokens = PromptTokens.Encode(model, text);
        var observer = new Capturing(new HashSet<string>(hooks, StringComparer.Ordinal));
        using (no_grad())
        using (NewDisposeScope())
        {
            model.Model.Forward(tensor(tokens.Select(t => (long)t).ToArray()), null, observer);
        }
        return new ReferenceRun(text, tokens, observer.Values);
    }

    /// <summary>The activation at <paramref name="hook"/> ([seq, ...]); owned by this run.</summary>
    public Tensor this[string hook] => _values.TryGetValue(hook, out var t) ? t : throw new KeyNotFoundException($"the reference run of \"{Text}\" did not keep {hook}");

    public void Dispose()
    {
        foreach (var t in _values.Values) t.Dispose();
        _values.Clear();
    }

    sealed class Capturing(HashSet<string> hooks) : IForwardObserver
    {
        public Dictionary<string, Tensor> Values { get; } = new(StringComparer.Ordinal);
        public void OnBlockStart(int layer) { }
        public Tensor OnHook(HookPoint point, Tensor value)
        {
            if (hooks.Contains(point.Name)) Values[point.Name] = value.detach().clone().DetachFromDisposeScope();
            return value;
        }
    }
}
