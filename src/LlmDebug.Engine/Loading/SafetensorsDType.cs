using static TorchSharp.torch;

namespace LlmDebug.Engine.Loading;

/// <summary>The safetensors dtype strings we know, their sizes, and which ones we can turn into tensors.</summary>
public static class SafetensorsDType
{
    public const string F32 = "F32";
    public const string F16 = "F16";
    public const string BF16 = "BF16";

    /// <summary>Dtypes <see cref="SafetensorsFile.Load"/> can read.</summary>
    public static IReadOnlyList<string> Supported { get; } = [F32, F16, BF16];

    // Sizes of every dtype the format defines, so headers with other dtypes can still be validated and listed.
    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2,
        ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1,
        ["U64"] = 8, ["U32"] = 4, ["U16"] = 2, ["U8"] = 1,
        ["BOOL"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
    };

    /// <summary>Bytes per element, or null for a dtype string the format does not define.</summary>
    public static int? ElementSize(string dtype) => ElementSizes.TryGetValue(dtype, out var size) ? size : null;

    public static bool IsSupported(string dtype) => dtype is F32 or F16 or BF16;

    public static string SupportedList => string.Join(", ", Supported);

    /// <summary>Maps a supported dtype string to TorchSharp's scalar type; null when unsupported.</summary>
    public static ScalarType? ToScalarType(string dtype) => dtype switch
    {
        F32 => ScalarType.Float32,
        F16 => ScalarType.Float16,
        BF16 => ScalarType.BFloat16,
        _ => null,
    };

    /// <summary>Maps a TorchSharp scalar type we can store to its dtype string; null when unsupported.</summary>
    public static string? FromScalarType(ScalarType type) => type switch
    {
        ScalarType.Float32 => F32,
        ScalarType.Float16 => F16,
        ScalarType.BFloat16 => BF16,
        _ => null,
    };
}
