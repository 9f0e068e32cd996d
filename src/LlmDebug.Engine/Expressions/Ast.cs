using System.Globalization;

namespace LlmDebug.Engine.Expressions;

/// <summary>
/// Expression syntax tree. <see cref="Position"/> is the 0-based offset the node starts at (for a
/// binary operator: the operator itself). <see cref="ToString"/> prints a fully parenthesized form,
/// which makes precedence visible.
/// </summary>
public abstract record ExpressionNode(int Position);

public sealed record NumberNode(double Value, int Position) : ExpressionNode(Position)
{
    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}

public sealed record BoolNode(bool Value, int Position) : ExpressionNode(Position)
{
    public override string ToString() => Value ? "true" : "false";
}

/// <summary>A hook name, absolute or relative to the current block; resolved by the context.</summary>
public sealed record NameNode(string Name, int Position) : ExpressionNode(Position)
{
    public override string ToString() => Name;
}

public enum UnaryOperator { Negate, Plus, Not }

public sealed record UnaryNode(UnaryOperator Operator, ExpressionNode Operand, int Position) : ExpressionNode(Position)
{
    public override string ToString() => Operator switch
    {
        UnaryOperator.Negate => $"(-{Operand})",
        UnaryOperator.Plus => $"(+{Operand})",
        _ => $"(not {Operand})",
    };
}

public enum BinaryOperator { Add, Subtract, Multiply, Divide, Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual, And, Or }

public sealed record BinaryNode(BinaryOperator Operator, ExpressionNode Left, ExpressionNode Right, int Position) : ExpressionNode(Position)
{
    public override string ToString() => $"({Left} {Symbol(Operator)} {Right})";

    public static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Less => "<",
        BinaryOperator.LessEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterEqual => ">=",
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.And => "and",
        BinaryOperator.Or => "or",
        _ => op.ToString(),
    };
}

public sealed record CallNode(string Function, IReadOnlyList<ExpressionNode> Arguments, int Position) : ExpressionNode(Position)
{
    public override string ToString() => $"{Function}({string.Join(", ", Arguments)})";
}

/// <summary><c>target[i, a:b:c, ...]</c>.</summary>
public sealed record IndexNode(ExpressionNode Target, IReadOnlyList<IndexItem> Items, int Position) : ExpressionNode(Position)
{
    public override string ToString() => $"{Target}[{string.Join(", ", Items)}]";
}

/// <summary>One comma-separated component inside brackets.</summary>
public abstract record IndexItem(int Position);

/// <summary>A single integer index: selects one element and removes the dimension.</summary>
public sealed record SingleIndex(ExpressionNode Index, int Position) : IndexItem(Position)
{
    public override string ToString() => Index.ToString();
}

/// <summary><c>start:stop:step</c> with every part optional; keeps the dimension.</summary>
public sealed record SliceIndex(ExpressionNode? Start, ExpressionNode? Stop, ExpressionNode? Step, int Position) : IndexItem(Position)
{
    public override string ToString() => Step is null ? $"{Start}:{Stop}" : $"{Start}:{Stop}:{Step}";
}
