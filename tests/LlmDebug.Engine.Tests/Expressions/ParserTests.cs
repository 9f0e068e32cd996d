using LlmDebug.Engine.Expressions;

namespace LlmDebug.Engine.Tests.Expressions;

public class ParserTests
{
    [Theory]
    [InlineData("1 + 2 * 3", "(1 + (2 * 3))")]
    [InlineData("1 - 2 - 3", "((1 - 2) - 3)")]
    [InlineData("8 / 4 / 2", "((8 / 4) / 2)")]
    [InlineData("(1 + 2) * 3", "((1 + 2) * 3)")]
    [InlineData("-x[0] * 2", "((-x[0]) * 2)")]
    [InlineData("- -1", "(-(-1))")]
    [InlineData("a < b + 1 and not c or d", "(((a < (b + 1)) and (not c)) or d)")]
    [InlineData("x && y || !z", "((x and y) or (not z))")]
    [InlineData("a or b and c", "(a or (b and c))")]
    [InlineData("not a == b", "(not (a == b))")]
    [InlineData("abs(hook_resid_post) > 100", "(abs(hook_resid_post) > 100)")]
    [InlineData("max(x, -1) >= 0.5", "(max(x, (-1)) >= 0.5)")]
    [InlineData("topk(logits[-1], 5)", "topk(logits[(-1)], 5)")]
    [InlineData("x[1:4]", "x[1:4]")]
    [InlineData("x[::2]", "x[::2]")]
    [InlineData("x[-3:]", "x[(-3):]")]
    [InlineData("x[:, 0]", "x[:, 0]")]
    [InlineData("x[0][1]", "x[0][1]")]
    [InlineData("1 != 2 == true", null)] // chained comparison is rejected, see errors test
    public void Precedence_is_visible_in_parenthesized_form(string text, string? expected)
    {
        if (expected is null)
        {
            Assert.Throws<ExpressionException>(() => Expression.Parse(text));
            return;
        }
        Assert.Equal(expected, Expression.Parse(text).ToString());
    }

    [Fact]
    public void Dotted_hook_names_are_single_names()
    {
        var node = Assert.IsType<IndexNode>(Expression.Parse("blocks.11.attn.hook_pattern[0, :, -1]"));
        var name = Assert.IsType<NameNode>(node.Target);
        Assert.Equal("blocks.11.attn.hook_pattern", name.Name);
        Assert.Equal(0, name.Position);
        Assert.Equal(27, node.Position);
        Assert.Equal(3, node.Items.Count);
        Assert.IsType<SingleIndex>(node.Items[0]);
        var all = Assert.IsType<SliceIndex>(node.Items[1]);
        Assert.Null(all.Start);
        Assert.Null(all.Stop);
        Assert.Null(all.Step);

        Assert.Equal("ln_final.hook_normalized", Assert.IsType<NameNode>(Expression.Parse("ln_final.hook_normalized")).Name);
        Assert.Equal("hook_embed", Assert.IsType<NameNode>(Expression.Parse("  hook_embed ")).Name);
    }

    [Fact]
    public void Keywords_are_not_names_but_names_containing_them_are()
    {
        Assert.IsType<NameNode>(Expression.Parse("android"));
        Assert.IsType<NameNode>(Expression.Parse("blocks.0.not_a_hook"));
        Assert.Equal(new BoolNode(true, 0), Expression.Parse("true"));
    }

    [Theory]
    [InlineData("42", 42.0)]
    [InlineData("3.25", 3.25)]
    [InlineData("1e-3", 0.001)]
    [InlineData("2.5E+2", 250.0)]
    [InlineData(".5", 0.5)]
    [InlineData("7.", 7.0)]
    public void Numbers(string text, double expected) =>
        Assert.Equal(expected, Assert.IsType<NumberNode>(Expression.Parse(text)).Value);

    [Fact]
    public void Call_and_binary_nodes_carry_positions()
    {
        var node = Assert.IsType<BinaryNode>(Expression.Parse("max(x, 1) > 3"));
        Assert.Equal(BinaryOperator.Greater, node.Operator);
        Assert.Equal(10, node.Position);
        var call = Assert.IsType<CallNode>(node.Left);
        Assert.Equal("max", call.Function);
        Assert.Equal(2, call.Arguments.Count);
        Assert.Equal(7, call.Arguments[1].Position);
    }

    [Theory]
    [InlineData("", 0, "empty expression")]
    [InlineData("   ", 0, "empty expression")]
    [InlineData("max(x", 5, "expected ',' or ')' but found end of expression")]
    [InlineData("1 + * 2", 4, "expected a number, hook name, function call or '(' but found '*'")]
    [InlineData("x[1", 3, "expected ',' or ']' but found end of expression")]
    [InlineData("x[]", 2, "expected an index or slice but found ']'")]
    [InlineData("(1 + 2", 6, "expected ')' but found end of expression")]
    [InlineData("1 2", 2, "expected an operator or end of expression but found '2'")]
    [InlineData("a = 1", 2, "unexpected '=' — use '==' to compare")]
    [InlineData("a & b", 2, "unexpected '&' — use 'and' or '&&'")]
    [InlineData("x $ 1", 2, "unexpected character '$'")]
    [InlineData("1e+", 0, "malformed number: expected digits after the exponent 'e'")]
    [InlineData("x + 3abc", 4, "malformed number '3a'")]
    [InlineData("1 < x < 3", 6, "comparisons cannot be chained; combine them with 'and' (e.g. a < b and b < c)")]
    public void Syntax_errors_report_position_and_expectation(string text, int position, string reason)
    {
        var ex = Assert.Throws<ExpressionException>(() => Expression.Parse(text));
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(position, ex.Position);
        Assert.Contains($"at position {position}", ex.Message);
    }

    [Fact]
    public void Describe_puts_a_caret_under_the_position()
    {
        var ex = Assert.Throws<ExpressionException>(() => Expression.Parse("max(x"));
        Assert.Equal("max(x\n     ^ expected ',' or ')' but found end of expression", ex.Describe("max(x"));
    }

    [Fact]
    public void Pathological_nesting_is_an_error_not_a_stack_overflow()
    {
        var ex = Assert.Throws<ExpressionException>(() => Expression.Parse(new string('(', 500) + "1" + new string(')', 500)));
        Assert.Contains("nested too deeply", ex.Reason);
        ex = Assert.Throws<ExpressionException>(() => Expression.Parse(new string('-', 500) + "1"));
        Assert.Contains("nested too deeply", ex.Reason);
        ex = Assert.Throws<ExpressionException>(() => Expression.Parse(string.Join("+", Enumerable.Repeat("1", 1500))));
        Assert.Contains("too long", ex.Reason);
    }
}
