using System.Text.Json;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Loading;

/// <summary>
/// The weights of a model folder: either one <c>model.safetensors</c> or shards listed in
/// <c>model.safetensors.index.json</c>. Presents one merged name → entry view over all files.
/// </summary>
public sealed class CheckpointFiles : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly Dictionary<string, SafetensorsFile> _fileByTensor;
    private readonly List<SafetensorsFile> _files;

    public string Folder { get; }

    /// <summary>Every tensor across all shards, keyed by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }

    /// <summary>The .safetensors files in use (one, or every shard).</summary>
    public IReadOnlyList<string> FilePaths => _files.Select(f => f.FilePath).ToList();

    private CheckpointFiles(string folder, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> fileByTensor)
    {
        Folder = folder;
        _files = files;
        _fileByTensor = fileByTensor;
        Entries = fileByTensor.ToDictionary(kv => kv.Key, kv => kv.Value.Entries[kv.Key], StringComparer.Ordinal);
    }

    public static CheckpointFiles Open(string folder)
    {
        string fullFolder = Path.GetFullPath(folder);
        if (!Directory.Exists(fullFolder))
            throw new ModelLoadException(fullFolder, "model folder not found.");

        string single = Path.Combine(fullFolder, SingleFileName);
        string index = Path.Combine(fullFolder, IndexFileName);
        if (File.Exists(single))
            return OpenSingle(fullFolder, single);
        if (File.Exists(index))
            return OpenSharded(fullFolder, index);

        throw new ModelLoadException(fullFolder,
            $"no weights found: looked for {SingleFileName} and {IndexFileName} (sharded) in this folder.");
    }

    public bool Contains(string name) => _fileByTensor.ContainsKey(name);

    public SafetensorsEntry GetEntry(string name) => FileFor(name).Entries[name];

    /// <summary>Loads a tensor from whichever shard holds it; float32 by default, null keeps the stored dtype.</summary>
    public Tensor Load(string name, ScalarType? computeType = ScalarType.Float32) =>
        FileFor(name).Load(name, computeType);

    private SafetensorsFile FileFor(string name) =>
        _fileByTensor.TryGetValue(name, out var file)
            ? file
            : throw new ModelLoadException(Folder,
                $"no such tensor in the checkpoint ({_fileByTensor.Count} tensors in {_files.Count} file(s)).", name);

    private static CheckpointFiles OpenSingle(string folder, string path)
    {
        var file = SafetensorsFile.Open(path);
        var byTensor = file.Entries.Keys.ToDictionary(name => name, _ => file, StringComparer.Ordinal);
        return new CheckpointFiles(folder, [file], byTensor);
    }

    private static CheckpointFiles OpenSharded(string folder, string indexPath)
    {
        var weightMap = ReadWeightMap(indexPath);
        var files = new List<SafetensorsFile>();
        try
        {
            var shardByName = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (string shardName in weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                string shardPath = Path.Combine(folder, shardName);
                if (!File.Exists(shardPath))
                    throw new ModelLoadException(indexPath,
                        $"shard '{shardName}' is listed in the index but missing from the folder (expected {shardPath}).");
                var shard = SafetensorsFile.Open(shardPath);
                files.Add(shard);
                shardByName[shardName] = shard;
            }

            var byTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (tensorName, shardName) in weightMap)
            {
                var shard = shardByName[shardName];
                if (!shard.Contains(tensorName))
                    throw new ModelLoadException(indexPath,
                        $"the index puts this tensor in shard '{shardName}', but that shard does not contain it.", tensorName);
                byTensor[tensorName] = shard;
            }
            return new CheckpointFiles(folder, files, byTensor);
        }
        catch
        {
            foreach (var file in files)
                file.Dispose();
            throw;
        }
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException(indexPath, "missing object field \"weight_map\" (tensor name → shard file).");

            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in map.EnumerateObject())
            {
                if (item.Value.ValueKind != JsonValueKind.String)
                    throw new ModelLoadException(indexPath, "weight_map values must be shard file names.", item.Name);
                string shard = item.Value.GetString()!;
                // Shards must live in the model folder itself; refuse paths that climb out of it.
                if (shard != Path.GetFileName(shard))
                    throw new ModelLoadException(indexPath, $"shard '{shard}' must be a plain file name in the model folder.", item.Name);
                weightMap[item.Name] = shard;
            }
            return weightMap;
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException(indexPath, $"malformed JSON: {ex.Message}", inner: ex);
        }
    }

    public void Dispose()
    {
        foreach (var file in _files)
            file.Dispose();
    }
}
