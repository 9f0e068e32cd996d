using LlmDebug.Engine.Hooks;
using TorchSharp;

namespace LlmDebug.Engine.Runtime;

/// <summary>
/// The activations kept during one token step. Owns its tensors: they are detached from the forward pass's
/// dispose scope when captured and freed together when the step ends, so memory stays flat over long generations.
/// </summary>
public sealed class StepCapture : IDisposable
{
    private readonly Dictionary<string, torch.Tensor> _values = new(StringComparer.Ordinal);

    public void Add(HookPoint hook, torch.Tensor value)
    {
        value.DetachFromDisposeScope();
        if (_values.Remove(hook.Name, out var old) && !ReferenceEquals(old, value)) old.Dispose();
        _values[hook.Name] = value;
    }

    public bool TryGet(string name, out torch.Tensor value) => _values.TryGetValue(name, out value!);
    public IEnumerable<string> Names => _values.Keys;
    public int Count => _values.Count;

    public void Dispose()
    {
        foreach (var t in _values.Values) t.Dispose();
        _values.Clear();
    }
}
