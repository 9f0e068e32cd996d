using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Loading;

/// <summary>
/// A .safetensors file opened read-only. The header is parsed and validated on open;
/// tensor bytes are read on demand with positional reads, so nothing is ever written to the model folder.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly SafetensorsHeader _header;

    public string FilePath { get; }
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries => _header.Entries;
    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;

    private SafetensorsFile(string filePath, SafeFileHandle handle, SafetensorsHeader header)
    {
        FilePath = filePath;
        _handle = handle;
        _header = header;
    }

    public static SafetensorsFile Open(string filePath)
    {
        string fullPath = Path.GetFullPath(filePath);
        if (!File.Exists(fullPath))
            throw new ModelLoadException(fullPath, "file not found.");

        var handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var header = SafetensorsHeader.Read(handle, fullPath);
            return new SafetensorsFile(fullPath, handle, header);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => Entries.ContainsKey(name);

    public SafetensorsEntry GetEntry(string name) =>
        Entries.TryGetValue(name, out var entry)
            ? entry
            : throw new ModelLoadException(FilePath,
                $"no such tensor in this file ({Entries.Count} tensors present).", name);

    /// <summary>
    /// Reads a tensor. By default it is converted to float32 for compute; pass null to keep the stored dtype.
    /// The entry's <see cref="SafetensorsEntry.DType"/> still says how it was stored.
    /// </summary>
    public Tensor Load(string name, ScalarType? computeType = ScalarType.Float32)
    {
        var entry = GetEntry(name);
        return ReadTensor(entry, computeType);
    }

    internal Tensor ReadTensor(SafetensorsEntry entry, ScalarType? computeType)
    {
        var storedType = SafetensorsDType.ToScalarType(entry.DType)
            ?? throw new ModelLoadException(FilePath,
                $"unsupported dtype {entry.DType}: expected one of {SafetensorsDType.SupportedList}.", entry.Name);

        if (entry.ByteLength > Array.MaxLength)
            throw new ModelLoadException(FilePath,
                $"tensor is {entry.ByteLength} bytes, more than the {Array.MaxLength} bytes one read supports.", entry.Name);

        var bytes = new byte[entry.ByteLength];
        ReadExactly(bytes, entry);

        // Safetensors data is little-endian like every platform libtorch runs on, so the raw bytes
        // are copied straight into a tensor of the stored dtype; conversion (if any) is done by libtorch.
        var stored = torch.empty(entry.Shape.ToArray(), dtype: storedType);
        if (bytes.Length > 0)
            stored.bytes = bytes;

        if (computeType is null || computeType == storedType)
            return stored;
        using (stored)
            return stored.to_type(computeType.Value);
    }

    private void ReadExactly(Span<byte> destination, SafetensorsEntry entry)
    {
        long offset = entry.DataStart;
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(_handle, destination, offset);
            if (read == 0)
                throw new ModelLoadException(FilePath,
                    $"file ended at byte {offset} while reading bytes [{entry.DataStart}, {entry.DataEnd}); it changed after opening.",
                    entry.Name);
            destination = destination[read..];
            offset += read;
        }
    }

    public void Dispose() => _handle.Dispose();
}
