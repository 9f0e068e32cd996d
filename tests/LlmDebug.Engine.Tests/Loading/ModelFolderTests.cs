using System.Text.Json.Nodes;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Models.Gpt2;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Loading;

/// <summary>A 2-layer synthetic GPT-2 written once in F32 (the reference), with its logits on fixed tokens.</summary>
public sealed class ReferenceFolderFixture : IDisposable
{
    public const int Layers = 2, Heads = 4, DModel = 32, Context = 32;
    public static readonly long[] TokenIds = [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13];
    private readonly TempFolder _folder = new();
    public string Folder => _folder.Path;
    public float[] Logits { get; }

    public ReferenceFolderFixture()
    {
        SyntheticGpt2.Write(_folder.Path, Layers, Heads, DModel, Context);
        using var model = ModelLoader.Load(_folder.Path);
        Logits = LogitsOf(model);
    }

    public static float[] LogitsOf(LoadedModel model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return model.Model.Forward(tensor(TokenIds)).data<float>().ToArray();
    }

    public static LlmDebug.Engine.Models.ModelConfig Write(string folder, Gpt2FolderLayout? layout = null) =>
        SyntheticGpt2.Write(folder, Layers, Heads, DModel, Context, layout: layout);

    /// <summary>Copies the reference folder to a new temp folder that a test may break.</summary>
    public TempFolder Copy()
    {
        var copy = new TempFolder();
        foreach (var file in Directory.GetFiles(Folder)) File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        return copy;
    }

    public void Dispose() => _folder.Dispose();
}

public class ModelFolderTests(ReferenceFolderFixture fx) : IClassFixture<ReferenceFolderFixture>
{
    public static TheoryData<string> Layouts => ["published", "prefix", "lm_head", "f16", "bf16", "shards", "no_tokenizer_files"];

