using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Models;

/// <summary>
/// Keys and values of the positions already processed, per layer, so a generation step only computes the new
/// token. Each layer keeps one buffer whose capacity doubles when full; a step writes its rows into the buffer
/// and reads a view of the filled part. (Concatenating a new, one-row-larger tensor every step instead made the
/// process grow by ~470 MB over 200 tokens of GPT-2 small: the allocator could not reuse the freed, smaller blocks.)
/// The buffers are owned by the cache, outside any dispose scope of the forward pass.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;
    private readonly int[] _filled;

    public KvCache(int layers)
    {
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
        _filled = new int[layers];
    }

    /// <summary>Number of positions cached (identical for every layer after a full forward).</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Appends this step's keys/values ([seq, heads, d_head]) for <paramref name="layer"/> and returns views of all
    /// positions so far. The views belong to the caller's dispose scope; the buffers behind them to the cache.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        int start = _filled[layer], end = start + (int)keys.shape[0];
        _keys[layer] = Fit(_keys[layer], keys, start, end);
        _values[layer] = Fit(_values[layer], values, start, end);
        _keys[layer]!.narrow(0, start, end - start).copy_(keys);
        _values[layer]!.narrow(0, start, end - start).copy_(values);
        _filled[layer] = end;
        if (layer == _keys.Length - 1) Length = end;
        return (_keys[layer]!.narrow(0, 0, end), _values[layer]!.narrow(0, 0, end));
    }

    /// <summary>The layer's buffer, grown (doubling, keeping its rows) when <paramref name="end"/> rows won't fit.</summary>
    static Tensor Fit(Tensor? buffer, Tensor rows, int filled, int end)
    {
        long capacity = buffer?.shape[0] ?? 0;
        if (buffer is not null && end <= capacity) return buffer;
        long newCapacity = Math.Max(end, Math.Max(16, 2 * capacity));
        using var scope = NewDisposeScope();
        var grown = zeros([newCapacity, .. rows.shape[1..]], dtype: rows.dtype);
        if (buffer is not null && filled > 0) grown.narrow(0, 0, filled).copy_(buffer.narrow(0, 0, filled));
        buffer?.Dispose();
        return grown.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var t in _keys) t?.Dispose();
        foreach (var t in _values) t?.Dispose();
        Array.Clear(_keys);
        Array.Clear(_values);
        Array.Clear(_filled);
        Length = 0;
    }
}
