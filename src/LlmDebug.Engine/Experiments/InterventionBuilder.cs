using System.Globalization;
using LlmDebug.Engine.Interventions;
using LlmDebug.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Experiments;

/// <summary>The interventions of an experiment for one prompt, with the reference activations they own.</summary>
public sealed class PreparedInterventions : IDisposable
{
    public required IReadOnlyList<IIntervention> Items { get; init; }
    public required IReadOnlyList<Statement> Sources { get; init; }
    public void Dispose()
    {
        foreach (var i in Items.OfType<IDisposable>()) i.Dispose();
    }
}

/// <summary>
/// Turns an experiment's <c>ablate</c>/<c>patch</c>/<c>steer</c> lines into interventions for one prompt. Runs the
/// clean reference passes they need first: the counterfactual (patching; mean ablation's reference, else the prompt
/// itself), and the texts of <c>embed</c>/<c>run</c> steering vectors.
/// </summary>
public static class InterventionBuilder
{
    public static PreparedInterventions Build(ExperimentDocument doc, LoadedModel model, int promptIndex)
    {
        var prompt = doc.Prompts[promptIndex].Text.Value;
        var promptTokens = PromptTokens.Encode(model, prompt);
        var layout = model.Model.Hooks;
        var runs = new Dictionary<string, ReferenceRun>(StringComparer.Ordinal);
        var items = new List<IIntervention>();
        var sources = new List<Statement>();
        var allHooks = layout.All.Select(h => h.Name).ToList();
        ReferenceRun Run(string text) => runs.TryGetValue(text, out var r) ? r : runs[text] = ReferenceRun.Capture(model, text, allHooks);
        string? cf = doc.Counterfactual?.Text.Value;
        try
        {
            foreach (var s in doc.Statements)
            {
                switch (s)
                {
                    case AblateStatement a:
                    {
                        var hook = ExperimentChecker.AblationHook(a, layout, out var error) ?? throw new ExperimentException($"line {a.Span.Line + 1}: {error}");
                        bool heads = a.Unit == AblationUnit.Head;
                        int count = heads ? model.Config.Heads : model.Config.DMlp;
                        var units = a.Indices.Select(n => n.AsInt).ToList();
                        if (units.FirstOrDefault(u => u >= count, -1) is var bad && bad >= 0)
                            throw new ExperimentException($"line {a.Span.Line + 1}: {(heads ? "head" : "neuron")} {bad} does not exist (0…{count - 1})");
                        Tensor? mean = null;
                        string reference = "";
                        if (a.Mean)
                        {
                            var refRun = Run(cf ?? prompt);
                            mean = refRun[hook.Name].mean([0]);
                            reference = cf is null ? ", mean over the prompt's positions" : ", mean over the counterfactual's positions";
                        }
                        string what = $"{(heads ? "head" : "neuron")}{(units.Count > 1 ? "s" : "")} {string.Join(",", units)}";
                        items.Add(new Ablation(hook.Name, $"ablate {a.Target.Text} {what} ({(a.Mean ? "mean" : "zero")}{reference})", units, count, heads, mean));
                        mean?.Dispose();
                        break;
                    }
                    case PatchStatement p:
                    {
                        var hook = layout.Find(p.Target.Text) ?? throw new ExperimentException($"line {p.Span.Line + 1}: unknown hook '{p.Target.Text}'");
                        if (cf is null) throw new ExperimentException($"line {p.Span.Line + 1}: patching needs a counterfactual line");
                        var source = Run(cf);
                        var positions = Positions(p.Positions, promptTokens.Count, p.Span.Line);
                        if (p.Positions is null && source.Tokens.Count != promptTokens.Count)
                            throw new ExperimentException($"line {p.Span.Line + 1}: the prompt is {promptTokens.Count} tokens but the counterfactual is {source.Tokens.Count}; choose positions with 'at'");
                        if (positions.FirstOrDefault(q => q >= source.Tokens.Count, -1) is var tooFar && tooFar >= 0)
                            throw new ExperimentException($"line {p.Span.Line + 1}: position {tooFar} is past the counterfactual's {source.Tokens.Count} tokens");
                        string at = p.Positions is null ? "all positions" : $"positions {string.Join(",", positions)}";
                        items.Add(new ActivationPatch(hook.Name, $"patch {hook.Name} at {at} from the counterfactual", source[hook.Name].clone(), positions));
                        break;
                    }
                    case SteerStatement st:
                    {
                        var hook = layout.Find(st.Target.Text) ?? throw new ExperimentException($"line {st.Span.Line + 1}: unknown hook '{st.Target.Text}'");
                        Tensor vector;
                        using (var scope = NewDisposeScope())
                            vector = Evaluate(st.Vector, hook.Name, Run, model, st.Span.Line).MoveToOuterDisposeScope();
                        var positions = st.Positions is null ? null : Positions(st.Positions, promptTokens.Count, st.Span.Line);
                        string norm = vector.norm().item<float>().ToString("G4", CultureInfo.InvariantCulture);
                        string text = doc.Lines[st.Span.Line][st.Vector.Span.Start..st.Vector.Span.End];
                        items.Add(new Steering(hook.Name, $"steer {hook.Name} add {text} (norm {norm}){(positions is null ? "" : $" at {string.Join(",", positions)}")}", vector, positions));
                        break;
                    }
                    default: continue;
                }
                sources.Add(s);
            }
        }
        catch
        {
            foreach (var i in items.OfType<IDisposable>()) i.Dispose();
            throw;
        }
        finally
        {
            foreach (var r in runs.Values) r.Dispose();
        }
        return new PreparedInterventions { Items = items, Sources = sources };
    }

