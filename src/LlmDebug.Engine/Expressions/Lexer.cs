using System.Globalization;

namespace LlmDebug.Engine.Expressions;

/// <summary>
/// Turns expression text into tokens. Hook names are lexed as one token including their dots
/// (<c>blocks.11.attn.hook_pattern</c>): a name starts with a letter or '_' and each '.' must be
/// followed by letters, digits or '_'. <c>and</c>/<c>or</c>/<c>not</c>/<c>true</c>/<c>false</c> are keywords.
/// </summary>
public static class Lexer
{
    public static IReadOnlyList<Token> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }

            int start = i;
            if (IsNameStart(c))
            {
                i = ScanName(text, i);
                string name = text[start..i];
                tokens.Add(new Token(KeywordKind(name) ?? TokenKind.Name, name, start));
                continue;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                i = ScanNumber(text, i);
                string literal = text[start..i];
                if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                    throw new ExpressionException($"malformed number '{literal}'", start);
                tokens.Add(new Token(TokenKind.Number, literal, start, value));
                continue;
            }

            char next = i + 1 < text.Length ? text[i + 1] : '\0';
            (TokenKind kind, int length) = (c, next) switch
            {
                ('<', '=') => (TokenKind.LessEqual, 2),
                ('>', '=') => (TokenKind.GreaterEqual, 2),
                ('=', '=') => (TokenKind.EqualEqual, 2),
                ('!', '=') => (TokenKind.NotEqual, 2),
                ('&', '&') => (TokenKind.And, 2),
                ('|', '|') => (TokenKind.Or, 2),
                ('<', _) => (TokenKind.Less, 1),
                ('>', _) => (TokenKind.Greater, 1),
                ('!', _) => (TokenKind.Not, 1),
                ('+', _) => (TokenKind.Plus, 1),
                ('-', _) => (TokenKind.Minus, 1),
                ('*', _) => (TokenKind.Star, 1),
                ('/', _) => (TokenKind.Slash, 1),
                ('(', _) => (TokenKind.LeftParen, 1),
                (')', _) => (TokenKind.RightParen, 1),
                ('[', _) => (TokenKind.LeftBracket, 1),
                (']', _) => (TokenKind.RightBracket, 1),
                (',', _) => (TokenKind.Comma, 1),
                (':', _) => (TokenKind.Colon, 1),
                ('=', _) => throw new ExpressionException("unexpected '=' — use '==' to compare", start),
                ('&', _) => throw new ExpressionException("unexpected '&' — use 'and' or '&&'", start),
                ('|', _) => throw new ExpressionException("unexpected '|' — use 'or' or '||'", start),
                _ => throw new ExpressionException($"unexpected character '{c}'", start),
            };
            tokens.Add(new Token(kind, text.Substring(start, length), start));
            i += length;
        }
        tokens.Add(new Token(TokenKind.End, "", text.Length));
        return tokens;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';
    private static bool IsNamePart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static int ScanName(string text, int i)
    {
        while (i < text.Length && IsNamePart(text[i])) i++;
        // A dot continues the name only when a name character follows it (blocks.11.attn).
        while (i + 1 < text.Length && text[i] == '.' && IsNamePart(text[i + 1]))
        {
            i++;
            while (i < text.Length && IsNamePart(text[i])) i++;
        }
        return i;
    }

    private static int ScanNumber(string text, int i)
    {
        int start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            int j = i + 1;
            if (j < text.Length && (text[j] == '+' || text[j] == '-')) j++;
            if (j >= text.Length || !char.IsAsciiDigit(text[j]))
                throw new ExpressionException("malformed number: expected digits after the exponent 'e'", start);
            i = j;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        if (i < text.Length && IsNameStart(text[i]))
            throw new ExpressionException($"malformed number '{text[start..(i + 1)]}'", start);
        return i;
    }

    private static TokenKind? KeywordKind(string name) => name switch
    {
        "and" => TokenKind.And,
        "or" => TokenKind.Or,
        "not" => TokenKind.Not,
        "true" => TokenKind.True,
        "false" => TokenKind.False,
        _ => null,
    };
}
