using System.Diagnostics;

namespace LlmDebug.Benchmarks;

static class Measure
{
    /// <summary>Median wall time in ms of <paramref name="reps"/> runs after <paramref name="warmup"/> unmeasured ones.</summary>
    public static double MedianMs(Action action, int reps, int warmup = 2)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[reps / 2];
    }

    /// <summary>
    /// Two actions measured interleaved (A, B, A, B, …) so drift in machine load hits both alike; returns medians.
    /// </summary>
    public static (double A, double B) PairedMedianMs(Action a, Action b, int reps, int warmup = 2)
    {
        for (int i = 0; i < warmup; i++) { a(); b(); }
        var ta = new double[reps];
        var tb = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            var clock = Stopwatch.StartNew(); a(); ta[i] = clock.Elapsed.TotalMilliseconds;
            clock.Restart(); b(); tb[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(ta);
        Array.Sort(tb);
        return (ta[reps / 2], tb[reps / 2]);
    }

    public static double RssMb()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:")) return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }
}
