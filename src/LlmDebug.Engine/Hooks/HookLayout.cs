namespace LlmDebug.Engine.Hooks;

/// <summary>
/// Every hook point of one model in execution order: the hooks before the blocks, each block's hooks
/// (unrolled per layer), and the hooks after the blocks. A family describes its hooks once with
/// <see cref="HookTemplate"/>s; the layout expands them for the model's layer count.
/// </summary>
public sealed class HookLayout
{
    public IReadOnlyList<HookPoint> All { get; }
    public IReadOnlyList<HookPoint> Prelude { get; }
    public IReadOnlyList<IReadOnlyList<HookPoint>> Blocks { get; }
    public IReadOnlyList<HookPoint> Final { get; }
    public int Layers => Blocks.Count;
    private readonly Dictionary<string, HookPoint> _byName;

    public HookLayout(IEnumerable<HookTemplate> prelude, IEnumerable<HookTemplate> block, IEnumerable<HookTemplate> final, int layers)
    {
        var all = new List<HookPoint>();
        HookPoint Add(HookTemplate t, int layer)
        {
            string name = layer < 0 ? t.LocalName : $"blocks.{layer}.{t.LocalName}";
            var p = new HookPoint(name, layer, t.LocalName, all.Count, t.Shape, t.Description);
            all.Add(p);
            return p;
        }
        Prelude = prelude.Select(t => Add(t, -1)).ToList();
        var blockTemplates = block.ToList();
        Blocks = Enumerable.Range(0, layers).Select(l => (IReadOnlyList<HookPoint>)blockTemplates.Select(t => Add(t, l)).ToList()).ToList();
        Final = final.Select(t => Add(t, -1)).ToList();
        All = all;
        _byName = all.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    public HookPoint? Find(string name) => _byName.GetValueOrDefault(name);

    public HookPoint this[string name] =>
        _byName.TryGetValue(name, out var p) ? p : throw new KeyNotFoundException($"no hook point named '{name}'");

    /// <summary>The hook of a block by its local name, e.g. <c>Block(11, "attn.hook_pattern")</c>.</summary>
    public HookPoint Block(int layer, string localName) => this[$"blocks.{layer}.{localName}"];

    /// <summary>Local names of one block's hooks in execution order (same for every layer).</summary>
    public IEnumerable<string> BlockLocalNames => Blocks.Count > 0 ? Blocks[0].Select(h => h.LocalName) : [];
}

/// <summary>A hook point as a family declares it, before it is unrolled per layer.</summary>
public sealed record HookTemplate(string LocalName, string Shape, string Description);
