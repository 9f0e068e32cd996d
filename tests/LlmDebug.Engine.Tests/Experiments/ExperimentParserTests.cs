using LlmDebug.Engine.Experiments;

namespace LlmDebug.Engine.Tests.Experiments;

public class ExperimentParserTests
{
    const string Example = """
        # does the model know the psalm?
        model ../models/gpt2-kjv-12L
        prompt "The Lord is my shepherd; I shall not"
        counterfactual "The Lord is my shepherd; I shall now"
        tokens 3
        temperature 0
        top-k 40
        seed 1
        break blocks.11.attn.hook_pattern if max(blocks.11.attn.hook_pattern) > 0.9
        break blocks.5
        watch topk(logits, 5)
        ablate blocks.3.attn head 2 mean
        ablate blocks.5.mlp neuron 17,18
        patch blocks.6.hook_resid_post at 3,-1 from counterfactual
        steer blocks.4.hook_resid_pre add (embed " love" - embed " hate") * 4
        expect top1 " want"
        expect prob " want" > 0.1
        expect rank " want" <= 3
        expect text " want"
        """;

    [Fact]
    public void Parses_every_kind_of_line()
    {
        var doc = ExperimentParser.Parse(Example);
        Assert.Empty(doc.SyntaxDiagnostics);
        Assert.Equal(18, doc.Statements.Count);
        Assert.Equal("../models/gpt2-kjv-12L", doc.Model!.Path);
        Assert.Equal("The Lord is my shepherd; I shall not", doc.Prompts.Single().Text.Value);
        Assert.Equal(40, doc.Setting("top-k"));
        var brk = doc.All<BreakStatement>().First();
        Assert.Equal("blocks.11.attn.hook_pattern", brk.Target.Text);
        Assert.Equal(11, brk.Target.Layer);
        Assert.Equal("max(blocks.11.attn.hook_pattern) > 0.9", brk.Condition);
        var ablate = doc.All<AblateStatement>().ToList();
        Assert.True(ablate[0].Mean);
        Assert.Equal(AblationUnit.Neuron, ablate[1].Unit);
        Assert.Equal([17, 18], ablate[1].Indices.Select(n => n.AsInt));
        var patch = doc.All<PatchStatement>().Single();
        Assert.Equal([3, -1], patch.Positions!.Select(n => n.AsInt));
        var steer = doc.All<SteerStatement>().Single();
        var scaled = Assert.IsType<BinaryVector>(steer.Vector);
        Assert.Equal('*', scaled.Operator);
        var expects = doc.All<ExpectStatement>().ToList();
        Assert.Equal([ExpectKind.Top1, ExpectKind.Prob, ExpectKind.Rank, ExpectKind.Text], expects.Select(e => e.Kind));
        Assert.Equal("<=", expects[2].Operator);
        Assert.All(expects, e => Assert.Equal(0, e.PromptIndex));
    }

    [Fact]
    public void Ranges_are_precise()
    {
        var doc = ExperimentParser.Parse("ablate blocks.12.attn head 2");
        var a = doc.All<AblateStatement>().Single();
        Assert.Equal(new TextSpan(0, 7, 21), a.Target.Span);
        Assert.Equal(new TextSpan(0, 14, 16), a.Target.LayerSpan);
        Assert.Equal(new TextSpan(0, 27, 28), a.Indices[0].Span);
    }

    [Fact]
    public void One_bad_line_does_not_hide_the_others()
    {
        var doc = ExperimentParser.Parse("""
            model m
            ablat blocks.1.attn head 2
            prompt "unterminated
            tokens three
            patch blocks.1.hook_resid_post from nowhere
            expect prob " the" 0.5
            prompt "fine"
            """);
        var d = doc.SyntaxDiagnostics;
        Assert.Equal([1, 2, 3, 4, 5], d.Select(x => x.Span.Line));
        Assert.Contains("did you mean 'ablate'", d[0].Message);
        Assert.Equal(new TextSpan(1, 0, 5), d[0].Span);
        Assert.Equal("ablate", d[0].Fix!.NewText);
        Assert.Equal(new TextSpan(2, 7, 20), d[1].Span);
        Assert.Contains("unterminated string", d[1].Message);
        Assert.Equal(new TextSpan(3, 7, 12), d[2].Span);
        Assert.Contains("'counterfactual'", d[3].Message);
        Assert.Contains("comparison", d[4].Message);
        // the good lines still parse
        Assert.Equal(["model", "prompt"], doc.Statements.Select(s => s.Keyword));
        Assert.Equal("fine", doc.Prompts.Single().Text.Value);
    }

    [Fact]
    public void Expression_errors_point_into_the_expression()
    {
        var doc = ExperimentParser.Parse("watch max(logits");
        var d = Assert.Single(doc.SyntaxDiagnostics);
        Assert.Equal(0, d.Span.Line);
        Assert.InRange(d.Span.Start, 6, 16);
        Assert.StartsWith("expression:", d.Message);
    }

    [Fact]
    public void Comments_and_blank_lines_are_ignored_and_strings_keep_hashes()
    {
        var doc = ExperimentParser.Parse("# header\n\nprompt \"a # b\"  # trailing\n");
        Assert.Empty(doc.SyntaxDiagnostics);
        Assert.Equal("a # b", doc.Prompts.Single().Text.Value);
    }

    [Fact]
    public void Expectations_belong_to_the_prompt_above_them()
    {
        var doc = ExperimentParser.Parse("expect rank \" a\" <= 100\nprompt \"x\"\nexpect top1 \" b\"\nprompt \"y\"\nexpect top1 \" c\"");
        Assert.Equal([" a", " b"], doc.ExpectationsFor(0).Select(e => e.Token.Value));
        Assert.Equal([" a", " c"], doc.ExpectationsFor(1).Select(e => e.Token.Value));
    }

    [Fact]
    public void Trailing_garbage_is_reported()
    {
        var doc = ExperimentParser.Parse("tokens 3 4");
        var d = Assert.Single(doc.SyntaxDiagnostics);
        Assert.Equal(new TextSpan(0, 9, 10), d.Span);
    }
}
