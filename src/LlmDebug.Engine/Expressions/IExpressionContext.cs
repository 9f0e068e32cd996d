using TorchSharp;

namespace LlmDebug.Engine.Expressions;

/// <summary>
/// Supplies captured tensors to the evaluator. The context owns every tensor it hands out: the
/// evaluator never disposes them (if a context creates the tensor lazily while the evaluator's
/// dispose scope is active, the evaluator detaches that returned tensor from its scope so it survives).
/// </summary>
public interface IExpressionContext
{
    /// <summary>
    /// Resolve a (possibly relative) hook name such as <c>blocks.11.attn.hook_pattern</c> or
    /// <c>attn.hook_pattern</c> to a captured tensor. Return false with a user-facing reason if the
    /// name is unknown or was not captured.
    /// </summary>
    bool TryResolve(string name, out torch.Tensor? value, out string? error);
}
