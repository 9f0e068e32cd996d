using LlmDebug.Engine.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Loading;

public class CheckpointFilesTests
{
    private static Dictionary<string, Tensor> FixtureTensors() => new()
    {
        ["wte.weight"] = torch.arange(12, dtype: ScalarType.Float32).reshape(4, 3),
        ["wpe.weight"] = torch.full(2, 3, 0.5f),
        ["ln_f.weight"] = torch.ones(3),
        ["ln_f.bias"] = torch.zeros(3),
        ["h.0.mlp.c_fc.weight"] = torch.eye(3),
    };

    [Fact]
    public void Single_file_checkpoint_is_found()
    {
        using var folder = new TempFolder();
        var tensors = FixtureTensors();
        SafetensorsWriter.Write(folder.File("model.safetensors"), tensors);

        using var checkpoint = CheckpointFiles.Open(folder.Path);

        Assert.Single(checkpoint.FilePaths);
        Assert.Equal(tensors.Keys.Order(), checkpoint.Entries.Keys.Order());
        using var wte = checkpoint.Load("wte.weight");
        Assert.True(wte.equal(tensors["wte.weight"]).all().item<bool>());
    }

    [Fact]
    public void Sharded_checkpoint_merges_all_shards()
    {
        using var folder = new TempFolder();
        var tensors = FixtureTensors();
        var shards = SafetensorsWriter.WriteSharded(folder.Path, tensors, shardCount: 2, storeAs: ScalarType.BFloat16);

        using var checkpoint = CheckpointFiles.Open(folder.Path);

        Assert.Equal(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"], shards);
        Assert.Equal(2, checkpoint.FilePaths.Count);
        Assert.Equal(tensors.Keys.Order(), checkpoint.Entries.Keys.Order());
        // Tensors really are spread over both files.
        Assert.Equal(2, checkpoint.Entries.Values.Select(e => e.FilePath).Distinct().Count());
        foreach (var (name, expected) in tensors)
        {
            Assert.Equal("BF16", checkpoint.GetEntry(name).DType);
            using var loaded = checkpoint.Load(name);
            Assert.True(loaded.equal(expected).all().item<bool>(), name); // small integers and 0.5 are exact in BF16
        }
    }

    [Fact]
    public void Shard_listed_in_index_but_missing_is_named()
    {
        using var folder = new TempFolder();
        var shards = SafetensorsWriter.WriteSharded(folder.Path, FixtureTensors(), shardCount: 2);
        File.Delete(folder.File(shards[1]));

        var error = Assert.Throws<ModelLoadException>(() => CheckpointFiles.Open(folder.Path));

        Assert.Contains("model.safetensors.index.json", error.Message);
        Assert.Contains("model-00002-of-00002.safetensors", error.Message);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void Index_naming_a_tensor_its_shard_lacks_is_rejected()
    {
        using var folder = new TempFolder();
        SafetensorsWriter.Write(folder.File("part.safetensors"), new Dictionary<string, Tensor> { ["a"] = torch.ones(1) });
        File.WriteAllText(folder.File("model.safetensors.index.json"),
            """{"weight_map": {"a": "part.safetensors", "lm_head.weight": "part.safetensors"}}""");

        var error = Assert.Throws<ModelLoadException>(() => CheckpointFiles.Open(folder.Path));

        Assert.Contains("lm_head.weight", error.Message);
        Assert.Contains("part.safetensors", error.Message);
    }

    [Fact]
    public void Folder_without_weights_lists_what_was_looked_for()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("pytorch_model.bin"), "not supported");

        var error = Assert.Throws<ModelLoadException>(() => CheckpointFiles.Open(folder.Path));

        Assert.Contains(folder.Path, error.Message);
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("model.safetensors.index.json", error.Message);
    }

    [Fact]
    public void Unknown_tensor_in_checkpoint_is_named()
    {
        using var folder = new TempFolder();
        SafetensorsWriter.Write(folder.File("model.safetensors"), FixtureTensors());
        using var checkpoint = CheckpointFiles.Open(folder.Path);

        var error = Assert.Throws<ModelLoadException>(() => checkpoint.Load("lm_head.weight"));

        Assert.Contains("lm_head.weight", error.Message);
    }
}
