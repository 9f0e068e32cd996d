using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Loading;

/// <summary>
/// Writes tensors as .safetensors (F32, F16 or BF16), for the training script and for test fixtures.
/// Tensors are written in name order so the same input always gives the same bytes.
/// </summary>
public static class SafetensorsWriter
{
    private const int HeaderAlignment = 8;

    /// <param name="storeAs">Dtype to store every tensor as; null keeps each tensor's own dtype.</param>
    public static void Write(
        string path,
        IReadOnlyDictionary<string, Tensor> tensors,
        ScalarType? storeAs = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var payloads = tensors
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => ToPayload(kv.Key, kv.Value, storeAs))
            .ToList();

        byte[] header = BuildHeader(payloads, metadata);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Span<byte> lengthPrefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthPrefix, (ulong)header.Length);
        stream.Write(lengthPrefix);
        stream.Write(header);
        foreach (var payload in payloads)
            stream.Write(payload.Bytes);
    }

    /// <summary>
    /// Writes <paramref name="shardCount"/> files named like Hugging Face shards
    /// (model-00001-of-00002.safetensors) plus model.safetensors.index.json. Returns the shard file names.
    /// </summary>
    public static IReadOnlyList<string> WriteSharded(
        string folder,
        IReadOnlyDictionary<string, Tensor> tensors,
        int shardCount,
        ScalarType? storeAs = null,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        Directory.CreateDirectory(folder);

        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        int perShard = (int)Math.Ceiling(names.Count / (double)shardCount);
        var shardNames = new List<string>();
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long totalSize = 0;

        for (int shard = 0; shard < shardCount; shard++)
        {
            string shardName = $"model-{shard + 1:D5}-of-{shardCount:D5}.safetensors";
            var shardTensors = names.Skip(shard * perShard).Take(perShard).ToDictionary(n => n, n => tensors[n]);
            Write(Path.Combine(folder, shardName), shardTensors, storeAs, metadata);
            shardNames.Add(shardName);
            foreach (var name in shardTensors.Keys)
            {
                weightMap[name] = shardName;
                totalSize += SizeInBytes(tensors[name], storeAs);
            }
        }

        var index = new
        {
            metadata = new Dictionary<string, long> { ["total_size"] = totalSize },
            weight_map = weightMap,
        };
        File.WriteAllText(Path.Combine(folder, CheckpointFiles.IndexFileName),
            JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
        return shardNames;
    }

    private sealed record Payload(string Name, string DType, long[] Shape, byte[] Bytes);

    private static Payload ToPayload(string name, Tensor tensor, ScalarType? storeAs)
    {
        var targetType = storeAs ?? tensor.dtype;
        string dtype = SafetensorsDType.FromScalarType(targetType)
            ?? throw new ArgumentException(
                $"Tensor '{name}' would be stored as {targetType}; supported: {SafetensorsDType.SupportedList}.", nameof(tensor));

        using var converted = tensor.detach().cpu().to_type(targetType).contiguous();
        return new Payload(name, dtype, converted.shape, converted.bytes.ToArray());
    }

    private static long SizeInBytes(Tensor tensor, ScalarType? storeAs) =>
        tensor.numel() * SafetensorsDType.ElementSize(SafetensorsDType.FromScalarType(storeAs ?? tensor.dtype)!)!.Value;

    private static byte[] BuildHeader(IReadOnlyList<Payload> payloads, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    json.WriteString(key, value);
                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var payload in payloads)
            {
                json.WriteStartObject(payload.Name);
                json.WriteString("dtype", payload.DType);
                json.WriteStartArray("shape");
                foreach (long dim in payload.Shape)
                    json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + payload.Bytes.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += payload.Bytes.Length;
            }
            json.WriteEndObject();
        }

        // Pad with spaces (valid JSON whitespace) so the data section starts 8-byte aligned, as the reference writer does.
        int padding = (int)((HeaderAlignment - buffer.Length % HeaderAlignment) % HeaderAlignment);
        for (int i = 0; i < padding; i++)
            buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
