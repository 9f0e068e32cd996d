using TorchSharp;

namespace LlmDebug.Engine.Hooks;

/// <summary>
/// Receives control at every hook point of a forward pass. This is how capture, breakpoints,
/// stepping and interventions work, without TorchSharp module hooks (which only fire through call()).
/// </summary>
public interface IForwardObserver
{
    /// <summary>The forward pass is about to run block <paramref name="layer"/>.</summary>
    void OnBlockStart(int layer);

    /// <summary>
    /// Called with the activation at <paramref name="point"/>. Return <paramref name="value"/> unchanged to
    /// observe only, or a replacement tensor of the same shape to intervene. The value belongs to the forward
    /// pass's dispose scope; an observer that keeps it must detach it from that scope.
    /// </summary>
    torch.Tensor OnHook(HookPoint point, torch.Tensor value);
}
