using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LlmDebug.Engine.Experiments;
using LlmDebug.Engine.Hooks;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Runtime.Breakpoints;
using LlmDebug.Engine.Tokenization;
using LlmDebug.LanguageServer.Protocol;

namespace LlmDebug.LanguageServer.Features;

/// <summary>The language features of experiment files, as pure functions of an analysis and a position.</summary>
public static partial class ExperimentFeatures
{
    public const string RunCommand = "llmdebug.runExperiment";
    public const string DebugCommand = "llmdebug.debugExperiment";

    // ---- completion --------------------------------------------------------------------------------------

    public static CompletionList Completion(ExperimentAnalysis a, int line, int column)
    {
        var items = new List<CompletionItem>();
        string text = line < a.Document.Lines.Length ? a.Document.Lines[line] : "";
        column = Math.Clamp(column, 0, text.Length);
        string prefix = text[..column];
        var facts = a.Facts;

        int quote = OpenQuote(prefix);
        if (quote >= 0)
        {
            // inside a string: token strings after expect/embed
            string before = prefix[..quote].TrimEnd();
            bool tokenContext = Regex.IsMatch(before, @"^\s*expect\s+(top1|top-1|prob|probability|rank)$") || before.EndsWith("embed", StringComparison.Ordinal);
            if (tokenContext && facts is not null)
                items.AddRange(TokenItems(facts.Tokenizer, prefix[(quote + 1)..], line, quote + 1, column));
            return new CompletionList { IsIncomplete = true, Items = items };
        }

        var m = Regex.Match(prefix, @"(\S*)$");
        string partial = m.Groups[1].Value;
        var words = prefix[..^partial.Length].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var replace = Lsp.Range(line, column - partial.Length, column);
        CompletionItem Word(string label, CompletionItemKind kind, string? detail = null, string? insert = null, bool retrigger = false) => new()
        {
            Label = label, Kind = kind, Detail = detail, FilterText = label,
            TextEdit = new TextEdit { Range = replace, NewText = insert ?? label },
            Command = retrigger ? new Command { Title = "more", CommandValue = "editor.action.triggerSuggest" } : null,
        };

        if (words.Length == 0)
        {
            foreach (var (kw, doc) in ExperimentParser.Keywords)
                items.Add(Word(kw, CompletionItemKind.Keyword, doc, kw + " "));
            return new CompletionList { IsIncomplete = false, Items = items };
        }
        string keyword = words[0];
        int position = words.Length;   // index of the word being typed
        bool inExpression = keyword == "watch" || (keyword == "break" && words.Contains("if"));
        if (inExpression)
        {
            if (facts is not null) items.AddRange(HookItems(facts, partial, replace, relative: true));
            foreach (var f in Engine.Expressions.Expression.FunctionNames)
                items.Add(Word(f, CompletionItemKind.Function, "expression function", f + "("));
            return new CompletionList { IsIncomplete = true, Items = items };
        }

        switch (keyword, position)
        {
            case ("break", 1):
                if (facts is not null) items.AddRange(HookItems(facts, partial, replace, relative: true, blocks: true));
                break;
            case ("break", 2):
                items.Add(Word("if", CompletionItemKind.Keyword, "only stop when a condition holds", "if "));
                break;
            case ("ablate", 1):
                if (facts is not null)
                    for (int l = 0; l < facts.Config.Layers; l++)
                    {
                        items.Add(Word($"blocks.{l}.attn", CompletionItemKind.Module, $"attention of block {l}: heads 0…{facts.Config.Heads - 1}", $"blocks.{l}.attn head "));
                        items.Add(Word($"blocks.{l}.mlp", CompletionItemKind.Module, $"MLP of block {l}: neurons 0…{facts.Config.DMlp - 1}", $"blocks.{l}.mlp neuron "));
                    }
                break;
            case ("ablate", 2):
                items.Add(Word(words[1].EndsWith(".mlp") ? "neuron" : "head", CompletionItemKind.Keyword));
                break;
            case ("ablate", 3) when facts is not null && words[2].StartsWith("head"):
                for (int h = 0; h < facts.Config.Heads; h++)
                    items.Add(Word(h.ToString(CultureInfo.InvariantCulture), CompletionItemKind.Value, $"head {h} of {facts.Config.Heads}"));
                break;
            case ("ablate", 4):
                items.Add(Word("mean", CompletionItemKind.Keyword, "replace with the mean over the reference run's positions"));
                items.Add(Word("zero", CompletionItemKind.Keyword, "replace with zeros (the default)"));
                break;
            case ("patch", 1):
            case ("steer", 1):
                if (facts is not null) items.AddRange(HookItems(facts, partial, replace, relative: false, residualOnly: keyword == "steer"));
                break;
            case ("patch", _):
                if (words[^1] == "from") items.Add(Word("counterfactual", CompletionItemKind.Keyword));
                else if (!words.Contains("from"))
                {
                    if (!words.Contains("at")) items.Add(Word("at", CompletionItemKind.Keyword, "only these positions (negative counts from the end)", "at "));
                    items.Add(Word("from counterfactual", CompletionItemKind.Keyword));
                }
                break;
            case ("steer", 2):
                items.Add(Word("add", CompletionItemKind.Keyword, "add a steering vector", "add "));
                break;
            case ("steer", _):
                items.Add(Word("embed", CompletionItemKind.Function, "the embedding of one token", "embed \""));
                items.Add(Word("run", CompletionItemKind.Function, "this hook's activation (last position) when running a text", "run \""));
                items.Add(Word("at", CompletionItemKind.Keyword, "only at these positions", "at "));
                break;
            case ("expect", 1):
                items.Add(Word("top1", CompletionItemKind.Keyword, "the most likely next token is…", "top1 \""));
                items.Add(Word("prob", CompletionItemKind.Keyword, "the next token's probability compared to a threshold", "prob \""));
                items.Add(Word("rank", CompletionItemKind.Keyword, "the next token's rank (1 = most likely)", "rank \""));
                items.Add(Word("text", CompletionItemKind.Keyword, "the generated text starts with…", "text \""));
                break;
        }
        return new CompletionList { IsIncomplete = true, Items = items };
    }

