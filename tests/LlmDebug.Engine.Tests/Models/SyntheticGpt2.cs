using LlmDebug.Engine.Hooks;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Models;
using LlmDebug.Engine.Models.Gpt2;
using LlmDebug.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Models;

/// <summary>Small random GPT-2 folders for tests (real GPT-2 vocabulary and tokenizer files, tiny widths).</summary>
public static class SyntheticGpt2
{
    public const int Vocab = 50257;

    /// <summary>
    /// Writes a random GPT-2. Unlike <see cref="Gpt2FolderWriter.WriteRandom"/>, biases and LayerNorm parameters are
    /// random too: GPT-2's initialisation sets them to 0 and 1, which would hide a swapped weight/bias or a missing
    /// LayerNorm scale. The same arguments always write the same weights, whatever the layout.
    /// </summary>
    public static ModelConfig Write(string folder, int layers = 12, int heads = 4, int dModel = 32, int context = 64,
        long seed = 7, Gpt2FolderLayout? layout = null, Action<Gpt2Weights>? edit = null)
    {
        var config = new ModelConfig
        {
            Family = "gpt2", Name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/')), Layers = layers, Heads = heads,
            DModel = dModel, DMlp = 4 * dModel, ContextLength = context, VocabSize = Vocab, EndOfTextTokenId = 50256,
        };
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weights = Gpt2Weights.Random(config, seed);
        var gen = new Generator((ulong)seed + 1000);
        foreach (var (name, t) in weights.Named())
            if (name.EndsWith(".bias") || name.Contains("ln_"))
                t.add_(normal(0, 0.1, t.shape, generator: gen));
        edit?.Invoke(weights);
        Gpt2FolderWriter.Write(folder, config, weights, layout);
        return config;
    }

    /// <summary>"a a a …": exactly <paramref name="count"/> GPT-2 tokens.</summary>
    public static string PromptOfTokens(int count) => "a" + string.Concat(Enumerable.Repeat(" a", count - 1));

    public static Tensor Tokens(IEnumerable<int> ids) => tensor(ids.Select(i => (long)i).ToArray());

    /// <summary>Every file of a folder with its length, write time and SHA-256.</summary>
    public static IReadOnlyList<string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(path =>
        {
            var info = new FileInfo(path);
            using var stream = File.OpenRead(path);
            string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream));
            return $"{Path.GetRelativePath(folder, path)} {info.Length} {info.LastWriteTimeUtc.Ticks} {hash}";
        }).ToList();
}

/// <summary>The 12-layer synthetic GPT-2 (d_model 32, 4 heads, context 64), written and loaded once per test class.</summary>
public sealed class Gpt2ModelFixture : IDisposable
{
    public const int Layers = 12, Heads = 4, DModel = 32, DHead = 8, DMlp = 128, Context = 64;
    private readonly TempFolder _folder = new();

    public string Folder => _folder.Path;
    public LoadedModel Model { get; }
    public Gpt2Model Gpt2 => (Gpt2Model)Model.Model;

    public Gpt2ModelFixture()
    {
        SyntheticGpt2.Write(_folder.Path, Layers, Heads, DModel, Context);
        Model = ModelLoader.Load(_folder.Path);
    }

    public Tensor Encode(string text) => SyntheticGpt2.Tokens(Model.Tokenizer.Encode(text));

    public void Dispose()
    {
        Model.Dispose();
        _folder.Dispose();
    }
}

/// <summary>
/// Records every call the forward pass makes (block starts and hooks, in order) and keeps a detached copy of every
/// activation; optionally replaces values (an intervention).
/// </summary>
public sealed class RecordingObserver(Func<HookPoint, Tensor, Tensor?>? replace = null) : IForwardObserver, IDisposable
{
    public List<string> Events { get; } = [];
    public List<string> HookNames { get; } = [];
    public Dictionary<string, Tensor> Values { get; } = new(StringComparer.Ordinal);

    public void OnBlockStart(int layer) => Events.Add($"blocks.{layer}");

    public Tensor OnHook(HookPoint point, Tensor value)
    {
        Events.Add(point.Name);
        HookNames.Add(point.Name);
        var copy = value.detach().clone();
        copy.DetachFromDisposeScope();
        if (Values.Remove(point.Name, out var old)) old.Dispose();
        Values[point.Name] = copy;
        return replace?.Invoke(point, value) ?? value;
    }

    public void Dispose()
    {
        foreach (var t in Values.Values) t.Dispose();
        Values.Clear();
    }
}
