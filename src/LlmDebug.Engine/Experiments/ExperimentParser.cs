using LlmDebug.Engine.Text;

namespace LlmDebug.Engine.Experiments;

/// <summary>
/// Parses an experiment file line by line. Each line is parsed on its own, so a bad line reports its own errors
/// (with the column range of the offending token) and never hides problems on other lines.
/// </summary>
public static class ExperimentParser
{
    public const string FileExtension = ".llmdebug";

    /// <summary>Every keyword a line can start with, with a one-line description (completion and hover use them).</summary>
    public static readonly IReadOnlyDictionary<string, string> Keywords = new Dictionary<string, string>
    {
        ["model"] = "model FOLDER — the Hugging Face model folder, relative to this file",
        ["prompt"] = "prompt \"TEXT\" — a prompt to run (one run per prompt line)",
        ["counterfactual"] = "counterfactual \"TEXT\" — the prompt to compare against; `patch … from counterfactual` copies its activations",
        ["tokens"] = "tokens N — how many tokens to generate (default 3)",
        ["temperature"] = "temperature T — sampling temperature (default 0 = greedy)",
        ["top-k"] = "top-k K — sample only among the K most likely tokens (default 0 = no limit)",
        ["seed"] = "seed S — random seed for sampling (default 0)",
        ["break"] = "break HOOK [if EXPR] — stop at a hook point or block when debugging (F5)",
        ["watch"] = "watch EXPR — an expression shown at every stop and printed by `llmdebug run`",
        ["ablate"] = "ablate blocks.N.attn head H [mean] | ablate blocks.N.mlp neuron I [mean] — zero (or mean) a head's output or a neuron",
        ["patch"] = "patch HOOK [at P,Q] from counterfactual — replace activations with the counterfactual run's",
        ["steer"] = "steer HOOK add VECTOR [at P,Q] — add a steering vector, e.g. (embed \" love\" - embed \" hate\") * 4",
        ["expect"] = "expect top1 \"TOK\" | expect prob \"TOK\" > 0.1 | expect rank \"TOK\" <= 3 | expect text \"TEXT\" — checks on the next-token prediction",
    };

    public static readonly string[] SettingNames = ["tokens", "temperature", "top-k", "seed"];

    public static ExperimentDocument Parse(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var statements = new List<Statement>();
        var diagnostics = new List<ExperimentDiagnostic>();
        int prompts = 0;
        int? currentPrompt = null;
        for (int n = 0; n < lines.Length; n++)
        {
            var lineDiagnostics = new List<ExperimentDiagnostic>();
            Statement? s = null;
            try
            {
                s = new LineParser(lines[n], n, lineDiagnostics, prompts, currentPrompt).Parse();
            }
            catch (LineError e)
            {
                lineDiagnostics.Add(new(e.Span, Severity.Error, e.Message, "syntax", e.Fix));
            }
            diagnostics.AddRange(lineDiagnostics);
            if (s is null) continue;
            if (s is PromptStatement p) { prompts++; currentPrompt = p.Index; }
            statements.Add(s);
        }
        return new ExperimentDocument { Statements = statements, SyntaxDiagnostics = diagnostics, Lines = lines };
    }

    internal sealed class LineError(TextSpan span, string message, TextFix? fix = null) : Exception(message)
    {
        public TextSpan Span { get; } = span;
        public TextFix? Fix { get; } = fix;
    }

    sealed class LineParser(string line, int lineNo, List<ExperimentDiagnostic> diagnostics, int promptCount, int? currentPrompt)
    {
        List<LineToken> _t = [];
        int _i, _commentStart;
        LineToken? Peek => _i < _t.Count ? _t[_i] : null;
        TextSpan EndSpan => _t.Count > 0 ? new TextSpan(lineNo, _t[^1].Span.End, _t[^1].Span.End + 1) : new TextSpan(lineNo, 0, Math.Max(1, line.Length));
        TextSpan Whole => new(lineNo, _t[0].Span.Start, _t[^1].Span.End);

