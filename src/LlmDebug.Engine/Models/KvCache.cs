using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Models;

/// <summary>
/// Keys and values of the positions already processed, per layer, so a generation step only
/// computes the new token. Tensors here are owned by the cache (detached from forward dispose scopes).
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;

    public KvCache(int layers)
    {
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
    }

    /// <summary>Number of positions cached (identical for every layer after a full forward).</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Appends this step's keys/values ([seq, heads, d_head]) for <paramref name="layer"/> and returns all of them.
    /// The returned tensors belong to the cache: do not dispose them.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        Tensor k = _keys[layer] is { } oldK ? cat([oldK, keys], 0) : keys.clone();
        Tensor v = _values[layer] is { } oldV ? cat([oldV, values], 0) : values.clone();
        k.DetachFromDisposeScope();
        v.DetachFromDisposeScope();
        _keys[layer]?.Dispose();
        _values[layer]?.Dispose();
        _keys[layer] = k;
        _values[layer] = v;
        if (layer == _keys.Length - 1) Length = (int)k.shape[0];
        return (k, v);
    }

    public void Dispose()
    {
        foreach (var t in _keys) t?.Dispose();
        foreach (var t in _values) t?.Dispose();
        Array.Clear(_keys);
        Array.Clear(_values);
        Length = 0;
    }
}
