using LlmDebug.Engine.Expressions;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Expressions;

/// <summary>
/// Test context: absolute names, names relative to <see cref="CurrentBlock"/>, and the
/// "valid layers" message for out-of-range blocks. Owns its tensors.
/// </summary>
internal sealed class FakeContext : IExpressionContext, IDisposable
{
    public Dictionary<string, Tensor> Tensors { get; } = new();
    public int CurrentBlock { get; set; } = 3;
    public int Layers { get; set; } = 12;
    public List<string> Resolved { get; } = new();

    /// <summary>When set, called for names not in <see cref="Tensors"/> (simulates lazily computed hooks).</summary>
    public Func<string, Tensor?>? Lazy { get; set; }

    public FakeContext Add(string name, Tensor tensor)
    {
        Tensors[name] = tensor;
        return this;
    }

    public bool TryResolve(string name, out Tensor? value, out string? error)
    {
        Resolved.Add(name);
        error = null;
        if (Tensors.TryGetValue(name, out value)) return true;
        if (Tensors.TryGetValue($"blocks.{CurrentBlock}.{name}", out value)) return true;
        if (Lazy?.Invoke(name) is { } created)
        {
            Tensors[name] = created;
            value = created;
            return true;
        }
        var parts = name.Split('.');
        error = parts.Length > 1 && parts[0] == "blocks" && int.TryParse(parts[1], out int layer) && layer >= Layers
            ? $"unknown hook '{name}' — valid layers are 0…{Layers - 1}"
            : $"unknown hook '{name}'";
        value = null;
        return false;
    }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }

    /// <summary>The standard fixture used by most tests.</summary>
    public static FakeContext Standard() => new FakeContext()
        // x = [[1, -2, 3], [-4, 5, -6]]
        .Add("x", tensor(new float[] { 1, -2, 3, -4, 5, -6 }).reshape(2, 3))
        // v: the largest is at 3 (0.9), then 1 (0.7), then 4 (0.3)
        .Add("v", tensor(new float[] { 0.1f, 0.7f, 0.05f, 0.9f, 0.3f }))
        .Add("r", arange(10, ScalarType.Int64))
        .Add("blocks.3.hook_resid_post", tensor(new float[] { 10, -150, 20, 30 }).reshape(1, 4))
        .Add("blocks.11.attn.hook_pattern", ones(2, 5, 5) / 5)
        .Add("scalar0d", tensor(2.5f));
}
