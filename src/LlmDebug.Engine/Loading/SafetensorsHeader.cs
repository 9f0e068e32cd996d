using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace LlmDebug.Engine.Loading;

/// <summary>
/// The parsed and validated header of a safetensors file: 8-byte little-endian header length,
/// then a JSON object of name → {dtype, shape, data_offsets} plus an optional "__metadata__".
/// Every offset is checked against the real file length so a truncated download fails here, not mid-load.
/// </summary>
public sealed class SafetensorsHeader
{
    public const string MetadataKey = "__metadata__";
    private const int LengthPrefixSize = 8;

    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Absolute offset of the data section (right after the JSON).</summary>
    public long DataSectionStart { get; }

    private SafetensorsHeader(
        IReadOnlyDictionary<string, SafetensorsEntry> entries,
        IReadOnlyDictionary<string, string> metadata,
        long dataSectionStart)
    {
        Entries = entries;
        Metadata = metadata;
        DataSectionStart = dataSectionStart;
    }

    /// <summary>Reads the header with positional reads, leaving the handle usable for the tensor data.</summary>
    public static SafetensorsHeader Read(SafeFileHandle handle, string filePath)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < LengthPrefixSize)
            throw new ModelLoadException(filePath,
                $"file is too short ({fileLength} bytes) to be safetensors: expected at least {LengthPrefixSize} bytes for the header length.");

        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        ReadExactly(handle, prefix, 0, filePath);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        long available = fileLength - LengthPrefixSize;
        if (headerLength > (ulong)available)
            throw new ModelLoadException(filePath,
                $"header length {headerLength} is larger than the file allows: expected at most {available} bytes " +
                $"(file is {fileLength} bytes). The file is truncated or not safetensors.");

        var json = new byte[headerLength];
        ReadExactly(handle, json, LengthPrefixSize, filePath);
        long dataStart = LengthPrefixSize + (long)headerLength;
        return Parse(json, filePath, dataStart, fileLength);
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long offset, string filePath)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(handle, destination, offset);
            if (read == 0)
                throw new ModelLoadException(filePath, $"file ended at byte {offset} while reading the header.");
            destination = destination[read..];
            offset += read;
        }
    }

    private static SafetensorsHeader Parse(byte[] json, string filePath, long dataStart, long fileLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException(filePath, $"malformed JSON header: {ex.Message}", inner: ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException(filePath,
                    $"malformed JSON header: expected an object, found {document.RootElement.ValueKind}.");

            var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            long dataLength = fileLength - dataStart;

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, filePath, metadata);
                    continue;
                }
                entries[property.Name] = ReadEntry(property.Name, property.Value, filePath, dataStart, dataLength);
            }
            return new SafetensorsHeader(entries, metadata, dataStart);
        }
    }

    private static void ReadMetadata(JsonElement value, string filePath, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new ModelLoadException(filePath, $"malformed JSON header: \"{MetadataKey}\" must be an object of strings.");
        foreach (var item in value.EnumerateObject())
            metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
    }

    private static SafetensorsEntry ReadEntry(string name, JsonElement value, string filePath, long dataStart, long dataLength)
    {
        ModelLoadException Malformed(string what) =>
            new(filePath, $"malformed JSON header: {what}", name);

        if (value.ValueKind != JsonValueKind.Object)
            throw Malformed($"expected an object with dtype, shape and data_offsets, found {value.ValueKind}.");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Malformed("missing string field \"dtype\".");
        string dtype = dtypeElement.GetString()!;

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Malformed("missing array field \"shape\".");
        var shape = new List<long>();
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long size) || size < 0)
                throw Malformed($"shape must hold non-negative integers, found {shapeElement.GetRawText()}.");
            shape.Add(size);
        }

        if (!value.TryGetProperty("data_offsets", out var offsetsElement)
            || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2
            || !offsetsElement[0].TryGetInt64(out long begin)
            || !offsetsElement[1].TryGetInt64(out long end))
            throw Malformed("field \"data_offsets\" must be an array of two integers [begin, end].");

        if (begin < 0 || end < begin || end > dataLength)
            throw new ModelLoadException(filePath,
                $"data offsets [{begin}, {end}] lie outside the file: expected 0 <= begin <= end <= {dataLength} " +
                "(the size of the data section). The file may be truncated.", name);

        if (SafetensorsDType.ElementSize(dtype) is int elementSize)
        {
            long expectedBytes = shape.Aggregate(1L, (acc, dim) => acc * dim) * elementSize;
            if (end - begin != expectedBytes)
                throw new ModelLoadException(filePath,
                    $"data offsets [{begin}, {end}] span {end - begin} bytes but shape [{string.Join(", ", shape)}] " +
                    $"of {dtype} ({elementSize} bytes each) needs {expectedBytes} bytes.", name);
        }

        return new SafetensorsEntry(name, dtype, shape, dataStart + begin, dataStart + end, filePath);
    }
}
