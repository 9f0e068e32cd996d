namespace LlmDebug.Engine.Experiments;

/// <summary>A range on one line of an experiment file: 0-based line, UTF-16 columns [Start, End) — as LSP counts.</summary>
public readonly record struct TextSpan(int Line, int Start, int End)
{
    public int Length => End - Start;
    public bool Contains(int line, int column) => line == Line && column >= Start && column <= End;
    public override string ToString() => $"{Line + 1}:{Start + 1}-{End + 1}";
}

public enum Severity { Error, Warning, Information, Hint }

/// <summary>A replacement that fixes a diagnostic (a quick fix).</summary>
public sealed record TextFix(string Title, TextSpan Span, string NewText);

/// <summary>A problem in an experiment file, found by the parser or by the checks against the model.</summary>
public sealed record ExperimentDiagnostic(TextSpan Span, Severity Severity, string Message, string Code, TextFix? Fix = null)
{
    public override string ToString() => $"{Span}: {Severity.ToString().ToLowerInvariant()} {Code}: {Message}";
}

/// <summary>A quoted string as written: its value (escapes resolved) and where it stands, quotes included.</summary>
public sealed record QuotedText(string Value, TextSpan Span);

/// <summary>A number as written.</summary>
public sealed record NumberText(double Value, string Raw, TextSpan Span)
{
    public bool IsInteger => Value == Math.Floor(Value) && !Raw.Contains('.') && !Raw.Contains('e', StringComparison.OrdinalIgnoreCase);
    public int AsInt => (int)Value;
}

/// <summary>
/// A hook or sublayer name as written (<c>blocks.3.attn</c>, <c>blocks.6.hook_resid_post</c>, <c>logits</c>), with the
/// block index and the span of its digits when it names a block (for "layer out of range" and its quick fix).
/// </summary>
public sealed record HookName(string Text, TextSpan Span, int? Layer, TextSpan? LayerSpan, string Local)
{
    public static HookName From(string text, TextSpan span)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text, @"^blocks\.(\d+)(?:\.(.*))?$");
        if (!m.Success || !int.TryParse(m.Groups[1].Value, out int layer)) return new HookName(text, span, null, null, text);
        var digits = new TextSpan(span.Line, span.Start + 7, span.Start + 7 + m.Groups[1].Length);
        return new HookName(text, span, layer, digits, m.Groups[2].Success ? m.Groups[2].Value : "");
    }
}

/// <summary>One meaningful line of an experiment file.</summary>
public abstract record Statement(TextSpan Span, TextSpan KeywordSpan)
{
    public abstract string Keyword { get; }
}

public sealed record ModelStatement(TextSpan Span, TextSpan KeywordSpan, string Path, TextSpan PathSpan) : Statement(Span, KeywordSpan)
{
    public override string Keyword => "model";
}

/// <param name="Index">0-based among the file's prompts.</param>
public sealed record PromptStatement(TextSpan Span, TextSpan KeywordSpan, QuotedText Text, int Index) : Statement(Span, KeywordSpan)
{
    public override string Keyword => "prompt";
}

public sealed record CounterfactualStatement(TextSpan Span, TextSpan KeywordSpan, QuotedText Text) : Statement(Span, KeywordSpan)
{
    public override string Keyword => "counterfactual";
}

/// <summary><c>tokens 3</c>, <c>temperature 0.7</c>, <c>top-k 40</c>, <c>seed 1</c>.</summary>
public sealed record SettingStatement(TextSpan Span, TextSpan KeywordSpan, string Name, NumberText Value) : Statement(Span, KeywordSpan)
{
    public override string Keyword => Name;
}

/// <summary><c>break blocks.11.attn.hook_pattern [if EXPR]</c>.</summary>
public sealed record BreakStatement(TextSpan Span, TextSpan KeywordSpan, HookName Target, string? Condition, TextSpan? ConditionSpan) : Statement(Span, KeywordSpan)
{
    public override string Keyword => "break";
}

public sealed record WatchStatement(TextSpan Span, TextSpan KeywordSpan, string Expression, TextSpan ExpressionSpan) : Statement(Span, KeywordSpan)
{
    public override string Keyword => "watch";
}

