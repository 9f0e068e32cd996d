using LlmDebug.Engine.Models;
using TorchSharp;

namespace LlmDebug.Engine.Compute;

/// <summary>
/// libtorch's intra-op thread count, chosen per model because the best count depends on the size of the matmuls.
/// Measured on an idle 2-vCPU machine (tools/Benchmarks, one cached token step of a 12-layer GPT-2):
/// d_model 128: 6.6 ms at 1 thread, 6.9 ms at 2; d_model 256: 14.6 vs 8.9 ms; d_model 768: 51.7 vs 29.7 ms.
/// On a busy machine a second thread can instead cost several times more (waiting for a core), which is why small
/// models stay on one thread. Override with the <c>threads</c> launch argument, <c>--threads N</c> or LLMDEBUG_THREADS.
/// </summary>
public static class TorchThreads
{
    public const string EnvironmentVariable = "LLMDEBUG_THREADS";

    /// <summary>Below this width extra threads do not pay for their synchronisation (see the measurements above).</summary>
    public const int MultiThreadFromDModel = 256;

    /// <summary>The default for a model: 1 thread for small models, every core for larger ones.</summary>
    public static int DefaultFor(ModelConfig? config) =>
        config is not null && config.DModel >= MultiThreadFromDModel ? Environment.ProcessorCount : 1;

    /// <summary>Applies the requested count (argument, else environment, else the default for the model) and returns it.</summary>
    public static int Configure(int? requested, ModelConfig? config)
    {
        int threads = requested
            ?? (int.TryParse(Environment.GetEnvironmentVariable(EnvironmentVariable), out var env) ? env : DefaultFor(config));
        threads = Math.Clamp(threads, 1, Environment.ProcessorCount);
        torch.set_num_threads(threads);
        return threads;
    }
}
