using System.Text.RegularExpressions;

namespace LlmDebug.Engine.Runtime.Breakpoints;

/// <summary>
/// When a breakpoint whose condition holds actually stops, by its hit count: <c>3</c> or <c>==3</c> (the third hit
/// only), <c>&gt;=3</c>, <c>&gt;3</c>, <c>%3</c> (every third). A breakpoint on a layer is hit once per token step,
/// so <c>3</c> stops in the third token step.
/// </summary>
public sealed partial record HitCondition(string Operator, int Value)
{
    public static HitCondition Parse(string text)
    {
        var m = Syntax().Match(text.Trim());
        if (!m.Success)
            throw new FormatException($"hit condition '{text}' not understood; use N, ==N, >=N, >N or %N (e.g. 3 stops on the third hit)");
        string op = m.Groups[1].Value is "" or "=" ? "==" : m.Groups[1].Value;
        if (!int.TryParse(m.Groups[2].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value))
            throw new FormatException($"hit condition '{text}' not understood: {m.Groups[2].Value} is not a hit count (at most {int.MaxValue})");
        if (op == "%" && value == 0) throw new FormatException("hit condition %0 is not valid");
        return new HitCondition(op, value);
    }

    public bool IsMet(int hits) => Operator switch
    {
        "==" => hits == Value,
        ">=" => hits >= Value,
        ">" => hits > Value,
        "%" => hits % Value == 0,
        _ => false,
    };

    [GeneratedRegex(@"^(==|=|>=|>|%)?\s*(\d+)$")] private static partial Regex Syntax();
}
