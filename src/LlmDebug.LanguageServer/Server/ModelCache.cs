using System.Collections.Concurrent;
using LlmDebug.Engine.Experiments;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Runtime;

namespace LlmDebug.LanguageServer.Server;

/// <summary>
/// Models the editor has asked about, loaded lazily and cached. Config + tokenizer (<see cref="ModelFacts"/>) load on
/// first use, off the request thread; weights load only for features that need them (listing hovers with norms) and
/// never block a request: callers get "not yet" and a background load starts. An entry is reloaded when the folder's
/// config or tokenizer files change (their timestamps are the cache key), so fixing a broken folder clears its errors.
/// </summary>
public sealed class ModelCache : IDisposable
{
    private readonly ConcurrentDictionary<string, (string Stamp, Task<FactsResult> Task)> _facts = new();
    private readonly ConcurrentDictionary<string, (string Stamp, Task<LoadedModel?> Task)> _weights = new();

    public sealed record FactsResult(ModelFacts? Facts, string? Error);

    /// <summary>Config + tokenizer, or the loader's reason why not.</summary>
    public Task<FactsResult> GetFactsAsync(string folder)
    {
        folder = Path.GetFullPath(folder);
        string stamp = Stamp(folder);
        var entry = _facts.AddOrUpdate(folder,
            f => (stamp, Task.Run(() => LoadFacts(f))),
            (f, old) => old.Stamp == stamp ? old : (stamp, Task.Run(() => LoadFacts(f))));
        return entry.Task;
    }

    static FactsResult LoadFacts(string folder)
    {
        try { return new FactsResult(ModelFacts.Load(folder), null); }
        catch (Exception e) when (e is ModelLoadException or IOException or NotSupportedException or UnauthorizedAccessException)
        {
            return new FactsResult(null, e.Message);
        }
    }

    /// <summary>The loaded weights if they are ready; otherwise starts loading them in the background and returns null.</summary>
    public LoadedModel? WeightsIfReady(string folder, out Task<LoadedModel?> loading)
    {
        folder = Path.GetFullPath(folder);
        string stamp = Stamp(folder);
        var entry = _weights.AddOrUpdate(folder,
            f => (stamp, Task.Run(() => LoadWeights(f))),
            (f, old) => old.Stamp == stamp ? old : (stamp, Task.Run(() => LoadWeights(f))));
        loading = entry.Task;
        return entry.Task.IsCompletedSuccessfully ? entry.Task.Result : null;
    }

    static LoadedModel? LoadWeights(string folder)
    {
        try { return ModelLoader.Load(folder); }
        catch (Exception e) { Console.Error.WriteLine($"llmdebug-lsp: cannot load weights of {folder}: {e.Message}"); return null; }
    }

    /// <summary>Folders seen so far (for finding the model of a listing file).</summary>
    public IEnumerable<string> KnownFolders => _facts.Keys;

    static string Stamp(string folder)
    {
        if (!Directory.Exists(folder)) return "missing";
        return string.Join("|", new[] { "config.json", "vocab.json", "merges.txt", "tokenizer.json", "model.safetensors", "model.safetensors.index.json" }
            .Select(f => Path.Combine(folder, f))
            .Select(p => File.Exists(p) ? File.GetLastWriteTimeUtc(p).Ticks.ToString() : "-"));
    }

    public void Dispose()
    {
        foreach (var (_, (_, task)) in _weights)
            if (task.IsCompletedSuccessfully) task.Result?.Dispose();
    }
}
