namespace LlmDebug.SampleTrainer;

sealed record TrainOptions
{
    public int Steps { get; init; } = 1200;
    public int BatchSize { get; init; } = 8;
    public int BlockSize { get; init; } = 256;
    public double LearningRate { get; init; } = 3e-3;
    public int Seed { get; init; } = 1611;
    public int Threads { get; init; } = 2;
    public int EvalEvery { get; init; } = 200;
    public string CheckpointFile { get; init; } = "sample-training.ckpt";
    public string? CorpusFile { get; init; }

    public static TrainOptions Parse(string[] args)
    {
        var o = new TrainOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--steps" => o with { Steps = int.Parse(Next()) },
                "--batch" => o with { BatchSize = int.Parse(Next()) },
                "--block" => o with { BlockSize = int.Parse(Next()) },
                "--lr" => o with { LearningRate = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--seed" => o with { Seed = int.Parse(Next()) },
                "--threads" => o with { Threads = int.Parse(Next()) },
                "--eval-every" => o with { EvalEvery = int.Parse(Next()) },
                "--checkpoint" => o with { CheckpointFile = Next() },
                "--corpus" => o with { CorpusFile = Next() },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}
