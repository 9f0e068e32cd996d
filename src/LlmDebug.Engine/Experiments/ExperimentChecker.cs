using LlmDebug.Engine.Text;
using LlmDebug.Engine.Hooks;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Runtime.Breakpoints;

namespace LlmDebug.Engine.Experiments;

/// <summary>
/// Checks a parsed experiment against its model before anything runs: hooks exist, layers/heads/neurons are in
/// range (with the valid range and a quick fix), prompts fit the context, expectation tokens are single tokens,
/// patching has a counterfactual of a compatible length. Needs only config + tokenizer (<see cref="ModelFacts"/>).
/// </summary>
public static class ExperimentChecker
{
    /// <summary>The model folder an experiment names, resolved against the experiment file's folder.</summary>
    public static string? ModelFolder(ExperimentDocument doc, string? experimentDirectory) =>
        doc.Model is { } m && m.Path.Length > 0 ? Path.GetFullPath(m.Path, experimentDirectory ?? Directory.GetCurrentDirectory()) : null;

    /// <summary>Syntax diagnostics plus semantic ones. <paramref name="model"/> is null when it could not be loaded (<paramref name="modelError"/> says why).</summary>
    public static List<ExperimentDiagnostic> Check(ExperimentDocument doc, ModelFacts? model, string? modelError)
    {
        var d = new List<ExperimentDiagnostic>(doc.SyntaxDiagnostics);
        var models = doc.All<ModelStatement>().ToList();
        if (models.Count == 0)
            d.Add(new(new TextSpan(0, 0, Math.Max(1, doc.Lines.FirstOrDefault()?.Length ?? 1)), Severity.Error, "no model: add a line 'model FOLDER' (the model folder, relative to this file)", "no-model"));
        foreach (var extra in models.Skip(1))
            d.Add(new(extra.Span, Severity.Warning, "only the first 'model' line is used", "duplicate-model"));
        if (models.Count > 0 && modelError is not null)
            d.Add(new(models[0].PathSpan, Severity.Error, $"cannot use this model: {modelError}", "model"));
        var prompts = doc.Prompts;
        if (prompts.Count == 0 && doc.Statements.Count > 0)
            d.Add(new(doc.Statements[0].KeywordSpan, Severity.Warning, "no prompt yet: add a line prompt \"…\"", "no-prompt"));
        foreach (var extra in doc.All<CounterfactualStatement>().SkipLast(1))
            d.Add(new(extra.Span, Severity.Warning, "only the last 'counterfactual' line is used", "duplicate-counterfactual"));
        foreach (var s in doc.All<SettingStatement>()) CheckSetting(s, d);
        if (model is null) return d;

        var plan = new ExecutionPlan(model.Layout);
        var tok = model.Tokenizer;
        int ctx = model.Config.ContextLength;
        int newTokens = (int)(doc.Setting("tokens") ?? 3);
        var promptLengths = prompts.Select(p => tok.Encode(p.Text.Value).Count).ToList();
        for (int i = 0; i < prompts.Count; i++)
        {
            if (promptLengths[i] > ctx)
                d.Add(new(prompts[i].Text.Span, Severity.Error, $"this prompt is {promptLengths[i]} tokens but the model's context is {ctx} tokens (n_positions)", "context"));
            else if (promptLengths[i] + newTokens > ctx)
                d.Add(new(prompts[i].Text.Span, Severity.Warning, $"{promptLengths[i]} prompt tokens + {newTokens} generated exceed the context of {ctx}; generation stops at the limit", "context"));
        }
        var cf = doc.Counterfactual;
        int? cfLength = cf is null ? null : tok.Encode(cf.Text.Value).Count;
        if (cf is not null && cfLength > ctx)
            d.Add(new(cf.Text.Span, Severity.Error, $"the counterfactual is {cfLength} tokens but the model's context is {ctx} tokens", "context"));

        foreach (var s in doc.Statements)
        {
            switch (s)
            {
                case BreakStatement b:
                    if (LayerError(b.Target, model, d)) break;
                    FunctionBreakpointResolver.Resolve(b.Target.Text, plan, out var error);
                    if (error is not null) d.Add(new(b.Target.Span, Severity.Error, error, "unknown-hook", HookFix(b.Target, model)));
                    break;
                case AblateStatement a:
                    if (LayerError(a.Target, model, d)) break;
                    if (AblationHook(a, model.Layout, out var why) is null) { d.Add(new(a.Target.Span, Severity.Error, why!, "unknown-hook", HookFix(a.Target, model))); break; }
                    int limit = a.Unit == AblationUnit.Head ? model.Config.Heads : model.Config.DMlp;
                    string unit = a.Unit == AblationUnit.Head ? "heads" : "neurons";
                    foreach (var n in a.Indices.Where(n => n.AsInt >= limit))
                        d.Add(new(n.Span, Severity.Error, $"{(a.Unit == AblationUnit.Head ? "head" : "neuron")} {n.AsInt} does not exist: {a.Target.Text} has {unit} 0…{limit - 1}", "out-of-range",
                            new TextFix($"Change to {limit - 1}", n.Span, (limit - 1).ToString())));
                    break;
                case PatchStatement p:
                    if (CheckHook(p.Target, model, d) is not { } patchHook) break;
                    if (!PositionFirst(patchHook))
                    {
                        d.Add(new(p.Target.Span, Severity.Error, $"{patchHook.Name} {patchHook.Shape} has no leading position axis; patch a hook shaped [seq, …] (e.g. attn.hook_z, hook_resid_post)", "patch-shape"));
                        break;
                    }
                    if (cf is null) { d.Add(new(p.SourceSpan, Severity.Error, "there is no counterfactual to patch from: add a line counterfactual \"…\"", "no-counterfactual")); break; }
                    CheckPositions(p.Positions, prompts, promptLengths, cfLength, d, p.Target.Span, patching: true);
                    break;
                case SteerStatement st:
                    if (CheckHook(st.Target, model, d) is not { } steerHook) break;
                    if (steerHook.Shape != "[seq, d_model]")
                    {
                        d.Add(new(st.Target.Span, Severity.Error, $"steering adds a d_model vector, but {steerHook.Name} is {steerHook.Shape}; steer a residual hook such as hook_resid_pre", "steer-shape"));
                        break;
                    }
                    CheckVector(st.Vector, model, d);
                    CheckPositions(st.Positions, prompts, promptLengths, null, d, st.Target.Span, patching: false);
                    break;
                case ExpectStatement e when e.Kind != ExpectKind.Text:
                    var ids = tok.Encode(e.Token.Value);
                    if (ids.Count != 1)
                        d.Add(new(e.Token.Span, Severity.Error, ids.Count == 0
                            ? "the expected token is empty"
                            : $"\"{e.Token.Value}\" is {ids.Count} tokens ({Splits(model, ids)}); an expectation compares one next token", "not-one-token",
                            ids.Count > 1 ? new TextFix($"Expect the first token only", e.Token.Span, Quote(tok.Decode([ids[0]]))) : null));
                    if (e.Kind == ExpectKind.Prob && e.Threshold is { Value: < 0 or > 1 } pt)
                        d.Add(new(pt.Span, Severity.Error, "a probability is between 0 and 1", "range"));
                    if (e.Kind == ExpectKind.Rank && e.Threshold is { } rt && (rt.Value < 1 || !rt.IsInteger))
                        d.Add(new(rt.Span, Severity.Error, "a rank is a whole number from 1 (the most likely token)", "range"));
                    break;
            }
        }
        return d;
    }

