using LlmDebug.Engine.Hooks;

namespace LlmDebug.Engine.Runtime;

/// <summary>
/// The stop locations of one token step in execution order: the embedding hooks, then per block its start and
/// its hooks, then the final hooks. Every token step walks the same plan; the listing shows it one line each.
/// </summary>
public sealed class ExecutionPlan
{
    public IReadOnlyList<ForwardLocation> Locations { get; }
    private readonly Dictionary<string, ForwardLocation> _byHook = new(StringComparer.Ordinal);
    private readonly ForwardLocation[] _blockStarts;

    public ExecutionPlan(HookLayout layout)
    {
        var list = new List<ForwardLocation>();
        void AddHook(HookPoint h) { var loc = new ForwardLocation(list.Count, ForwardLocationKind.Hook, h.Layer, h); list.Add(loc); _byHook[h.Name] = loc; }
        foreach (var h in layout.Prelude) AddHook(h);
        _blockStarts = new ForwardLocation[layout.Layers];
        for (int layer = 0; layer < layout.Layers; layer++)
        {
            _blockStarts[layer] = new ForwardLocation(list.Count, ForwardLocationKind.BlockStart, layer, null);
            list.Add(_blockStarts[layer]);
            foreach (var h in layout.Blocks[layer]) AddHook(h);
        }
        foreach (var h in layout.Final) AddHook(h);
        Locations = list;
        Layout = layout;
    }

    public HookLayout Layout { get; }
    public ForwardLocation First => Locations[0];
    public ForwardLocation Last => Locations[^1];
    public ForwardLocation AtHook(HookPoint hook) => _byHook[hook.Name];
    public ForwardLocation? AtHook(string name) => _byHook.GetValueOrDefault(name);
    public ForwardLocation BlockStart(int layer) => _blockStarts[layer];
    public int Layers => _blockStarts.Length;

    /// <summary>The last location inside the block that contains <paramref name="loc"/> (its last hook).</summary>
    public ForwardLocation EndOfBlock(int layer) => AtHook(Layout.Blocks[layer][^1]);
}
