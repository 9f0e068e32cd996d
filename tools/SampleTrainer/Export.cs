using System.Text.Json;
using System.Text.Json.Nodes;
using LlmDebug.Engine.Models;
using LlmDebug.Engine.Models.Gpt2;
using TorchSharp;

namespace LlmDebug.SampleTrainer;

/// <summary>
/// <c>export CHECKPOINT FOLDER</c>: writes a training checkpoint as a Hugging Face GPT-2 folder (F16 weights with
/// published-GPT-2 names, the GPT-2 tokenizer files) plus a model card with the training record.
/// </summary>
static class Export
{
    public static int Run(string[] args)
    {
        if (args.Length != 2) { Console.Error.WriteLine("usage: SampleTrainer export CHECKPOINT FOLDER"); return 2; }
        string checkpoint = args[0], folder = args[1];
        var sidecar = JsonNode.Parse(File.ReadAllText(checkpoint + ".json"))!;
        var config = sidecar["config"].Deserialize<ModelConfig>()!;
        var weights = Checkpoint.Load(checkpoint, config);
        Gpt2FolderWriter.Write(folder, config, weights, new Gpt2FolderLayout { StoreAs = torch.ScalarType.Float16 });
        File.WriteAllText(Path.Combine(folder, "README.md"), ModelCard.Render(config, sidecar["progress"]!));
        Console.WriteLine($"exported {config.Name} to {folder}");
        return 0;
    }
}