    /// <summary>Column of the quote that opens an unterminated string in <paramref name="prefix"/>, or -1.</summary>
    static int OpenQuote(string prefix)
    {
        int open = -1;
        for (int i = 0; i < prefix.Length; i++)
        {
            if (prefix[i] == '\\' && open >= 0) { i++; continue; }
            if (prefix[i] == '#' && open < 0) return -1;
            if (prefix[i] == '"') open = open < 0 ? i : -1;
        }
        return open;
    }

    static IEnumerable<CompletionItem> TokenItems(TextTokenizer tokenizer, string typed, int line, int start, int column)
    {
        var range = Lsp.Range(line, start, column);
        return TokenTexts.For(tokenizer)
            .Where(t => t.Text.StartsWith(typed, StringComparison.Ordinal) && t.Text.Length > 0)
            .OrderBy(t => t.Id)   // lower ids are earlier BPE merges: frequent tokens first
            .Take(60)
            .Select((t, i) => new CompletionItem
            {
                Label = TokenDisplay.Render(tokenizer, t.Id), Kind = CompletionItemKind.Text, Detail = $"token id {t.Id}",
                FilterText = t.Text, SortText = i.ToString("D3", CultureInfo.InvariantCulture),
                TextEdit = new TextEdit { Range = range, NewText = Escape(t.Text) },
            });
    }

