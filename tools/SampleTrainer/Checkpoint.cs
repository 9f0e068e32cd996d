using System.Text.Json;
using LlmDebug.Engine.Models;
using LlmDebug.Engine.Models.Gpt2;
using TorchSharp;

namespace LlmDebug.SampleTrainer;

/// <summary>
/// Intermediate training state: the tensors in <see cref="Gpt2Weights.Named"/> order (TorchSharp's own tensor
/// format) plus a JSON sidecar with the config and progress. <c>export</c> turns it into a Hugging Face folder.
/// </summary>
static class Checkpoint
{
    public static void Save(string path, ModelConfig config, Gpt2Weights weights, object progress)
    {
        string tmp = path + ".tmp";
        using (var writer = new BinaryWriter(File.Create(tmp)))
            foreach (var (_, t) in weights.Named())
                t.detach().Save(writer);
        File.Move(tmp, path, overwrite: true);
        File.WriteAllText(path + ".json", JsonSerializer.Serialize(new { config, progress }, new JsonSerializerOptions { WriteIndented = true }));
    }

    public static Gpt2Weights Load(string path, ModelConfig config)
    {
        var template = Gpt2Weights.Random(config, seed: 0);
        using var reader = new BinaryReader(File.OpenRead(path));
        var named = template.Named().ToDictionary(p => p.Name, p => { p.Value.Load(reader); return p.Value; });
        return Gpt2Weights.FromNamed(config, named);
    }
}
