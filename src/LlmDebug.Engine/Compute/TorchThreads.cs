using TorchSharp;

namespace LlmDebug.Engine.Compute;

/// <summary>
/// libtorch's intra-op thread count. Interactive debugging runs small forward passes (one token at a time), where
/// extra threads cost more in synchronisation than they gain: measured on a 2-vCPU machine, one GPT-2-small block
/// took 11–15 ms at 1 thread and ~138 ms at 2. So inference defaults to 1 thread; training (large batched matmuls)
/// does better with all cores. Override with <c>--threads N</c> or the LLMDEBUG_THREADS environment variable.
/// </summary>
public static class TorchThreads
{
    public const string EnvironmentVariable = "LLMDEBUG_THREADS";
    public const int InferenceDefault = 1;

    /// <summary>Applies the requested count (argument, else environment, else <paramref name="fallback"/>) and returns it.</summary>
    public static int Configure(int? requested = null, int fallback = InferenceDefault)
    {
        int threads = requested
            ?? (int.TryParse(Environment.GetEnvironmentVariable(EnvironmentVariable), out var env) ? env : fallback);
        threads = Math.Clamp(threads, 1, Environment.ProcessorCount);
        torch.set_num_threads(threads);
        return threads;
    }
}
