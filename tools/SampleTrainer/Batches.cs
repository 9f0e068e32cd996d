using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.SampleTrainer;

static class Batches
{
    /// <summary>Random windows of the token stream; targets are the inputs shifted by one.</summary>
    public static (Tensor Inputs, Tensor Targets) Sample(Tensor tokens, int batch, int block, Random rng)
    {
        long max = tokens.shape[0] - block - 1;
        var starts = Enumerable.Range(0, batch).Select(_ => rng.NextInt64(max)).ToArray();
        var inputs = stack(starts.Select(s => tokens.narrow(0, s, block)).ToArray());
        var targets = stack(starts.Select(s => tokens.narrow(0, s + 1, block)).ToArray());
        return (inputs, targets);
    }
}

static class LearningRate
{
    /// <summary>Linear warm-up, then cosine decay to a tenth of the peak.</summary>
    public static double At(int step, int total, double peak, int warmup)
    {
        if (step <= warmup) return peak * step / Math.Max(1, warmup);
        double progress = (double)(step - warmup) / Math.Max(1, total - warmup);
        return peak * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
