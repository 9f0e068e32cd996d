namespace LlmDebug.Benchmarks;

sealed record BenchOptions
{
    public int Layers { get; init; } = 12;
    public int Heads { get; init; } = 12;
    public int DModel { get; init; } = 768;
    public int Context { get; init; } = 1024;
    public int Seq { get; init; } = 128;
    public int Tokens { get; init; } = 200;
    public int Reps { get; init; } = 15;
    public int? Threads { get; init; }   // default: what the debugger picks for this model

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            int v = int.Parse(args[i + 1]);
            o = args[i] switch
            {
                "--layers" => o with { Layers = v }, "--heads" => o with { Heads = v }, "--d-model" => o with { DModel = v },
                "--context" => o with { Context = v }, "--seq" => o with { Seq = v }, "--tokens" => o with { Tokens = v },
                "--reps" => o with { Reps = v }, "--threads" => o with { Threads = v },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

static class MachineInfo
{
    public static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    public static double MemoryGb() =>
        double.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024 / 1024;
}
