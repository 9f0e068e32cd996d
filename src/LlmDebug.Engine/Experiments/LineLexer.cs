using System.Globalization;
using System.Text;

namespace LlmDebug.Engine.Experiments;

public enum LineTokenKind { Word, Number, String, Punct }

/// <summary>A token of one experiment line. For strings, <see cref="Value"/> holds the unescaped text.</summary>
public sealed record LineToken(LineTokenKind Kind, string Raw, string Value, TextSpan Span)
{
    public bool Is(string punctOrWord) => (Kind is LineTokenKind.Punct or LineTokenKind.Word) && Raw == punctOrWord;
}

/// <summary>
/// Splits one line into words (<c>blocks.3.attn</c>, <c>top-k</c>), numbers, "strings" (with \" \\ \n \t escapes)
/// and punctuation; <c>#</c> outside a string starts a comment. Errors (an unterminated string, a stray character)
/// are reported with their column and lexing goes on, so the rest of the line still gets checked.
/// </summary>
public static class LineLexer
{
    public static List<LineToken> Lex(string line, int lineNo, List<ExperimentDiagnostic> diagnostics, out int commentStart)
    {
        var tokens = new List<LineToken>();
        commentStart = line.Length;
        int i = 0;
        while (i < line.Length)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#') { commentStart = i; break; }
            int start = i;
            if (c == '"')
            {
                var value = new StringBuilder();
                i++;
                bool closed = false;
                while (i < line.Length)
                {
                    char d = line[i];
                    if (d == '"') { closed = true; i++; break; }
                    if (d == '\\' && i + 1 < line.Length)
                    {
                        char e = line[i + 1];
                        switch (e)
                        {
                            case 'n': value.Append('\n'); break;
                            case 't': value.Append('\t'); break;
                            case '"': value.Append('"'); break;
                            case '\\': value.Append('\\'); break;
                            default:
                                diagnostics.Add(new(new TextSpan(lineNo, i, i + 2), Severity.Error,
                                    $"unknown escape '\\{e}' in a string; use \\\" \\\\ \\n or \\t", "syntax"));
                                value.Append(e);
                                break;
                        }
                        i += 2;
                        continue;
                    }
                    value.Append(d);
                    i++;
                }
                if (!closed)
                    diagnostics.Add(new(new TextSpan(lineNo, start, line.Length), Severity.Error, "unterminated string: add the closing \"", "syntax"));
                tokens.Add(new LineToken(LineTokenKind.String, line[start..i], value.ToString(), new TextSpan(lineNo, start, i)));
                continue;
            }
            if (char.IsDigit(c) || (c == '.' && i + 1 < line.Length && char.IsDigit(line[i + 1])))
            {
                while (i < line.Length && (char.IsDigit(line[i]) || line[i] == '.')) i++;
                if (i < line.Length && (line[i] is 'e' or 'E'))
                {
                    int save = i++;
                    if (i < line.Length && line[i] is '+' or '-') i++;
                    if (i < line.Length && char.IsDigit(line[i])) while (i < line.Length && char.IsDigit(line[i])) i++;
                    else i = save;
                }
                string raw = line[start..i];
                if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                {
                    diagnostics.Add(new(new TextSpan(lineNo, start, i), Severity.Error, $"'{raw}' is not a number", "syntax"));
                    v = 0;
                }
                // a number glued to letters (3abc) is one bad word, not a number and a word
                if (i < line.Length && (char.IsLetter(line[i]) || line[i] == '_'))
                {
                    while (i < line.Length && IsWordChar(line[i])) i++;
                    tokens.Add(new LineToken(LineTokenKind.Word, line[start..i], line[start..i], new TextSpan(lineNo, start, i)));
                    continue;
                }
                tokens.Add(new LineToken(LineTokenKind.Number, raw, raw, new TextSpan(lineNo, start, i)));
                continue;
            }
            if (char.IsLetter(c) || c == '_' || c == '.' || c == '/' || c == '~')
            {
                while (i < line.Length && IsWordChar(line[i])) i++;
                tokens.Add(new LineToken(LineTokenKind.Word, line[start..i], line[start..i], new TextSpan(lineNo, start, i)));
                continue;
            }
            if (c is '>' or '<' or '=' or '!')
            {
                i++;
                if (i < line.Length && line[i] == '=') i++;
                tokens.Add(new LineToken(LineTokenKind.Punct, line[start..i], line[start..i], new TextSpan(lineNo, start, i)));
                continue;
            }
            if (c is '(' or ')' or '*' or '/' or '+' or '-' or ',' or '[' or ']' or ':')
            {
                i++;
                tokens.Add(new LineToken(LineTokenKind.Punct, c.ToString(), c.ToString(), new TextSpan(lineNo, start, i)));
                continue;
            }
            diagnostics.Add(new(new TextSpan(lineNo, i, i + 1), Severity.Error, $"unexpected character '{c}'", "syntax"));
            i++;
        }
        return tokens;
    }

    static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '.' or '-' or '/' or '\\' or '~';
}
