using TorchSharp;

namespace LlmDebug.Engine.Hooks;

/// <summary>Passes activations through the observer, if any. Without one a hook point costs a null check.</summary>
public readonly struct HookRunner(IForwardObserver? observer)
{
    public torch.Tensor At(HookPoint point, torch.Tensor value) => observer is null ? value : observer.OnHook(point, value);
    public void BlockStart(int layer) => observer?.OnBlockStart(layer);
}