    static IEnumerable<CompletionItem> HookItems(ModelFacts facts, string partial, Protocol.Range replace, bool relative, bool blocks = false, bool residualOnly = false)
    {
        var layout = facts.Layout;
        var m = Regex.Match(partial, @"^blocks\.(\d+)\.");
        CompletionItem Hook(HookPoint h, string label) => new()
        {
            Label = label, Kind = CompletionItemKind.Field, Detail = $"{h.Shape} {h.Description}", FilterText = label,
            TextEdit = new TextEdit { Range = replace, NewText = label },
        };
        bool Keep(HookPoint h) => !residualOnly || h.Shape == "[seq, d_model]";
        if (m.Success && int.TryParse(m.Groups[1].Value, out int layer) && layer < layout.Layers)
        {
            foreach (var h in layout.Blocks[layer].Where(Keep)) yield return Hook(h, h.Name);
            if (blocks)
                foreach (var sub in new[] { "attn", "mlp" })
                    yield return new CompletionItem { Label = $"blocks.{layer}.{sub}", Kind = CompletionItemKind.Module, Detail = $"first hook of block {layer}'s {sub}", TextEdit = new TextEdit { Range = replace, NewText = $"blocks.{layer}.{sub}" } };
            yield break;
        }
        for (int l = 0; l < layout.Layers; l++)
            yield return new CompletionItem
            {
                Label = $"blocks.{l}", Kind = CompletionItemKind.Module, Detail = $"block {l} of 0…{layout.Layers - 1}", FilterText = $"blocks.{l}",
                SortText = $"1{l:D4}", TextEdit = new TextEdit { Range = replace, NewText = blocks ? $"blocks.{l}" : $"blocks.{l}." },
                Command = blocks ? null : new Command { Title = "hooks", CommandValue = "editor.action.triggerSuggest" },
            };
        foreach (var h in layout.Prelude.Concat(layout.Final).Where(Keep)) yield return Hook(h, h.Name);
        if (relative)
            foreach (var h in layout.Blocks.FirstOrDefault() ?? [])
                yield return new CompletionItem { Label = h.LocalName, Kind = CompletionItemKind.Field, Detail = $"{h.Shape} in the current block (every block for break)", SortText = "2" + h.LocalName, TextEdit = new TextEdit { Range = replace, NewText = h.LocalName } };
    }

    // ---- hover -------------------------------------------------------------------------------------------

    public static Hover? Hover(ExperimentAnalysis a, int line, int column)
    {
        var s = a.Document.StatementAt(line);
        if (s is null) return null;
        var facts = a.Facts;
        Hover Md(string md, TextSpan span) => new() { Contents = Lsp.Markdown(md), Range = Lsp.Range(span) };

        if (s.KeywordSpan.Contains(line, column) && ExperimentParser.Keywords.TryGetValue(s.Keyword, out var kwDoc))
            return Md($"**{s.Keyword}** — {kwDoc.Split(" — ", 2)[^1]}\n\n`{kwDoc.Split(" — ", 2)[0]}`", s.KeywordSpan);
        switch (s)
        {
            case ModelStatement m when m.PathSpan.Contains(line, column):
                if (facts is null) return Md(a.ModelError is null ? "model folder" : $"cannot use this model: {a.ModelError}", m.PathSpan);
                var c = facts.Config;
                return Md($"**{c.Name}** ({c.Family}) — `{facts.Folder}`\n\nlayers {c.Layers} · heads {c.Heads} · d_model {c.DModel} · d_head {c.DHead} · d_mlp {c.DMlp} · context {c.ContextLength} · vocab {c.VocabSize}\n\ntokenizer: {facts.Tokenizer.Source}", m.PathSpan);
            case PromptStatement p when p.Text.Span.Contains(line, column) && facts is not null:
                return Md(TokenSplits(facts, p.Text.Value, $"prompt {p.Index + 1}"), p.Text.Span);
            case CounterfactualStatement cf when cf.Text.Span.Contains(line, column) && facts is not null:
                return Md(TokenSplits(facts, cf.Text.Value, "counterfactual"), cf.Text.Span);
            case ExpectStatement e when e.Token.Span.Contains(line, column) && facts is not null:
                return Md(TokenSplits(facts, e.Token.Value, e.Kind == ExpectKind.Text ? "expected text" : "expected token"), e.Token.Span);
        }
        if (Target(s) is { } target && target.Span.Contains(line, column))
            return facts is null ? null : Md(HookDoc(a, target.Text, s), target.Span);
        if (s is SteerStatement st && facts is not null && FindString(st.Vector, line, column) is { } q)
            return Md(TokenSplits(facts, q.Value, "text"), q.Span);
        // a hook name inside an expression
        if (facts is not null && Expression(s) is ({ } expr, { } span) && span.Contains(line, column))
        {
            foreach (Match w in IdentifierRegex().Matches(expr))
            {
                var wSpan = new TextSpan(line, span.Start + w.Index, span.Start + w.Index + w.Length);
                if (!wSpan.Contains(line, column)) continue;
                if (facts.Layout.Find(w.Value) is not null || facts.Layout.BlockLocalNames.Contains(w.Value))
                    return Md(HookDoc(a, w.Value, s), wSpan);
                if (Engine.Expressions.Expression.FunctionNames.Contains(w.Value))
                    return Md($"**{w.Value}**(…) — expression function", wSpan);
            }
        }
        return null;
    }