    /// <summary>Absolute positions from what the user wrote (negative counts from the prompt's end); all prompt positions when null.</summary>
    public static IReadOnlyList<int> Positions(IReadOnlyList<NumberText>? written, int promptLength, int line)
    {
        if (written is null) return Enumerable.Range(0, promptLength).ToList();
        var result = new List<int>();
        foreach (var n in written)
        {
            int p = n.AsInt < 0 ? promptLength + n.AsInt : n.AsInt;
            if (p < 0 || p >= promptLength) throw new ExperimentException($"line {line + 1}: position {n.Raw} is outside the prompt (0…{promptLength - 1})");
            result.Add(p);
        }
        return result;
    }

    static Tensor Evaluate(VectorExpr e, string hook, Func<string, ReferenceRun> run, LoadedModel model, int line) => e switch
    {
        NumberVector n => tensor((float)n.Value),
        EmbedVector em => SingleToken(em, model, line, run),
        RunVector r => run(r.Text.Value)[hook][-1],
        NegateVector neg => -Evaluate(neg.Operand, hook, run, model, line),
        BinaryVector b => b.Operator switch
        {
            '+' => Evaluate(b.Left, hook, run, model, line) + Evaluate(b.Right, hook, run, model, line),
            '-' => Evaluate(b.Left, hook, run, model, line) - Evaluate(b.Right, hook, run, model, line),
            '*' => Evaluate(b.Left, hook, run, model, line) * Evaluate(b.Right, hook, run, model, line),
            _ => Evaluate(b.Left, hook, run, model, line) / Evaluate(b.Right, hook, run, model, line),
        },
        _ => throw new ExperimentException($"line {line + 1}: unsupported vector"),
    };

    static Tensor SingleToken(EmbedVector em, LoadedModel model, int line, Func<string, ReferenceRun> run)
    {
        var ids = model.Tokenizer.Encode(em.Text.Value);
        if (ids.Count != 1) throw new ExperimentException($"line {line + 1}: embed takes one token; \"{em.Text.Value}\" is {ids.Count} tokens");
        return run(em.Text.Value)["hook_embed"][0];
    }
}
