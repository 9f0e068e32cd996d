namespace LlmDebug.Engine.Expressions;

public enum TokenKind
{
    Number,
    Name,        // identifiers and dotted hook names: logits, blocks.11.attn.hook_pattern
    True,
    False,
    And,         // and, &&
    Or,          // or, ||
    Not,         // not, !
    Plus,
    Minus,
    Star,
    Slash,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    EqualEqual,
    NotEqual,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    End,
}

/// <param name="Text">The exact source text of the token.</param>
/// <param name="Position">0-based offset of the first character.</param>
/// <param name="Number">Parsed value for <see cref="TokenKind.Number"/> tokens.</param>
public readonly record struct Token(TokenKind Kind, string Text, int Position, double Number = 0)
{
    public string Describe() => Kind == TokenKind.End ? "end of expression" : $"'{Text}'";
}