    public static HookName? Target(Statement s) => s switch
    {
        BreakStatement b => b.Target,
        AblateStatement ab => ab.Target,
        PatchStatement p => p.Target,
        SteerStatement st => st.Target,
        _ => null,
    };

    static (string?, TextSpan?) Expression(Statement s) => s switch
    {
        WatchStatement w => (w.Expression, w.ExpressionSpan),
        BreakStatement { Condition: not null } b => (b.Condition, b.ConditionSpan),
        _ => (null, null),
    };

    static QuotedText? FindString(VectorExpr v, int line, int column) => v switch
    {
        EmbedVector e when e.Text.Span.Contains(line, column) => e.Text,
        RunVector r when r.Text.Span.Contains(line, column) => r.Text,
        NegateVector n => FindString(n.Operand, line, column),
        BinaryVector b => FindString(b.Left, line, column) ?? FindString(b.Right, line, column),
        _ => null,
    };

    /// <summary>What a hook (or block, or sublayer) is and its shape for this model and the first prompt.</summary>
    public static string HookDoc(ExperimentAnalysis a, string name, Statement? context = null)
    {
        var facts = a.Facts!;
        var layout = facts.Layout;
        int? seq = a.Document.Prompts.Count > 0 ? a.PromptTokens(0).Count : null;
        string seqNote = seq is null ? "" : $"\n\nShape for the first prompt ({seq} tokens); later token steps have seq = 1 (keys: all positions so far).";
        if (layout.Find(name) is { } hook)
            return $"**{hook.Name}** `{facts.ConcreteShape(hook.Shape, seq)}`\n\n{hook.Description}{seqNote}";
        var block = Regex.Match(name, @"^blocks\.(\d+)(?:\.(attn|mlp))?$");
        if (block.Success)
        {
            int layer = int.Parse(block.Groups[1].Value, CultureInfo.InvariantCulture);
            if (layer >= layout.Layers) return $"layer {layer} does not exist: this model has layers 0…{layout.Layers - 1}";
            var c = facts.Config;
            return block.Groups[2].Value switch
            {
                "attn" => $"**{name}** — attention of block {layer}: {c.Heads} heads (0…{c.Heads - 1}), d_head {c.DHead}\n\n" +
                          (context is AblateStatement ? $"`ablate … head H` replaces head H's slice of `{name}.hook_z` `{facts.ConcreteShape("[seq, heads, d_head]", seq)}`" : "A breakpoint stops at its first hook (`ln1.hook_normalized` … `attn.hook_z`)."),
                "mlp" => $"**{name}** — MLP of block {layer}: {c.DMlp} neurons (0…{c.DMlp - 1})\n\n" +
                         (context is AblateStatement ? $"`ablate … neuron I` replaces neuron I in `{name}.hook_post` `{facts.ConcreteShape("[seq, d_mlp]", seq)}`" : "A breakpoint stops at its first hook."),
                _ => $"**{name}** — block {layer} of 0…{layout.Layers - 1}: {string.Join(", ", layout.BlockLocalNames)}",
            };
        }
        var relative = layout.Blocks.FirstOrDefault()?.FirstOrDefault(h => h.LocalName == name);
        if (relative is not null)
            return $"**{name}** `{facts.ConcreteShape(relative.Shape, seq)}` — in every block (0…{layout.Layers - 1}); in an expression, the current block's\n\n{relative.Description}";
        return $"unknown hook '{name}'";
    }

