using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LlmDebug.Engine.Experiments;
using LlmDebug.Engine.Models.Gpt2;
using LlmDebug.Engine.Runtime;
using LlmDebug.LanguageServer.Protocol;
using TorchSharp;

namespace LlmDebug.LanguageServer.Features;

/// <summary>
/// Features of the forward listing (<c>.llmlisting</c>): an outline per layer (from the text alone) and hovers with the
/// parameters of a line's sublayer — shapes from the config, norms once the weights are loaded (in the background).
/// </summary>
public static partial class ListingFeatures
{
    /// <summary>The model name in a listing's first line (<c># NAME — forward listing (gpt2)</c>).</summary>
    public static string? ModelName(string text) => HeaderRegex().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    public static List<DocumentSymbol> Symbols(string text)
    {
        var lines = text.Split('\n');
        var result = new List<DocumentSymbol>();
        DocumentSymbol? block = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            var blockMatch = Regex.Match(line, @"^\s*(blocks\.\d+):\s*$");
            if (blockMatch.Success)
            {
                block = new DocumentSymbol
                {
                    Name = blockMatch.Groups[1].Value, Kind = SymbolKind.Namespace, Children = [],
                    Range = Lsp.Range(i, 0, line.Length), SelectionRange = Lsp.Range(i, line.IndexOf('b'), line.IndexOf(':')),
                };
                result.Add(block);
                continue;
            }
            var hook = Regex.Match(line, @"^(\s*)((?:blocks\.\d+\.)?[a-z_0-9.]+)\s+(\[[^\]]*\])");
            if (!hook.Success) continue;
            var symbol = new DocumentSymbol
            {
                Name = hook.Groups[2].Value, Detail = hook.Groups[3].Value, Kind = SymbolKind.Field,
                Range = Lsp.Range(i, 0, line.Length), SelectionRange = Lsp.Range(i, hook.Groups[2].Index, hook.Groups[2].Index + hook.Groups[2].Length),
            };
            if (block is not null && symbol.Name.StartsWith(block.Name + ".", StringComparison.Ordinal))
            {
                block.Children!.Add(symbol);
                block.Range = new Protocol.Range { Start = block.Range.Start, End = new Position { Line = i, Character = line.Length } };
            }
            else { block = null; result.Add(symbol); }
        }
        return result;
    }

    /// <summary>Hover for a listing line: the hook and its sublayer's parameters (norms when <paramref name="weights"/> are loaded).</summary>
    public static Hover? Hover(string text, int line, ModelFacts facts, LoadedModel? weights, bool weightsLoading)
    {
        var lines = text.Split('\n');
        if (line < 0 || line >= lines.Length) return null;
        var m = Regex.Match(lines[line], @"^\s*((?:blocks\.\d+\.?)?[a-z_0-9.]*)");
        string name = m.Groups[1].Value.TrimEnd('.', ':');
        if (name.Length == 0) return null;
        var sb = new StringBuilder();
        var hook = facts.Layout.Find(name);
        int? layer = null;
        string local;
        if (hook is not null)
        {
            sb.Append($"**{hook.Name}** `{facts.ConcreteShape(hook.Shape)}`\n\n{hook.Description}\n\n");
            layer = hook.Layer >= 0 ? hook.Layer : null;
            local = hook.LocalName;
        }
        else if (Regex.Match(name, @"^blocks\.(\d+)$") is { Success: true } b)
        {
            layer = int.Parse(b.Groups[1].Value, CultureInfo.InvariantCulture);
            local = "";
            sb.Append($"**{name}** — block {layer} of 0…{facts.Config.Layers - 1}\n\n");
        }
        else return null;

        var parameters = Parameters(facts, layer, local).ToList();
        if (parameters.Count == 0)
            sb.Append(local.StartsWith("hook_resid", StringComparison.Ordinal) ? "The residual stream has no parameters of its own." : "No parameters.");
        else
        {
            sb.Append(weights is null
                ? $"| parameter | shape |\n|---|---|\n"
                : $"| parameter | shape | ‖W‖ | mean abs |\n|---|---|---:|---:|\n");
            var named = weights?.Model.NamedParameters().ToDictionary(p => p.Name, p => p.Value);
            foreach (var (pname, shape) in parameters)
            {
                string shapeText = $"[{string.Join(", ", shape)}]";
                if (named is not null && named.TryGetValue(pname, out var t))
                {
                    using var scope = torch.NewDisposeScope();
                    double norm = t.norm().item<float>(), meanAbs = t.abs().mean().item<float>();
                    sb.Append($"| `{pname}` | {shapeText} | {norm.ToString("G4", CultureInfo.InvariantCulture)} | {meanAbs.ToString("G4", CultureInfo.InvariantCulture)} |\n");
                }
                else sb.Append($"| `{pname}` | {shapeText} |{(named is null ? "" : " – | – |")}\n");
            }
            if (weights is null) sb.Append(weightsLoading ? "\n_Loading weights for norms… hover again in a moment._" : "\n_Weights could not be loaded; norms unavailable._");
        }
        return new Hover { Contents = Lsp.Markdown(sb.ToString()), Range = Lsp.Range(line, m.Groups[1].Index, m.Groups[1].Index + m.Groups[1].Length) };
    }

    /// <summary>GPT-2 parameters (checkpoint names) that the sublayer of a hook uses.</summary>
    public static IEnumerable<(string Name, long[] Shape)> Parameters(ModelFacts facts, int? layer, string local)
    {
        if (facts.Config.Family != "gpt2") yield break;
        var c = facts.Config;
        if (layer is int l)
        {
            string? prefix = local switch
            {
                "" => "",
                _ when local.StartsWith("ln1", StringComparison.Ordinal) => "ln_1.",
                _ when local.StartsWith("attn.", StringComparison.Ordinal) || local == "hook_attn_out" => "attn.",
                _ when local.StartsWith("ln2", StringComparison.Ordinal) => "ln_2.",
                _ when local.StartsWith("mlp.", StringComparison.Ordinal) || local == "hook_mlp_out" => "mlp.",
                _ => null,
            };
            if (prefix is null) yield break;
            foreach (var (n, shape) in Gpt2BlockWeights.ExpectedShapes(c).Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal)))
                yield return ($"h.{l}.{n}", shape);
            yield break;
        }
        var all = Gpt2Weights.ExpectedShapes(c, withLmHead: false).ToDictionary(p => p.Name, p => p.Shape);
        foreach (var n in local switch
                 {
                     "hook_embed" => new[] { "wte.weight" },
                     "hook_pos_embed" => ["wpe.weight"],
                     "ln_final.hook_normalized" => ["ln_f.weight", "ln_f.bias"],
                     "logits" => ["wte.weight"],
                     _ => [],
                 })
            yield return (n, all[n]);
    }

    [GeneratedRegex(@"^# (.+?) — forward listing")] private static partial Regex HeaderRegex();
}