        public Statement? Parse()
        {
            _t = LineLexer.Lex(line, lineNo, diagnostics, out _commentStart);
            if (_t.Count == 0) return null;
            if (diagnostics.Count > 0) return null;   // lexical errors already say what is wrong with this line
            var first = Next();
            if (first.Kind != LineTokenKind.Word)
                throw new LineError(first.Span, $"a line starts with a keyword ({string.Join(", ", Keywords.Keys)}), not {Describe(first)}");
            var kw = first.Span;
            Statement s = first.Raw switch
            {
                "model" => ParseModel(kw),
                "prompt" => new PromptStatement(Whole, kw, ExpectString("prompt", "the prompt text in double quotes, e.g. prompt \"The Lord is my\""), promptCount),
                "counterfactual" => new CounterfactualStatement(Whole, kw, ExpectString("counterfactual", "the counterfactual prompt in double quotes")),
                "tokens" or "temperature" or "top-k" or "seed" => new SettingStatement(Whole, kw, first.Raw, ExpectNumber(first.Raw)),
                "break" => ParseBreak(kw),
                "watch" => ParseWatch(kw),
                "ablate" => ParseAblate(kw),
                "patch" => ParsePatch(kw),
                "steer" => ParseSteer(kw),
                "expect" => ParseExpect(kw),
                _ => throw UnknownKeyword(first),
            };
            if (Peek is { } extra) throw new LineError(new TextSpan(lineNo, extra.Span.Start, _t[^1].Span.End), $"unexpected {Describe(extra)} at the end of this '{first.Raw}' line");
            return s with { Span = Whole };
        }

        LineError UnknownKeyword(LineToken word)
        {
            var suggestion = Spelling.Closest(word.Raw, Keywords.Keys);
            string message = $"unknown keyword '{word.Raw}'" + (suggestion is null ? "" : $"; did you mean '{suggestion}'?") +
                             $" Lines start with one of: {string.Join(", ", Keywords.Keys)}";
            return new LineError(word.Span, message, suggestion is null ? null : new TextFix($"Change to '{suggestion}'", word.Span, suggestion));
        }

        LineToken Next() => _t[_i++];

        Statement ParseModel(TextSpan kw)
        {
            if (Peek is null) throw new LineError(EndSpan, "model needs the model folder, relative to this file (e.g. model ../models/gpt2-kjv-12L)");
            if (Peek.Kind == LineTokenKind.String) { var s = Next(); return new ModelStatement(default, kw, s.Value, s.Span); }
            // an unquoted path is the rest of the line (before a comment), so it may contain any character but '#'
            int start = Peek.Span.Start;
            string path = line[start.._commentStart].TrimEnd();
            _i = _t.Count;
            return new ModelStatement(default, kw, path, new TextSpan(lineNo, start, start + path.Length));
        }

        Statement ParseBreak(TextSpan kw)
        {
            var target = ExpectHook("break", "a hook or layer, e.g. break blocks.11.attn.hook_pattern or break blocks.5");
            if (Peek is null) return new BreakStatement(default, kw, target, null, null);
            if (!Peek.Is("if")) throw new LineError(Peek.Span, $"expected 'if CONDITION' or the end of the line after the breakpoint target, found {Describe(Peek)}");
            var ifToken = Next();
            var (expr, span) = RestAsExpression(ifToken.Span.End, "if needs a condition, e.g. if max(attn.hook_pattern) > 0.9");
            return new BreakStatement(default, kw, target, expr, span);
        }

        Statement ParseWatch(TextSpan kw)
        {
            var (expr, span) = RestAsExpression(kw.End, "watch needs an expression, e.g. watch topk(logits, 5)");
            return new WatchStatement(default, kw, expr, span);
        }

        (string, TextSpan) RestAsExpression(int from, string missing)
        {
            string raw = line[from.._commentStart];
            int lead = raw.Length - raw.TrimStart().Length;
            string expr = raw.Trim();
            _i = _t.Count;
            if (expr.Length == 0) throw new LineError(EndSpan, missing);
            var span = new TextSpan(lineNo, from + lead, from + lead + expr.Length);
            try { Expressions.Expression.Parse(expr); }
            catch (Expressions.ExpressionException e)
            {
                int at = Math.Clamp(span.Start + e.Position, span.Start, Math.Max(span.Start, span.End - 1));
                diagnostics.Add(new(new TextSpan(lineNo, at, at + 1), Severity.Error, $"expression: {e.Reason}", "syntax"));
            }
            return (expr, span);
        }

        Statement ParseAblate(TextSpan kw)
        {
            var target = ExpectHook("ablate", "what to ablate, e.g. ablate blocks.3.attn head 2 or ablate blocks.5.mlp neuron 17");
            var unitToken = Peek ?? throw new LineError(EndSpan, $"expected 'head H' or 'neuron I' after {target.Text}");
            AblationUnit unit = unitToken.Raw switch
            {
                "head" or "heads" => AblationUnit.Head,
                "neuron" or "neurons" => AblationUnit.Neuron,
                _ => throw new LineError(unitToken.Span, $"expected 'head' or 'neuron' after {target.Text}, found {Describe(unitToken)}"),
            };
            Next();
            var indices = NumberList(unitToken.Raw, allowNegative: false);
            bool mean = false;
            if (Peek is { } mode)
            {
                if (mode.Is("mean")) { mean = true; Next(); }
                else if (mode.Is("zero")) Next();
                else throw new LineError(mode.Span, $"expected 'zero', 'mean' or the end of the line, found {Describe(mode)}");
            }
            return new AblateStatement(default, kw, target, unit, indices, mean);
        }