    static (Gpt2FolderLayout Layout, double Tolerance) LayoutOf(string name) => name switch
    {
        "published" => (new Gpt2FolderLayout { MaskBuffers = true }, 0),
        "prefix" => (new Gpt2FolderLayout { TransformerPrefix = true }, 0),
        "lm_head" => (new Gpt2FolderLayout { TransformerPrefix = true, LmHead = true }, 0),
        "f16" => (new Gpt2FolderLayout { StoreAs = ScalarType.Float16 }, 5e-3),
        "bf16" => (new Gpt2FolderLayout { StoreAs = ScalarType.BFloat16, MaskBuffers = true }, 4e-2),
        "shards" => (new Gpt2FolderLayout { Shards = 3 }, 0),
        "no_tokenizer_files" => (new Gpt2FolderLayout { TokenizerFiles = false }, 0),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_layout_loads_to_the_same_logits_and_leaves_the_folder_unchanged(string layoutName)
    {
        var (layout, tolerance) = LayoutOf(layoutName);
        using var folder = new TempFolder();
        ReferenceFolderFixture.Write(folder.Path, layout);
        var before = SyntheticGpt2.Snapshot(folder.Path);

        float[] logits;
        using (var model = ModelLoader.Load(folder.Path))
        {
            logits = ReferenceFolderFixture.LogitsOf(model);
            string expectedDType = layout.StoreAs switch { ScalarType.Float16 => "F16", ScalarType.BFloat16 => "BF16", _ => "F32" };
            Assert.Equal(expectedDType, model.Config.StoredDType);
            Assert.Equal(50256, model.Config.EndOfTextTokenId);
            Assert.Equal([15496, 995], model.Tokenizer.Encode("Hello world"));
            if (!layout.TokenizerFiles) Assert.Contains("tiktoken", model.Tokenizer.Source);
        }

        Assert.Equal(fx.Logits.Length, logits.Length);
        double diff = fx.Logits.Zip(logits, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(diff <= tolerance, $"{layoutName}: logits differ from the F32 original by {diff} (tolerance {tolerance})");
        Assert.Equal(before, SyntheticGpt2.Snapshot(folder.Path));
    }

    [Fact]
    public void The_layout_tolerance_is_far_below_the_difference_between_two_models()
    {
        using var folder = new TempFolder();
        SyntheticGpt2.Write(folder.Path, ReferenceFolderFixture.Layers, ReferenceFolderFixture.Heads, ReferenceFolderFixture.DModel,
            ReferenceFolderFixture.Context, seed: 99, layout: new Gpt2FolderLayout { TokenizerFiles = false });
        using var model = ModelLoader.Load(folder.Path);
        var other = ReferenceFolderFixture.LogitsOf(model);
        double diff = fx.Logits.Zip(other, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(diff > 0.2, $"a model with other weights should differ by far more than the bf16 tolerance, got {diff}");
    }

    // ---- errors ---------------------------------------------------------------------------------------------

    /// <summary>Rewrites model.safetensors after editing its name → tensor map (stored dtypes kept).</summary>
    static void RewriteCheckpoint(string folder, Action<Dictionary<string, Tensor>> edit)
    {
        string path = Path.Combine(folder, CheckpointFiles.SingleFileName);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        using (var file = SafetensorsFile.Open(path))
            foreach (var name in file.Entries.Keys) tensors[name] = file.Load(name, computeType: null);
        edit(tensors);
        SafetensorsWriter.Write(path, tensors, metadata: new Dictionary<string, string> { ["format"] = "pt" });
    }

    static void EditConfig(string folder, Action<JsonObject> edit)
    {
        string path = Path.Combine(folder, ConfigJson.FileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    static ModelLoadException LoadFails(string folder) => Assert.Throws<ModelLoadException>(() => ModelLoader.Load(folder).Dispose());

    [Fact]
    public void A_missing_tensor_is_named()
    {
        using var folder = fx.Copy();
        RewriteCheckpoint(folder.Path, t => t.Remove("h.1.mlp.c_fc.bias"));
        var error = LoadFails(folder.Path);
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("h.1.mlp.c_fc.bias", error.Message);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void An_extra_tensor_is_named()
    {
        using var folder = fx.Copy();
        RewriteCheckpoint(folder.Path, t => t["h.0.attn.rotary.inv_freq"] = zeros(4));
        var error = LoadFails(folder.Path);
        Assert.Contains("h.0.attn.rotary.inv_freq", error.Message);
        Assert.Contains("unexpected", error.Message);
    }

    [Fact]
    public void A_misshapen_tensor_names_file_tensor_and_both_shapes()
    {
        using var folder = fx.Copy();
        RewriteCheckpoint(folder.Path, t => t["h.1.attn.c_proj.weight"] = zeros(32, 16));
        var error = LoadFails(folder.Path);
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("h.1.attn.c_proj.weight", error.Message);
        Assert.Contains("[32, 16]", error.Message);
        Assert.Contains("expected [32, 32]", error.Message);
    }

    [Fact]
    public void A_shard_listed_in_the_index_but_absent_is_named()
    {
        using var folder = new TempFolder();
        ReferenceFolderFixture.Write(folder.Path, new Gpt2FolderLayout { Shards = 3, TokenizerFiles = false });
        File.Delete(Path.Combine(folder.Path, "model-00002-of-00003.safetensors"));
        var error = LoadFails(folder.Path);
        Assert.Contains(CheckpointFiles.IndexFileName, error.Message);
        Assert.Contains("model-00002-of-00003.safetensors", error.Message);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void A_truncated_safetensors_file_is_refused()
    {
        using var folder = fx.Copy();
        string path = Path.Combine(folder.Path, CheckpointFiles.SingleFileName);
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(stream.Length - 1000);
        var error = LoadFails(folder.Path);
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_config_without_n_layer_is_refused()
    {
        using var folder = fx.Copy();
        EditConfig(folder.Path, c => c.Remove("n_layer"));
        var error = LoadFails(folder.Path);
        Assert.Contains("config.json", error.Message);
        Assert.Contains("\"n_layer\"", error.Message);
    }

    [Fact]
    public void An_unsupported_model_type_lists_the_supported_ones()
    {
        using var folder = fx.Copy();
        EditConfig(folder.Path, c => c["model_type"] = "llama");
        var error = LoadFails(folder.Path);
        Assert.Contains("'llama'", error.Message);
        Assert.Contains("supported model types: gpt2", error.Message);
    }

    [Fact]
    public void N_embd_not_divisible_by_n_head_is_refused()
    {
        using var folder = fx.Copy();
        EditConfig(folder.Path, c => c["n_head"] = 5);
        var error = LoadFails(folder.Path);
        Assert.Contains("config.json", error.Message);
        Assert.Contains("n_embd (32) must be divisible by n_head (5)", error.Message);
    }

    [Fact]
    public void A_failed_load_leaves_the_folder_unchanged()
    {
        using var folder = fx.Copy();
        RewriteCheckpoint(folder.Path, t => t.Remove("ln_f.bias"));
        var before = SyntheticGpt2.Snapshot(folder.Path);
        LoadFails(folder.Path);
        Assert.Equal(before, SyntheticGpt2.Snapshot(folder.Path));
    }
}
