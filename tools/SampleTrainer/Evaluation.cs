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
        double total = 0; long count = 0;
        for (long start = 0; start + block + 1 <= tokens.shape[0]; start += block)
        {
            using var scope = NewDisposeScope();   // per window: logits are [block, vocab] each
            var input = tokens.narrow(0, start, block).unsqueeze(0);
            var target = tokens.narrow(0, start + 1, block);
            var logits = model.Forward(input).squeeze(0);
            total += nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum).item<float>();
            count += block;
        }
        return total / count;
    }
}