        Statement ParsePatch(TextSpan kw)
        {
            var target = ExpectHook("patch", "the hook to patch, e.g. patch blocks.6.hook_resid_post from counterfactual");
            IReadOnlyList<NumberText>? positions = null;
            if (Peek?.Is("at") == true) { Next(); positions = NumberList("at", allowNegative: true); }
            var from = Peek ?? throw new LineError(EndSpan, "expected 'from counterfactual' (patching copies activations from the counterfactual run)");
            if (!from.Is("from")) throw new LineError(from.Span, $"expected 'at POSITIONS' or 'from counterfactual', found {Describe(from)}");
            Next();
            var source = Peek ?? throw new LineError(EndSpan, "expected 'counterfactual' after 'from'");
            if (!source.Is("counterfactual")) throw new LineError(source.Span, $"activations can be patched from 'counterfactual' only, found {Describe(source)}",
                source.Kind == LineTokenKind.Word && Spelling.EditDistance(source.Raw, "counterfactual") <= 3 ? new TextFix("Change to 'counterfactual'", source.Span, "counterfactual") : null);
            Next();
            return new PatchStatement(default, kw, target, positions, source.Span);
        }

        Statement ParseSteer(TextSpan kw)
        {
            var target = ExpectHook("steer", "the hook to steer, e.g. steer blocks.4.hook_resid_pre add embed \" love\" * 4");
            var add = Peek ?? throw new LineError(EndSpan, "expected 'add VECTOR' after the hook");
            if (!add.Is("add")) throw new LineError(add.Span, $"expected 'add', found {Describe(add)}");
            Next();
            if (Peek is null || Peek.Is("at")) throw new LineError(EndSpan, "add needs a vector, e.g. (embed \" love\" - embed \" hate\") * 4 or run \"I love\" - run \"I hate\"");
            var vector = Sum();
            IReadOnlyList<NumberText>? positions = null;
            if (Peek?.Is("at") == true) { Next(); positions = NumberList("at", allowNegative: true); }
            return new SteerStatement(default, kw, target, vector, positions);
        }

        VectorExpr Sum()
        {
            var left = Product();
            while (Peek is { Kind: LineTokenKind.Punct, Raw: "+" or "-" })
            {
                char op = Next().Raw[0];
                var right = Product();
                left = new BinaryVector(new TextSpan(lineNo, left.Span.Start, right.Span.End), op, left, right);
            }
            return left;
        }

        VectorExpr Product()
        {
            var left = Unary();
            while (Peek is { Kind: LineTokenKind.Punct, Raw: "*" or "/" })
            {
                char op = Next().Raw[0];
                var right = Unary();
                left = new BinaryVector(new TextSpan(lineNo, left.Span.Start, right.Span.End), op, left, right);
            }
            return left;
        }

        VectorExpr Unary()
        {
            if (Peek is { Kind: LineTokenKind.Punct, Raw: "-" })
            {
                var minus = Next();
                var operand = Unary();
                return new NegateVector(new TextSpan(lineNo, minus.Span.Start, operand.Span.End), operand);
            }
            var t = Peek ?? throw new LineError(EndSpan, "the vector ends too early: expected a number, embed \"TOKEN\", run \"TEXT\" or (");
            Next();
            switch (t)
            {
                case { Kind: LineTokenKind.Number }:
                    return new NumberVector(t.Span, ParseNumber(t).Value);
                case { Kind: LineTokenKind.Punct, Raw: "(" }:
                    var inner = Sum();
                    var close = Peek ?? throw new LineError(EndSpan, "missing ')'");
                    if (!close.Is(")")) throw new LineError(close.Span, $"expected ')', found {Describe(close)}");
                    Next();
                    return inner with { Span = new TextSpan(lineNo, t.Span.Start, close.Span.End) };
                case { Kind: LineTokenKind.Word, Raw: "embed" or "run" }:
                    var s = Peek is { Kind: LineTokenKind.String } ? Next()
                        : throw new LineError(Peek?.Span ?? EndSpan, $"{t.Raw} needs text in double quotes, e.g. {t.Raw} \" love\"");
                    var q = new QuotedText(s.Value, s.Span);
                    var span = new TextSpan(lineNo, t.Span.Start, s.Span.End);
                    return t.Raw == "embed" ? new EmbedVector(span, q) : new RunVector(span, q);
                default:
                    throw new LineError(t.Span, $"expected a number, embed \"TOKEN\", run \"TEXT\" or '(' in the vector, found {Describe(t)}");
            }
        }

