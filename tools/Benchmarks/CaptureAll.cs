using LlmDebug.Engine.Hooks;
using LlmDebug.Engine.Runtime;
using TorchSharp;

namespace LlmDebug.Benchmarks;

/// <summary>An observer that keeps every hook point's activation, as the debugger does with capture "all".</summary>
sealed class CaptureAll : IForwardObserver
{
    public StepCapture Capture { get; } = new();
    public void OnBlockStart(int layer) { }
    public torch.Tensor OnHook(HookPoint point, torch.Tensor value)
    {
        Capture.Add(point, value);
        return value;
    }
}
