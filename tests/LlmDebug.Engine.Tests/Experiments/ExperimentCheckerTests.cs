using LlmDebug.Engine.Experiments;

namespace LlmDebug.Engine.Tests.Experiments;

public class ExperimentCheckerTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public void A_valid_experiment_has_no_diagnostics()
    {
        var d = tiny.Check("""
            prompt "The Lord is my shepherd"
            counterfactual "The Lord is my king"
            break blocks.1.attn.hook_pattern if max(attn.hook_pattern) > 0.5
            break attn.hook_z
            ablate blocks.1.attn head 3
            ablate blocks.0.mlp neuron 127 mean
            patch blocks.0.hook_resid_post at -1 from counterfactual
            steer blocks.1.hook_resid_pre add (embed " love" - embed " hate") * 4
            steer blocks.1.hook_resid_mid add run " love" - run " hate"
            expect prob " the" > 0
            expect rank " the" <= 50257
            """);
        Assert.Empty(d);
    }

    [Fact]
    public void Layer_out_of_range_names_the_valid_range_and_offers_the_last_layer()
    {
        var doc = tiny.Parse("prompt \"x\"\nablate blocks.2.attn head 1");
        var d = Assert.Single(ExperimentChecker.Check(doc, tiny.Facts, null));
        Assert.Equal("layer 2 does not exist: this model has layers 0…1", d.Message);
        Assert.Equal(new TextSpan(2, 14, 15), d.Span);
        Assert.Equal("1", d.Fix!.NewText);
        Assert.Equal(d.Span, d.Fix.Span);
    }

    [Theory]
    [InlineData("ablate blocks.1.attn head 4", "head 4 does not exist: blocks.1.attn has heads 0…3")]
    [InlineData("ablate blocks.1.mlp neuron 128", "neuron 128 does not exist: blocks.1.mlp has neurons 0…127")]
    [InlineData("break blocks.9", "layer 9 does not exist: this model has layers 0…1")]
    [InlineData("patch blocks.1.hook_resid_pots from counterfactual", "unknown hook 'blocks.1.hook_resid_pots'")]
    [InlineData("patch blocks.1.hook_resid_post from counterfactual", "there is no counterfactual")]
    [InlineData("patch blocks.1.attn.hook_pattern at 0 from counterfactual", "has no leading position axis")]
    [InlineData("steer blocks.1.attn.hook_z add embed \" a\"", "steering adds a d_model vector")]
    [InlineData("steer blocks.1.hook_resid_pre add embed \" shepherding\" * 2", "embed takes one token")]
    [InlineData("steer blocks.1.hook_resid_pre add 4", "just a number")]
    [InlineData("expect top1 \" shepherding\"", "is 3 tokens")]
    [InlineData("expect prob \" the\" > 2", "between 0 and 1")]
    [InlineData("tokens 0", "1 or more")]
    [InlineData("ablate blocks.1.attn neuron 3", "neurons are ablated on blocks.N.mlp")]
    public void Reports_semantic_problems(string line, string message)
    {
        var d = tiny.Check($"prompt \"The Lord is my shepherd\"\n{line}");
        Assert.Contains(d, x => x.Message.Contains(message));
    }

    [Fact]
    public void Prompt_longer_than_the_context_is_an_error()
    {
        var d = tiny.Check($"prompt \"{string.Concat(Enumerable.Repeat(" word", 40))}\"");
        Assert.Contains(d, x => x.Code == "context" && x.Severity == Severity.Error && x.Message.Contains("context is 32 tokens"));
    }

    [Fact]
    public void Patching_every_position_needs_equal_lengths()
    {
        var d = tiny.Check("prompt \"The Lord is my shepherd\"\ncounterfactual \"The Lord\"\npatch blocks.0.hook_resid_post from counterfactual\npatch blocks.0.hook_resid_post at 3 from counterfactual");
        Assert.Contains(d, x => x.Code == "length-mismatch");
        Assert.Contains(d, x => x.Code == "out-of-range" && x.Message.Contains("counterfactual is shorter"));
    }

    [Fact]
    public void A_missing_model_folder_reports_the_loaders_reason_on_the_path()
    {
        var file = new ExperimentFile("/tmp/x/exp.llmdebug", ExperimentParser.Parse("model ./nowhere\nprompt \"x\""));
        var d = file.Check(out var facts);
        Assert.Null(facts);
        var m = Assert.Single(d);
        Assert.Equal(new TextSpan(0, 6, 15), m.Span);
        Assert.Contains("model folder not found", m.Message);
    }

    [Fact]
    public void Unknown_hook_typo_gets_a_fix()
    {
        var d = tiny.Check("prompt \"x\"\npatch blocks.1.hook_resid_pots at 0 from counterfactual\ncounterfactual \"y\"");
        var x = Assert.Single(d);
        Assert.Equal("blocks.1.hook_resid_post", x.Fix!.NewText);
    }
}