        Statement ParseExpect(TextSpan kw)
        {
            var kindToken = Peek ?? throw new LineError(EndSpan, "expect needs a check: top1 \"TOK\", prob \"TOK\" > P, rank \"TOK\" <= R or text \"TEXT\"");
            ExpectKind kind = kindToken.Raw switch
            {
                "top1" or "top-1" => ExpectKind.Top1,
                "prob" or "probability" => ExpectKind.Prob,
                "rank" => ExpectKind.Rank,
                "text" => ExpectKind.Text,
                _ => throw new LineError(kindToken.Span, $"unknown expectation {Describe(kindToken)}; use top1, prob, rank or text"),
            };
            Next();
            var token = ExpectString($"expect {kindToken.Raw}", "the token in double quotes, with its leading space (e.g. \" the\")");
            string? op = null;
            NumberText? threshold = null;
            if (kind is ExpectKind.Prob or ExpectKind.Rank)
            {
                var opToken = Peek ?? throw new LineError(EndSpan, kind == ExpectKind.Prob ? "expected a comparison, e.g. > 0.1" : "expected a comparison, e.g. <= 3");
                if (opToken.Kind != LineTokenKind.Punct || opToken.Raw is not (">" or ">=" or "<" or "<=" or "==" or "="))
                    throw new LineError(opToken.Span, $"expected a comparison (>, >=, <, <=, ==), found {Describe(opToken)}");
                Next();
                op = opToken.Raw == "=" ? "==" : opToken.Raw;
                threshold = ExpectNumber($"{kindToken.Raw} {op}");
            }
            return new ExpectStatement(default, kw, kind, token, op, threshold, currentPrompt);
        }

        HookName ExpectHook(string after, string example)
        {
            var t = Peek ?? throw new LineError(EndSpan, $"{after} needs {example}");
            if (t.Kind != LineTokenKind.Word) throw new LineError(t.Span, $"{after} needs {example}; found {Describe(t)}");
            Next();
            return HookName.From(t.Raw, t.Span);
        }

        QuotedText ExpectString(string after, string what)
        {
            var t = Peek ?? throw new LineError(EndSpan, $"{after} needs {what}");
            if (t.Kind != LineTokenKind.String)
                throw new LineError(t.Span, $"{after} needs {what}; found {Describe(t)}",
                    new TextFix("Put the text in double quotes", new TextSpan(lineNo, t.Span.Start, _t[^1].Span.End), $"\"{line[t.Span.Start.._t[^1].Span.End].Replace("\"", "\\\"")}\""));
            Next();
            return new QuotedText(t.Value, t.Span);
        }

        NumberText ExpectNumber(string after)
        {
            var t = Peek ?? throw new LineError(EndSpan, $"{after} needs a number");
            bool negative = false;
            if (t.Is("-") && _i + 1 < _t.Count && _t[_i + 1].Kind == LineTokenKind.Number) { Next(); negative = true; t = Peek!; }
            if (t.Kind != LineTokenKind.Number) throw new LineError(t.Span, $"{after} needs a number, found {Describe(t)}");
            Next();
            var n = ParseNumber(t);
            return negative ? new NumberText(-n.Value, "-" + n.Raw, new TextSpan(lineNo, t.Span.Start - 1, t.Span.End)) : n;
        }

        List<NumberText> NumberList(string after, bool allowNegative)
        {
            var list = new List<NumberText>();
            do
            {
                var n = ExpectNumber(after);
                if (!n.IsInteger) throw new LineError(n.Span, $"{after} needs whole numbers, found {n.Raw}");
                if (n.Value < 0 && !allowNegative) throw new LineError(n.Span, $"{after} needs numbers of 0 or more, found {n.Raw}");
                list.Add(n);
            } while (Peek?.Is(",") == true && Next() is not null);
            return list;
        }

        static NumberText ParseNumber(LineToken t) =>
            new(double.Parse(t.Raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture), t.Raw, t.Span);

        static string Describe(LineToken t) => t.Kind switch
        {
            LineTokenKind.String => $"the string {t.Raw}",
            LineTokenKind.Number => $"the number {t.Raw}",
            _ => $"'{t.Raw}'",
        };
    }
}
