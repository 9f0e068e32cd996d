namespace LlmDebug.Engine.Expressions;

/// <summary>
/// Recursive-descent parser. Grammar, lowest precedence first:
/// <code>
/// expr       := or
/// or         := and (('or' | '||') and)*
/// and        := not (('and' | '&amp;&amp;') not)*
/// not        := ('not' | '!') not | comparison          // '!' has the same (low) precedence as 'not'
/// comparison := additive (('&lt;'|'&lt;='|'&gt;'|'&gt;='|'=='|'!=') additive)?   // not chainable
/// additive   := term (('+' | '-') term)*
/// term       := unary (('*' | '/') unary)*
/// unary      := ('-' | '+') unary | postfix
/// postfix    := primary ('[' item (',' item)* ']')*
/// item       := expr | expr? ':' expr? (':' expr?)?
/// primary    := NUMBER | 'true' | 'false' | NAME | NAME '(' (expr (',' expr)*)? ')' | '(' expr ')'
/// </code>
/// </summary>
public sealed class Parser
{
    /// <summary>Guards the recursion so a pathological input cannot overflow the stack.</summary>
    public const int MaxDepth = 100;

    private readonly IReadOnlyList<Token> _tokens;
    private int _index;
    private int _depth;

    private Parser(IReadOnlyList<Token> tokens) => _tokens = tokens;

    public static ExpressionNode Parse(string text)
    {
        var parser = new Parser(Lexer.Tokenize(text));
        if (parser.Current.Kind == TokenKind.End)
            throw new ExpressionException("empty expression", 0);
        var node = parser.ParseExpression();
        if (parser.Current.Kind != TokenKind.End)
            throw parser.Expected("an operator or end of expression");
        return node;
    }

    private Token Current => _tokens[_index];

    private Token Advance() => _tokens[_index++];

    private bool Match(TokenKind kind)
    {
        if (Current.Kind != kind) return false;
        _index++;
        return true;
    }