    static void CheckSetting(SettingStatement s, List<ExperimentDiagnostic> d)
    {
        var v = s.Value;
        string? problem = s.Name switch
        {
            "tokens" when !v.IsInteger || v.Value < 1 => "tokens is a whole number of 1 or more",
            "temperature" when v.Value < 0 => "temperature is 0 (greedy) or more",
            "top-k" when !v.IsInteger || v.Value < 0 => "top-k is a whole number of 0 (no limit) or more",
            "seed" when !v.IsInteger => "seed is a whole number",
            _ => null,
        };
        if (problem is not null) d.Add(new(v.Span, Severity.Error, problem, "range"));
    }

    /// <summary>Reports a block index past the last layer, with a fix to the last layer. True when it did.</summary>
    static bool LayerError(HookName h, ModelFacts model, List<ExperimentDiagnostic> d)
    {
        if (h.Layer is not int layer || layer < model.Config.Layers) return false;
        int last = model.Config.Layers - 1;
        d.Add(new(h.LayerSpan!.Value, Severity.Error, $"layer {layer} does not exist: this model has layers 0…{last}", "out-of-range",
            new TextFix($"Change to {last}", h.LayerSpan.Value, last.ToString())));
        return true;
    }

    static HookPoint? CheckHook(HookName h, ModelFacts model, List<ExperimentDiagnostic> d)
    {
        if (LayerError(h, model, d)) return null;
        var hook = model.Layout.Find(h.Text);
        if (hook is null)
            d.Add(new(h.Span, Severity.Error, UnknownHook(h, model.Layout), "unknown-hook", HookFix(h, model)));
        return hook;
    }

    public static string UnknownHook(HookName h, HookLayout layout) =>
        h.Layer is not null
            ? $"unknown hook '{h.Text}'; hooks in a block: {string.Join(", ", layout.BlockLocalNames)}"
            : $"unknown hook '{h.Text}'; use blocks.N.<hook> (hooks in a block: {string.Join(", ", layout.BlockLocalNames)}) or one of {string.Join(", ", layout.Prelude.Concat(layout.Final).Select(p => p.Name))}";

