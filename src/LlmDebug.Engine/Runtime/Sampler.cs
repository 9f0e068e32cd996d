using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Runtime;

/// <summary>
/// Picks the next token from the last position's logits: greedy when temperature is 0, otherwise softmax at
/// that temperature restricted to the top-k tokens, drawn with a seeded <see cref="Random"/> so runs repeat.
/// </summary>
public sealed class Sampler(double temperature, int topK, int seed)
{
    private readonly Random _random = new(seed);
    public bool Greedy => temperature <= 0;

    public int Next(Tensor lastLogits)
    {
        using var scope = NewDisposeScope();
        if (Greedy) return (int)lastLogits.argmax().item<long>();
        var scaled = lastLogits / temperature;
        int k = topK > 0 ? Math.Min(topK, (int)scaled.shape[0]) : (int)scaled.shape[0];
        var (values, indices) = scaled.topk(k);
        var probs = values.softmax(0).to_type(ScalarType.Float64).data<double>().ToArray();
        var ids = indices.data<long>().ToArray();
        double u = _random.NextDouble(), acc = 0;
        for (int i = 0; i < probs.Length; i++)
        {
            acc += probs[i];
            if (u < acc) return (int)ids[i];
        }
        return (int)ids[^1];
    }
}
