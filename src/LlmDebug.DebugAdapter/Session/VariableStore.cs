using LlmDebug.DebugAdapter.Protocol;
using TorchSharp;

namespace LlmDebug.DebugAdapter.Session;

/// <summary>Something the Variables pane can expand: a scope, a tensor, a list.</summary>
public interface IVariableContainer
{
    /// <summary>Children from <paramref name="start"/> (at most <paramref name="count"/>) — the client pages big tensors.</summary>
    IEnumerable<Variable> Children(int start, int count);
    int Count { get; }
}

/// <summary>
/// variablesReference → container for the current stop. References and the tensor views made for them are only
/// valid while stopped: <see cref="Reset"/> runs when execution resumes and frees the views' native memory.
/// </summary>
public sealed class VariableStore
{
    private readonly object _gate = new();
    private readonly Dictionary<int, IVariableContainer> _containers = new();
    private readonly List<torch.Tensor> _owned = [];
    private int _next = 1;

    public int Add(IVariableContainer container)
    {
        lock (_gate) { _containers[_next] = container; return _next++; }
    }

    public IVariableContainer? Get(int reference)
    {
        lock (_gate) return _containers.GetValueOrDefault(reference);
    }

    /// <summary>Keeps a tensor made for display (a slice or an evaluation result) until the next resume.</summary>
    public torch.Tensor Own(torch.Tensor t)
    {
        t.DetachFromDisposeScope();
        lock (_gate) _owned.Add(t);
        return t;
    }

    public void Reset()
    {
        lock (_gate)
        {
            _containers.Clear();
            foreach (var t in _owned) t.Dispose();
            _owned.Clear();
        }
    }
}

/// <summary>A fixed list of variables, built on first expansion.</summary>
public sealed class VariableList(Func<IReadOnlyList<Variable>> build) : IVariableContainer
{
    private IReadOnlyList<Variable>? _items;
    private IReadOnlyList<Variable> Items => _items ??= build();
    public int Count => Items.Count;
    public IEnumerable<Variable> Children(int start, int count) => Items.Skip(start).Take(count);
}