    /// <summary>The closest valid hook name when the user made a typo.</summary>
    static TextFix? HookFix(HookName h, ModelFacts model)
    {
        var candidates = h.Layer is int l && l < model.Config.Layers
            ? model.Layout.Blocks[l].Select(p => p.Name).Concat([$"blocks.{l}.attn", $"blocks.{l}.mlp", $"blocks.{l}"])
            : model.Layout.Prelude.Concat(model.Layout.Final).Select(p => p.Name);
        var names = candidates.ToList();
        var best = names.Contains(h.Text) ? null : Spelling.Closest(h.Text, names, maxDistance: 3);
        return best is null ? null : new TextFix($"Change to '{best}'", h.Span, best);
    }

    /// <summary>The hook an ablation acts on: attn.hook_z for heads, mlp.hook_post for neurons.</summary>
    public static HookPoint? AblationHook(AblateStatement a, HookLayout layout, out string? error)
    {
        error = null;
        var (local, sub) = a.Unit == AblationUnit.Head ? ("attn.hook_z", "attn") : ("mlp.hook_post", "mlp");
        if (a.Target.Layer is int layer && (a.Target.Local == sub || a.Target.Local == local) && layer < layout.Layers)
            return layout.Block(layer, local);
        error = $"{(a.Unit == AblationUnit.Head ? "heads" : "neurons")} are ablated on blocks.N.{sub}, e.g. ablate blocks.3.{sub} {(a.Unit == AblationUnit.Head ? "head 2" : "neuron 17")}";
        return null;
    }

    public static bool PositionFirst(HookPoint hook) => hook.Shape.StartsWith("[seq", StringComparison.Ordinal);

    static void CheckPositions(IReadOnlyList<NumberText>? positions, IReadOnlyList<PromptStatement> prompts, List<int> promptLengths, int? cfLength,
        List<ExperimentDiagnostic> d, TextSpan target, bool patching)
    {
        for (int i = 0; i < prompts.Count; i++)
        {
            int len = promptLengths[i];
            if (positions is null)
            {
                if (patching && cfLength is int c && c != len)
                    d.Add(new(target, Severity.Error, $"prompt {i + 1} is {len} tokens but the counterfactual is {c}: patching every position needs equal lengths; choose positions with 'at', e.g. at -1", "length-mismatch"));
                continue;
            }
            int limit = patching && cfLength is int cl ? Math.Min(len, cl) : len;
            foreach (var p in positions)
            {
                int abs = p.AsInt < 0 ? len + p.AsInt : p.AsInt;
                if (abs < 0 || abs >= limit)
                    d.Add(new(p.Span, Severity.Error, $"position {p.Raw} is outside prompt {i + 1}: valid positions are 0…{limit - 1} (or -1…-{limit}){(patching && cfLength < len ? " (the counterfactual is shorter)" : "")}", "out-of-range"));
            }
        }
    }

    static void CheckVector(VectorExpr v, ModelFacts model, List<ExperimentDiagnostic> d)
    {
        if (!IsVector(v)) d.Add(new(v.Span, Severity.Error, "the steering vector is just a number; use embed \"TOKEN\" or run \"TEXT\" (e.g. embed \" love\" * 4)", "steer-vector"));
        Walk(v);

        void Walk(VectorExpr e)
        {
            switch (e)
            {
                case EmbedVector em:
                    var ids = model.Tokenizer.Encode(em.Text.Value);
                    if (ids.Count != 1)
                        d.Add(new(em.Text.Span, Severity.Error, $"embed takes one token; \"{em.Text.Value}\" is {ids.Count} tokens{(ids.Count > 0 ? $" ({Splits(model, ids)})" : "")}", "not-one-token"));
                    break;
                case RunVector r when r.Text.Value.Length == 0:
                    d.Add(new(r.Text.Span, Severity.Error, "run needs some text", "empty"));
                    break;
                case NegateVector n: Walk(n.Operand); break;
                case BinaryVector b:
                    Walk(b.Left); Walk(b.Right);
                    bool l = IsVector(b.Left), r2 = IsVector(b.Right);
                    if (b.Operator is '+' or '-' && l != r2) d.Add(new(b.Span, Severity.Error, $"cannot {(b.Operator == '+' ? "add" : "subtract")} a number and a vector", "steer-vector"));
                    if (b.Operator == '*' && l && r2) d.Add(new(b.Span, Severity.Error, "cannot multiply two vectors; scale a vector by a number", "steer-vector"));
                    if (b.Operator == '/' && r2) d.Add(new(b.Span, Severity.Error, "cannot divide by a vector", "steer-vector"));
                    break;
            }
        }
    }

    public static bool IsVector(VectorExpr e) => e switch
    {
        EmbedVector or RunVector => true,
        NegateVector n => IsVector(n.Operand),
        BinaryVector b => IsVector(b.Left) || IsVector(b.Right),
        _ => false,
    };

    public static string Splits(ModelFacts model, IReadOnlyList<int> ids) =>
        string.Join(" + ", ids.Select(id => Quote(Tokenization.TokenDisplay.Render(model.Tokenizer, id))));

    static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