    private Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind) throw Expected(what);
        return Advance();
    }

    private ExpressionException Expected(string what) =>
        new($"expected {what} but found {Current.Describe()}", Current.Position);

    private ExpressionNode ParseExpression()
    {
        if (++_depth > MaxDepth)
            throw new ExpressionException($"expression is nested too deeply (more than {MaxDepth} levels)", Current.Position);
        try { return ParseOr(); }
        finally { _depth--; }
    }

    private ExpressionNode ParseOr()
    {
        var left = ParseAnd();
        while (Current.Kind == TokenKind.Or)
        {
            var op = Advance();
            left = new BinaryNode(BinaryOperator.Or, left, ParseAnd(), op.Position);
        }
        return left;
    }

    private ExpressionNode ParseAnd()
    {
        var left = ParseNot();
        while (Current.Kind == TokenKind.And)
        {
            var op = Advance();
            left = new BinaryNode(BinaryOperator.And, left, ParseNot(), op.Position);
        }
        return left;
    }

    private ExpressionNode ParseNot()
    {
        if (Current.Kind == TokenKind.Not)
        {
            var op = Advance();
            return new UnaryNode(UnaryOperator.Not, Nested(ParseNot), op.Position);
        }
        return ParseComparison();
    }

    private ExpressionNode ParseComparison()
    {
        var left = ParseAdditive();
        var op = ComparisonOperator(Current.Kind);
        if (op is null) return left;
        var opToken = Advance();
        var node = new BinaryNode(op.Value, left, ParseAdditive(), opToken.Position);
        if (ComparisonOperator(Current.Kind) is not null)
            throw new ExpressionException(
                "comparisons cannot be chained; combine them with 'and' (e.g. a < b and b < c)", Current.Position);
        return node;
    }

    private static BinaryOperator? ComparisonOperator(TokenKind kind) => kind switch
    {
        TokenKind.Less => BinaryOperator.Less,
        TokenKind.LessEqual => BinaryOperator.LessEqual,
        TokenKind.Greater => BinaryOperator.Greater,
        TokenKind.GreaterEqual => BinaryOperator.GreaterEqual,
        TokenKind.EqualEqual => BinaryOperator.Equal,
        TokenKind.NotEqual => BinaryOperator.NotEqual,
        _ => null,
    };

    private ExpressionNode ParseAdditive()
    {
        var left = ParseTerm();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Advance();
            var kind = op.Kind == TokenKind.Plus ? BinaryOperator.Add : BinaryOperator.Subtract;
            left = new BinaryNode(kind, left, ParseTerm(), op.Position);
        }
        return left;
    }

    private ExpressionNode ParseTerm()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash)
        {
            var op = Advance();
            var kind = op.Kind == TokenKind.Star ? BinaryOperator.Multiply : BinaryOperator.Divide;
            left = new BinaryNode(kind, left, ParseUnary(), op.Position);
        }
        return left;
    }

    private ExpressionNode ParseUnary()
    {
        if (Current.Kind is TokenKind.Minus or TokenKind.Plus)
        {
            var op = Advance();
            var kind = op.Kind == TokenKind.Minus ? UnaryOperator.Negate : UnaryOperator.Plus;
            return new UnaryNode(kind, Nested(ParseUnary), op.Position);
        }
        return ParsePostfix();
    }

    private ExpressionNode ParsePostfix()
    {
        var node = ParsePrimary();
        while (Current.Kind == TokenKind.LeftBracket)
        {
            var open = Advance();
            var items = new List<IndexItem> { ParseIndexItem() };
            while (Match(TokenKind.Comma)) items.Add(ParseIndexItem());
            Expect(TokenKind.RightBracket, "',' or ']'");
            node = new IndexNode(node, items, open.Position);
        }
        return node;
    }

    private IndexItem ParseIndexItem()
    {
        int position = Current.Position;
        if (Current.Kind is TokenKind.RightBracket or TokenKind.Comma)
            throw Expected("an index or slice");
        ExpressionNode? start = Current.Kind == TokenKind.Colon ? null : ParseExpression();
        if (!Match(TokenKind.Colon)) return new SingleIndex(start!, position);

        ExpressionNode? stop = IsSliceBoundary() ? null : ParseExpression();
        ExpressionNode? step = null;
        if (Match(TokenKind.Colon))
            step = IsSliceBoundary() ? null : ParseExpression();
        return new SliceIndex(start, stop, step, position);
    }

    private bool IsSliceBoundary() => Current.Kind is TokenKind.Colon or TokenKind.Comma or TokenKind.RightBracket;

    private ExpressionNode ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                return new NumberNode(token.Number, token.Position);
            case TokenKind.True:
            case TokenKind.False:
                Advance();
                return new BoolNode(token.Kind == TokenKind.True, token.Position);
            case TokenKind.Name:
                Advance();
                if (!Match(TokenKind.LeftParen)) return new NameNode(token.Text, token.Position);
                var args = new List<ExpressionNode>();
                if (!Match(TokenKind.RightParen))
                {
                    args.Add(ParseExpression());
                    while (Match(TokenKind.Comma)) args.Add(ParseExpression());
                    Expect(TokenKind.RightParen, "',' or ')'");
                }
                return new CallNode(token.Text, args, token.Position);
            case TokenKind.LeftParen:
                Advance();
                var inner = ParseExpression();
                Expect(TokenKind.RightParen, "')'");
                return inner;
            default:
                throw Expected("a number, hook name, function call or '('");
        }
    }

    /// <summary>Depth-checked recursion for prefix operators (--x, not not x).</summary>
    private ExpressionNode Nested(Func<ExpressionNode> parse)
    {
        if (++_depth > MaxDepth)
            throw new ExpressionException($"expression is nested too deeply (more than {MaxDepth} levels)", Current.Position);
        try { return parse(); }
        finally { _depth--; }
    }
}