    static string TokenSplits(ModelFacts facts, string text, string what)
    {
        var ids = facts.Tokenizer.Encode(text);
        var sb = new StringBuilder($"**{what}: {ids.Count} token{(ids.Count == 1 ? "" : "s")}**");
        if (ids.Count > facts.Config.ContextLength) sb.Append($" (the context is {facts.Config.ContextLength})");
        sb.Append("\n\n| pos | token | id |\n|---:|---|---:|\n");
        for (int i = 0; i < ids.Count && i < 64; i++)
            sb.Append($"| {i} | `{TokenDisplay.Render(facts.Tokenizer, ids[i]).Replace("|", "\\|").Replace("`", "'")}` | {ids[i]} |\n");
        if (ids.Count > 64) sb.Append($"| … | {ids.Count - 64} more | |\n");
        return sb.ToString();
    }

    // ---- inlay hints, symbols, lenses, quick fixes, definition -------------------------------------------

    public static List<InlayHint> InlayHints(ExperimentAnalysis a, int fromLine, int toLine)
    {
        var hints = new List<InlayHint>();
        if (a.Facts is null) return hints;
        foreach (var s in a.Document.Statements.Where(s => s.Span.Line >= fromLine && s.Span.Line <= toLine))
        {
            QuotedText? q = s switch { PromptStatement p => p.Text, CounterfactualStatement c => c.Text, _ => null };
            if (q is null) continue;
            var ids = a.Facts.Tokenizer.Encode(q.Value);
            hints.Add(new InlayHint
            {
                Position = new Position { Line = q.Span.Line, Character = q.Span.End },
                Label = $"{ids.Count} token{(ids.Count == 1 ? "" : "s")}",
                Kind = InlayHintKind.Type, PaddingLeft = true,
                Tooltip = Lsp.Markdown(string.Join(" ", ids.Select(id => $"`{TokenDisplay.Render(a.Facts.Tokenizer, id)}`"))),
            });
        }
        return hints;
    }

    public static List<DocumentSymbol> Symbols(ExperimentAnalysis a)
    {
        var result = new List<DocumentSymbol>();
        DocumentSymbol? currentPrompt = null;
        foreach (var s in a.Document.Statements)
        {
            var (name, kind, detail) = s switch
            {
                ModelStatement m => ($"model {m.Path}", SymbolKind.Module, a.Facts is { } f ? $"{f.Config.Layers} layers" : a.ModelError),
                PromptStatement p => ($"prompt {p.Index + 1}: {Short(p.Text.Value)}", SymbolKind.String, a.Facts is null ? null : $"{a.PromptTokens(p.Index).Count} tokens"),
                CounterfactualStatement c => ($"counterfactual: {Short(c.Text.Value)}", SymbolKind.String, null),
                SettingStatement st => ($"{st.Name} {st.Value.Raw}", SymbolKind.Property, null),
                BreakStatement b => ($"break {b.Target.Text}", SymbolKind.Event, b.Condition),
                WatchStatement w => ($"watch {w.Expression}", SymbolKind.Variable, null),
                AblateStatement ab => ($"ablate {ab.Target.Text} {ab.Unit.ToString().ToLowerInvariant()} {string.Join(",", ab.Indices.Select(i => i.Raw))}", SymbolKind.Operator, ab.Mean ? "mean" : "zero"),
                PatchStatement pa => ($"patch {pa.Target.Text}", SymbolKind.Operator, "from counterfactual"),
                SteerStatement se => ($"steer {se.Target.Text}", SymbolKind.Operator, null),
                ExpectStatement e => ($"expect {e.Kind.ToString().ToLowerInvariant()} \"{e.Token.Value}\"{(e.Operator is null ? "" : $" {e.Operator} {e.Threshold!.Raw}")}", SymbolKind.Boolean, null),
                _ => (s.Keyword, SymbolKind.Key, null),
            };
            var symbol = new DocumentSymbol { Name = name, Kind = kind, Detail = detail, Range = Lsp.Range(s.Span), SelectionRange = Lsp.Range(s.KeywordSpan) };
            if (s is ExpectStatement { PromptIndex: not null } && currentPrompt is not null) (currentPrompt.Children ??= []).Add(symbol);
            else result.Add(symbol);
            if (s is PromptStatement) currentPrompt = symbol;
        }
        return result;
    }

    static string Short(string s) => s.Length <= 40 ? $"\"{s}\"" : $"\"{s[..37]}…\"";

    public static List<CodeLens> CodeLenses(ExperimentAnalysis a) =>
        a.Document.Prompts.SelectMany(p => new[]
        {
            new CodeLens { Range = Lsp.Range(p.Span), Command = new Command { Title = "▶ Run", CommandValue = RunCommand, Tooltip = "Run this prompt without stopping and check its expectations", Arguments = [a.Uri, p.Index] } },
            new CodeLens { Range = Lsp.Range(p.Span), Command = new Command { Title = "Debug", CommandValue = DebugCommand, Tooltip = "Debug this prompt (F5): stops at the break lines", Arguments = [a.Uri, p.Index] } },
        }).ToList();

    public static List<CodeAction> QuickFixes(ExperimentAnalysis a, int fromLine, int toLine) =>
        a.Diagnostics.Where(d => d.Fix is not null && d.Span.Line >= fromLine && d.Span.Line <= toLine).Select(d => new CodeAction
        {
            Title = d.Fix!.Title, Kind = CodeActionKind.QuickFix, IsPreferred = true, Diagnostics = [Lsp.Diagnostic(d)],
            Edit = new WorkspaceEdit { Changes = new() { [a.Uri] = [new TextEdit { Range = Lsp.Range(d.Fix.Span), NewText = d.Fix.NewText }] } },
        }).ToList();

    /// <summary>Hook name under the cursor → its line(s) in the forward listing (every layer for a relative name).</summary>
    public static List<Location> Definition(ExperimentAnalysis a, int line, int column)
    {
        var s = a.Document.StatementAt(line);
        if (s is null || a.Facts is null) return [];
        string? name = null;
        if (Target(s) is { } t && t.Span.Contains(line, column)) name = t.Text;
        else if (Expression(s) is ({ } expr, { } span) && span.Contains(line, column))
            name = IdentifierRegex().Matches(expr).FirstOrDefault(w => column >= span.Start + w.Index && column <= span.Start + w.Index + w.Length)?.Value;
        if (name is null || a.Listing() is not { } listing) return [];
        var plan = new ExecutionPlan(a.Facts.Layout);
        var locations = FunctionBreakpointResolver.Resolve(name, plan, out _);
        var lines = listing.Listing.Text.Split('\n');
        return locations.Select(loc =>
        {
            int l = listing.Listing.LineOf(loc) - 1;
            return new Location { Uri = Lsp.UriOf(listing.Path), Range = Lsp.Range(l, 0, lines[l].Length) };
        }).ToList();
    }

    static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\t", "\\t");

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_.]*")] private static partial Regex IdentifierRegex();
}
