using LlmDebug.Engine.Models.Gpt2;

namespace LlmDebug.Cli.Commands;

/// <summary>
/// <c>llmdebug make-model --out DIR</c>: a GPT-2 with random weights in the Hugging Face folder format, for
/// benchmarks and tests (e.g. GPT-2-small's shape: --layers 12 --heads 12 --d-model 768 --context 1024).
/// </summary>
static class MakeModelCommand
{
    public static int Run(CliArguments args)
    {
        string folder = args.Require("out");
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new CliException($"{folder} is not empty; choose a new folder");
        var config = Gpt2FolderWriter.WriteRandom(folder, args.Int("layers", 12), args.Int("heads", 4), args.Int("d-model", 64),
            args.Int("context", 256), args.Int("vocab", 50257), args.Int("seed", 0),
            new Gpt2FolderLayout { StoreAs = args.Get("dtype") switch { "f16" => TorchSharp.torch.ScalarType.Float16, "bf16" => TorchSharp.torch.ScalarType.BFloat16, _ => TorchSharp.torch.ScalarType.Float32 } });
        Console.WriteLine($"wrote a random {config.Layers}-layer GPT-2 (d_model {config.DModel}) to {Path.GetFullPath(folder)}");
        return 0;
    }
}
