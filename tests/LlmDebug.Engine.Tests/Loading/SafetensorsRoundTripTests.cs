using LlmDebug.Engine.Loading;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Loading;

public class SafetensorsRoundTripTests
{
    [Theory]
    [InlineData(ScalarType.Float32, "F32", 0.0)]
    [InlineData(ScalarType.Float16, "F16", 1e-3)]   // 10-bit mantissa
    [InlineData(ScalarType.BFloat16, "BF16", 8e-3)] // 7-bit mantissa
    public void Round_trip_keeps_values_within_dtype_precision(ScalarType storeAs, string dtype, double relativeTolerance)
    {
        using var folder = new TempFolder();
        torch.manual_seed(7);
        using var weight = torch.randn(3, 5);
        using var bias = torch.linspace(-2, 2, 4);
        var path = folder.File("model.safetensors");

        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["w"] = weight, ["b"] = bias }, storeAs);

        using var file = SafetensorsFile.Open(path);
        Assert.Equal(dtype, file.Entries["w"].DType);
        Assert.Equal(new long[] { 3, 5 }, file.Entries["w"].Shape);
        Assert.Equal(3L * 5 * SafetensorsDType.ElementSize(dtype)!.Value, file.Entries["w"].ByteLength);

        using var loadedWeight = file.Load("w");
        using var loadedBias = file.Load("b");
        Assert.Equal(ScalarType.Float32, loadedWeight.dtype);
        Assert.Equal(new long[] { 3, 5 }, loadedWeight.shape);
        Assert.True(loadedWeight.allclose(weight, rtol: relativeTolerance, atol: 1e-6),
            $"max diff {(loadedWeight - weight).abs().max().item<float>()}");
        Assert.True(loadedBias.allclose(bias, rtol: relativeTolerance, atol: 1e-6));
        if (storeAs == ScalarType.Float32)
            Assert.True(loadedWeight.equal(weight).all().item<bool>());
        else
            Assert.False(loadedWeight.equal(weight).all().item<bool>()); // proves the bytes really went through the narrow dtype
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void Load_with_null_compute_type_keeps_stored_dtype(ScalarType storeAs)
    {
        using var folder = new TempFolder();
        using var source = torch.tensor(new float[] { 1.5f, -0.25f, 1024f, 3f });
        var path = folder.File("x.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["x"] = source }, storeAs);

        using var file = SafetensorsFile.Open(path);
        using var raw = file.Load("x", computeType: null);

        Assert.Equal(storeAs, raw.dtype);
        // These values are exact in both half formats, so the comparison can be exact.
        Assert.Equal(new float[] { 1.5f, -0.25f, 1024f, 3f }, raw.to_type(ScalarType.Float32).data<float>().ToArray());
    }

    [Fact]
    public void Known_bf16_bit_patterns_decode_exactly()
    {
        // BF16 is the top half of an IEEE float32: 0x3FC0 = 1.5, 0xC000 = -2.0.
        using var folder = new TempFolder();
        var path = folder.File("bits.safetensors");
        RawSafetensors.Write(path, """{"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}""", [0xC0, 0x3F, 0x00, 0xC0]);

        using var file = SafetensorsFile.Open(path);
        using var x = file.Load("x");

        Assert.Equal(new[] { 1.5f, -2.0f }, x.data<float>().ToArray());
    }

    [Fact]
    public void Metadata_and_scalar_and_empty_tensors_round_trip()
    {
        using var folder = new TempFolder();
        var path = folder.File("meta.safetensors");
        using var scalar = torch.tensor(3.25f);
        using var empty = torch.zeros(0, 4);
        SafetensorsWriter.Write(path,
            new Dictionary<string, Tensor> { ["scalar"] = scalar, ["empty"] = empty },
            metadata: new Dictionary<string, string> { ["format"] = "pt", ["step"] = "12" });

        using var file = SafetensorsFile.Open(path);

        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("12", file.Metadata["step"]);
        Assert.Equal(2, file.Entries.Count); // __metadata__ is not a tensor
        using var loadedScalar = file.Load("scalar");
        Assert.Empty(loadedScalar.shape);
        Assert.Equal(3.25f, loadedScalar.item<float>());
        using var loadedEmpty = file.Load("empty");
        Assert.Equal(new long[] { 0, 4 }, loadedEmpty.shape);
    }

    [Fact]
    public void Writer_aligns_data_section_to_8_bytes()
    {
        using var folder = new TempFolder();
        var path = folder.File("aligned.safetensors");
        using var t = torch.ones(1);
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["a"] = t });

        var bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, (8 + headerLength) % 8);
    }
}
