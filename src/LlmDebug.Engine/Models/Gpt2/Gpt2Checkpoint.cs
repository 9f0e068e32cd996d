using System.Text.RegularExpressions;
using LlmDebug.Engine.Loading;
using TorchSharp;

namespace LlmDebug.Engine.Models.Gpt2;

/// <summary>
/// Maps a GPT-2 checkpoint's tensors onto <see cref="Gpt2Weights"/>. Accepts the published layout (no prefix,
/// per-layer <c>h.N.attn.bias</c> causal-mask buffers, no lm_head) and newer ones (<c>transformer.</c> prefix,
/// no buffers, a separate <c>lm_head.weight</c>). Anything missing, extra or misshapen is reported by name.
/// </summary>
public static partial class Gpt2Checkpoint
{
    public static Gpt2Weights Load(CheckpointFiles files, ModelConfig config, IProgress<string>? progress = null)
    {
        // canonical name (no prefix) → name in the file
        var byCanonical = new Dictionary<string, string>(StringComparer.Ordinal);
        var extra = new List<string>();
        foreach (var name in files.Entries.Keys)
        {
            string canonical = name.StartsWith("transformer.", StringComparison.Ordinal) ? name["transformer.".Length..] : name;
            if (MaskBuffer().IsMatch(canonical)) continue;    // causal-mask buffers: not parameters
            byCanonical[canonical] = name;
        }
        bool hasLmHead = byCanonical.ContainsKey("lm_head.weight");
        var expected = Gpt2Weights.ExpectedShapes(config, withLmHead: hasLmHead).ToList();
        var expectedNames = expected.Select(e => e.Name).ToHashSet();
        extra.AddRange(byCanonical.Keys.Where(n => !expectedNames.Contains(n)).Select(n => byCanonical[n]));
        var missing = expected.Where(e => !byCanonical.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        string where = string.Join(", ", files.FilePaths.Select(Path.GetFileName));
        if (missing.Count > 0)
            throw new ModelLoadException(files.FilePaths[0],
                $"{missing.Count} tensor(s) missing for a {config.Layers}-layer GPT-2 (looked in {where}): {Sample(missing)}", missing[0]);
        if (extra.Count > 0)
            throw new ModelLoadException(files.FilePaths[0],
                $"{extra.Count} unexpected tensor(s) for a {config.Layers}-layer GPT-2 (is config.json right?): {Sample(extra)}", extra[0]);

        foreach (var (name, shape) in expected)
        {
            var entry = files.GetEntry(byCanonical[name]);
            if (!entry.Shape.SequenceEqual(shape))
                throw new ModelLoadException(entry.FilePath,
                    $"shape [{string.Join(", ", entry.Shape)}] does not match config.json, expected [{string.Join(", ", shape)}]", entry.Name);
        }

        var tensors = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
        int done = 0;
        foreach (var (name, _) in expected)
        {
            tensors[name] = files.Load(byCanonical[name]);
            if (++done * 4 / expected.Count > (done - 1) * 4 / expected.Count) progress?.Report($"loaded {done}/{expected.Count} tensors");
        }
        return Gpt2Weights.FromNamed(config, tensors);
    }

    /// <summary>The dtype most of the checkpoint is stored in (shown to users; compute is float32).</summary>
    public static string StoredDType(CheckpointFiles files) =>
        files.Entries.Values.GroupBy(e => e.DType).OrderByDescending(g => g.Sum(e => e.ElementCount)).First().Key;

    static string Sample(List<string> names) => string.Join(", ", names.Take(6)) + (names.Count > 6 ? $", … ({names.Count - 6} more)" : "");

    [GeneratedRegex(@"^h\.\d+\.attn\.(bias|masked_bias)$")] private static partial Regex MaskBuffer();
}
