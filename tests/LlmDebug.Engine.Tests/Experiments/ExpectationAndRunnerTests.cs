using LlmDebug.Engine.Experiments;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Experiments;

public class ExpectationAndRunnerTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public void Checker_reports_actual_values()
    {
        var tok = tiny.Facts.Tokenizer;
        int the = tok.Encode(" the").Single(), a = tok.Encode(" a").Single();
        var logits = full(50257, -10f);
        logits[the] = tensor(5f);
        logits[a] = tensor(4f);
        var doc = ExperimentParser.Parse("expect top1 \" the\"\nexpect top1 \" a\"\nexpect prob \" a\" > 0.5\nexpect rank \" a\" <= 2\nexpect rank \" a\" == 1\nexpect text \" the end\"");
        var r = ExpectationChecker.Check(doc.All<ExpectStatement>(), logits, tok, " the end is near");
        Assert.Equal([true, false, false, true, false, true], r.Select(x => x.Passed));
        Assert.Contains("rank 2", r[1].Actual);
        Assert.Contains("top1 \" the\"", r[1].Actual);
        Assert.Matches(@"p\("" a""\) = 0\.26", r[2].Actual);
    }

    [Fact]
    public void Runner_runs_every_prompt_and_checks_its_expectations()
    {
        var doc = tiny.Parse("""
            tokens 2
            watch logits.shape
            ablate blocks.0.attn head 0
            expect rank " the" <= 50257
            prompt "In the beginning"
            expect prob " the" > 0.99
            prompt "And God said"
            """);
        var report = ExperimentRunner.Run(doc, tiny.Model);
        Assert.Equal(2, report.Prompts.Count);
        Assert.False(report.Passed);
        var failure = Assert.Single(report.Failures);
        Assert.Equal(6, failure.Statement.Span.Line);   // 0-based, after the fixture's model line
        Assert.Contains("p(\" the\") = ", failure.Actual);
        Assert.Contains("without interventions", failure.Actual);
        Assert.All(report.Prompts, p => Assert.Equal(2, p.Expectations.Count + (p.Index == 0 ? 0 : 1)));
        Assert.Single(report.Prompts[0].Watches);
        Assert.Contains("ablate blocks.0.attn head 0 (zero)", report.Prompts[0].Interventions);
        Assert.NotEmpty(report.Prompts[0].Applied);
        Assert.NotNull(report.Prompts[0].CleanTop);
    }
}
