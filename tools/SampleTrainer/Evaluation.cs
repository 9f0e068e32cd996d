using LlmDebug.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.SampleTrainer;

static class Evaluation
{
    /// <summary>Mean next-token cross-entropy (nats/token) over consecutive windows of the held-out text.</summary>
    public static double HeldOutLoss(TransformerModel model, Tensor tokens, int block)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        double total = 0; long count = 0;
        for (long start = 0; start + block + 1 <= tokens.shape[0]; start += block)
        {
            var input = tokens.narrow(0, start, block).unsqueeze(0);
            var target = tokens.narrow(0, start + 1, block);
            var logits = model.Forward(input).squeeze(0);
            total += nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum).item<float>();
            count += block;
        }
        return total / count;
    }
}