public enum AblationUnit { Head, Neuron }

/// <summary><c>ablate blocks.3.attn head 2 [mean]</c>, <c>ablate blocks.5.mlp neuron 17,18</c>.</summary>
public sealed record AblateStatement(TextSpan Span, TextSpan KeywordSpan, HookName Target, AblationUnit Unit, IReadOnlyList<NumberText> Indices, bool Mean) : Statement(Span, KeywordSpan)
{
    public override string Keyword => "ablate";
}

/// <summary><c>patch blocks.6.hook_resid_post [at 3,4] from counterfactual</c>. Positions may be negative (from the prompt's end).</summary>
public sealed record PatchStatement(TextSpan Span, TextSpan KeywordSpan, HookName Target, IReadOnlyList<NumberText>? Positions, TextSpan SourceSpan) : Statement(Span, KeywordSpan)
{
    public override string Keyword => "patch";
}

/// <summary><c>steer blocks.4.hook_resid_pre add VECTOR [at 3,4]</c>.</summary>
public sealed record SteerStatement(TextSpan Span, TextSpan KeywordSpan, HookName Target, VectorExpr Vector, IReadOnlyList<NumberText>? Positions) : Statement(Span, KeywordSpan)
{
    public override string Keyword => "steer";
}

public enum ExpectKind { Top1, Prob, Rank, Text }

/// <summary>
/// <c>expect top1 " the"</c>, <c>expect prob " the" &gt; 0.1</c>, <c>expect rank " the" &lt;= 3</c>, <c>expect text " shall not want"</c>.
/// Belongs to the prompt above it (<see cref="PromptIndex"/>), or to every prompt when it comes before the first prompt.
/// </summary>
public sealed record ExpectStatement(TextSpan Span, TextSpan KeywordSpan, ExpectKind Kind, QuotedText Token, string? Operator, NumberText? Threshold, int? PromptIndex) : Statement(Span, KeywordSpan)
{
    public override string Keyword => "expect";
}

/// <summary>A steering vector: numbers, <c>embed "tok"</c> (a token's embedding), <c>run "text"</c> (the activation at the
/// steered hook, last position, when running the text), combined with + - * / and parentheses.</summary>
public abstract record VectorExpr(TextSpan Span);
public sealed record NumberVector(TextSpan Span, double Value) : VectorExpr(Span);
public sealed record EmbedVector(TextSpan Span, QuotedText Text) : VectorExpr(Span);
public sealed record RunVector(TextSpan Span, QuotedText Text) : VectorExpr(Span);
public sealed record NegateVector(TextSpan Span, VectorExpr Operand) : VectorExpr(Span);
public sealed record BinaryVector(TextSpan Span, char Operator, VectorExpr Left, VectorExpr Right) : VectorExpr(Span);

/// <summary>The parsed file: its statements in order and the syntax errors (each bad line reports on its own).</summary>
public sealed class ExperimentDocument
{
    public required IReadOnlyList<Statement> Statements { get; init; }
    public required IReadOnlyList<ExperimentDiagnostic> SyntaxDiagnostics { get; init; }
    public required string[] Lines { get; init; }

    public ModelStatement? Model => Statements.OfType<ModelStatement>().FirstOrDefault();
    public IReadOnlyList<PromptStatement> Prompts => Statements.OfType<PromptStatement>().ToList();
    public CounterfactualStatement? Counterfactual => Statements.OfType<CounterfactualStatement>().LastOrDefault();
    public IEnumerable<T> All<T>() where T : Statement => Statements.OfType<T>();
    public Statement? StatementAt(int line) => Statements.FirstOrDefault(s => s.Span.Line == line);

    public double? Setting(string name) => Statements.OfType<SettingStatement>().LastOrDefault(s => s.Name == name)?.Value.Value;

    /// <summary>Expectations that apply to prompt <paramref name="index"/>.</summary>
    public IEnumerable<ExpectStatement> ExpectationsFor(int index) =>
        All<ExpectStatement>().Where(e => e.PromptIndex is null || e.PromptIndex == index);
}
