using LlmDebug.Engine.Experiments;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Runtime.Breakpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Experiments;

public class InterventionTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    const string Prompt = "prompt \"The Lord is my shepherd\"\n";

    /// <summary>Runs the experiment's first prompt through <see cref="DebugRuntime"/> and returns step 0's values of the hooks.</summary>
    Dictionary<string, Tensor> Run(string body, params string[] hooks)
    {
        var doc = tiny.Parse(Prompt + body);
        Assert.Empty(ExperimentChecker.Check(doc, tiny.Facts, null));
        using var prepared = InterventionBuilder.Build(doc, tiny.Model, 0);
        using var runtime = new DebugRuntime(tiny.Model, ExperimentRunner.Options(doc, 0) with { MaxNewTokens = 1, Interventions = prepared.Items });
        runtime.Breakpoints.SetFunctionBreakpoints(hooks.Select(h => new BreakpointRequest(null, h, null, null)));
        var values = new Dictionary<string, Tensor>();
        runtime.Stopped += stop =>
        {
            values[stop.Location.Name] = stop.CurrentValue!.detach().clone().DetachFromDisposeScope();
            runtime.Resume(StepKind.Continue);
        };
        runtime.Start();
        runtime.WaitForExit();
        return values;
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void Ablating_a_head_changes_exactly_that_heads_slice_and_the_logits()
    {
        var clean = Run("", "blocks.1.attn.hook_z", "logits");
        var ablated = Run("ablate blocks.1.attn head 2", "blocks.1.attn.hook_z", "logits");
        var z0 = clean["blocks.1.attn.hook_z"];
        var z1 = ablated["blocks.1.attn.hook_z"];
        Assert.Equal(z0.shape, z1.shape);   // [seq, heads, d_head]
        Assert.Equal(0, z1[.., 2].abs().max().item<float>());
        Assert.True(z0[.., 2].abs().max().item<float>() > 0);
        foreach (int h in new[] { 0, 1, 3 }) Assert.True(Same(z0[.., h], z1[.., h]), $"head {h} must not change");
        Assert.False(clean["logits"].allclose(ablated["logits"]));
    }

    [Fact]
    public void Mean_ablation_replaces_a_head_with_its_mean_over_the_reference_positions()
    {
        var clean = Run("", "blocks.0.attn.hook_z");
        var ablated = Run("ablate blocks.0.attn head 1 mean", "blocks.0.attn.hook_z");
        var mean = clean["blocks.0.attn.hook_z"][.., 1].mean([0]);
        var z = ablated["blocks.0.attn.hook_z"];
        for (int p = 0; p < z.shape[0]; p++) Assert.True(z[p, 1].allclose(mean, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Ablating_a_neuron_zeroes_its_activation()
    {
        var ablated = Run("ablate blocks.0.mlp neuron 5", "blocks.0.mlp.hook_post");
        Assert.Equal(0, ablated["blocks.0.mlp.hook_post"][.., 5].abs().max().item<float>());
    }

    [Fact]
    public void Patching_from_an_identical_counterfactual_changes_nothing()
    {
        var clean = Run("", "logits");
        var patched = Run("counterfactual \"The Lord is my shepherd\"\npatch blocks.0.hook_resid_post from counterfactual\npatch blocks.1.attn.hook_z at -1 from counterfactual", "logits");
        Assert.True(Same(clean["logits"], patched["logits"]));
    }

    [Fact]
    public void Patching_from_a_different_counterfactual_copies_its_activation()
    {
        var cf = Run("", "blocks.0.hook_resid_post");   // resid of the prompt itself
        var patched = Run("counterfactual \"The Lord is my king\"\npatch blocks.0.hook_resid_post at -1 from counterfactual", "blocks.0.hook_resid_post", "logits");
        var clean = Run("", "logits");
        var resid = patched["blocks.0.hook_resid_post"];
        Assert.True(Same(resid[..^1], cf["blocks.0.hook_resid_post"][..^1]), "positions before the patched one are unchanged");
        Assert.False(Same(resid[-1], cf["blocks.0.hook_resid_post"][-1]));
        Assert.False(Same(clean["logits"], patched["logits"]));
    }

    [Fact]
    public void Steering_by_zero_changes_nothing_and_a_real_vector_does()
    {
        var clean = Run("", "logits");
        var zero = Run("steer blocks.1.hook_resid_pre add (embed \" love\" - embed \" hate\") * 0", "logits");
        var same = Run("steer blocks.1.hook_resid_pre add run \" love\" - run \" love\"", "logits");
        var real = Run("steer blocks.1.hook_resid_pre add (embed \" love\" - embed \" hate\") * 4", "logits");
        Assert.True(Same(clean["logits"], zero["logits"]));
        Assert.True(Same(clean["logits"], same["logits"]));
        Assert.False(clean["logits"].allclose(real["logits"]));
    }

    [Fact]
    public void Stops_show_which_interventions_were_applied()
    {
        var doc = tiny.Parse(Prompt + "ablate blocks.0.attn head 1\nsteer blocks.1.hook_resid_pre add embed \" a\" at -1");
        using var prepared = InterventionBuilder.Build(doc, tiny.Model, 0);
        using var runtime = new DebugRuntime(tiny.Model, ExperimentRunner.Options(doc, 0) with { MaxNewTokens = 2, Interventions = prepared.Items });
        runtime.Breakpoints.SetFunctionBreakpoints([new BreakpointRequest(null, "blocks.1.hook_resid_pre", null, null)]);
        var seen = new List<List<string>>();
        runtime.Stopped += stop => { seen.Add(stop.AppliedInterventions.Select(a => a.ToString()).ToList()); runtime.Resume(StepKind.Continue); };
        runtime.Start();
        runtime.WaitForExit();
        Assert.Equal(2, seen.Count);
        Assert.Equal(2, seen[0].Count);   // step 0: the ablation and the steering at the last prompt position
        Assert.StartsWith("ablate blocks.0.attn head 1 (zero)", seen[0][0]);
        Assert.Contains("positions 4", seen[0][1]);
        Assert.Single(seen[1]);           // step 1: the new token is not a steered position
    }
}
