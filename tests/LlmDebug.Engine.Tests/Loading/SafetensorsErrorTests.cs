using LlmDebug.Engine.Loading;

namespace LlmDebug.Engine.Tests.Loading;

public class SafetensorsErrorTests
{
    [Fact]
    public void File_shorter_than_length_prefix_is_rejected()
    {
        using var folder = new TempFolder();
        var path = folder.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3, 4]);

        var error = Assert.Throws<ModelLoadException>(() => SafetensorsFile.Open(path));

        Assert.Contains("short.safetensors", error.Message);
        Assert.Contains("too short (4 bytes)", error.Message);
        Assert.Contains("at least 8 bytes", error.Message);
    }

    [Fact]
    public void Header_length_larger_than_file_is_rejected()
    {
        using var folder = new TempFolder();
        var path = folder.File("huge-header.safetensors");
        RawSafetensors.Write(path, "{}", [], claimedHeaderLength: 1_000_000);

        var error = Assert.Throws<ModelLoadException>(() => SafetensorsFile.Open(path));

        Assert.Contains("huge-header.safetensors", error.Message);
        Assert.Contains("header length 1000000", error.Message);
        Assert.Contains("at most 2 bytes", error.Message); // file = 8 + 2 bytes of "{}"
    }

    [Fact]
    public void Malformed_json_header_is_rejected()
    {
        using var folder = new TempFolder();
        var path = folder.File("bad-json.safetensors");
        RawSafetensors.Write(path, """{"w": {"dtype": "F32", """, []);

        var error = Assert.Throws<ModelLoadException>(() => SafetensorsFile.Open(path));

        Assert.Contains("bad-json.safetensors", error.Message);
        Assert.Contains("malformed JSON header", error.Message);
    }

    [Fact]
    public void Entry_missing_fields_is_rejected_with_tensor_name()
    {
        using var folder = new TempFolder();
        var path = folder.File("no-shape.safetensors");
        RawSafetensors.Write(path, """{"h.0.attn.c_attn.weight":{"dtype":"F32","data_offsets":[0,4]}}""", new byte[4]);

        var error = Assert.Throws<ModelLoadException>(() => SafetensorsFile.Open(path));

        Assert.Contains("no-shape.safetensors", error.Message);
        Assert.Contains("h.0.attn.c_attn.weight", error.Message);
        Assert.Contains("\"shape\"", error.Message);
    }

    [Fact]
    public void Data_offsets_past_end_of_file_are_rejected()
    {
        using var folder = new TempFolder();
        var path = folder.File("truncated.safetensors");
        // Claims 16 bytes of data but only 8 are present (a truncated download).
        RawSafetensors.Write(path, """{"wte.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[8]);

        var error = Assert.Throws<ModelLoadException>(() => SafetensorsFile.Open(path));

        Assert.Contains("truncated.safetensors", error.Message);
        Assert.Contains("wte.weight", error.Message);
        Assert.Contains("[0, 16]", error.Message);
        Assert.Contains("<= 8", error.Message);
        Assert.Equal("wte.weight", error.TensorName);
    }

    [Fact]
    public void Data_offsets_inconsistent_with_shape_and_dtype_are_rejected()
    {
        using var folder = new TempFolder();
        var path = folder.File("mismatch.safetensors");
        RawSafetensors.Write(path, """{"ln_f.bias":{"dtype":"F16","shape":[2,3],"data_offsets":[0,8]}}""", new byte[8]);

        var error = Assert.Throws<ModelLoadException>(() => SafetensorsFile.Open(path));

        Assert.Contains("mismatch.safetensors", error.Message);
        Assert.Contains("ln_f.bias", error.Message);
        Assert.Contains("span 8 bytes", error.Message);
        Assert.Contains("needs 12 bytes", error.Message);
    }

    [Fact]
    public void Unsupported_dtype_is_listed_but_fails_to_load_naming_supported_ones()
    {
        using var folder = new TempFolder();
        var path = folder.File("ints.safetensors");
        RawSafetensors.Write(path, """{"position_ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}""", new byte[16]);

        using var file = SafetensorsFile.Open(path);
        Assert.Equal("I64", file.Entries["position_ids"].DType);
        var error = Assert.Throws<ModelLoadException>(() => file.Load("position_ids"));

        Assert.Contains("ints.safetensors", error.Message);
        Assert.Contains("position_ids", error.Message);
        Assert.Contains("unsupported dtype I64", error.Message);
        Assert.Contains("F32, F16, BF16", error.Message);
    }

    [Fact]
    public void Unknown_tensor_name_is_rejected()
    {
        using var folder = new TempFolder();
        var path = folder.File("one.safetensors");
        RawSafetensors.Write(path, """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[4]);

        using var file = SafetensorsFile.Open(path);
        var error = Assert.Throws<ModelLoadException>(() => file.Load("b"));

        Assert.Contains("one.safetensors", error.Message);
        Assert.Contains("'b'", error.Message);
    }

    [Fact]
    public void Missing_file_is_rejected()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<ModelLoadException>(() => SafetensorsFile.Open(folder.File("absent.safetensors")));
        Assert.Contains("absent.safetensors", error.Message);
    }
}
