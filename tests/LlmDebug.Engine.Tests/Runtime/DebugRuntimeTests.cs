using System.Diagnostics;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Runtime.Breakpoints;
using LlmDebug.Engine.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Runtime;

public class DebugRuntimeTests(Gpt2ModelFixture fx) : IClassFixture<Gpt2ModelFixture>
{
    private const string Prompt = "The cat sat on the";

    SessionDriver Session(LaunchOptions options, Action<DebugRuntime>? setup = null) => new(fx.Model, options, setup);

    static LaunchOptions Run(int maxNewTokens = 3, bool stopOnEntry = false) =>
        new() { Prompt = Prompt, MaxNewTokens = maxNewTokens, StopOnEntry = stopOnEntry };

    static Breakpoint[] Function(DebugRuntime rt, params BreakpointRequest[] requests) => rt.Breakpoints.SetFunctionBreakpoints(requests).ToArray();

    static BreakpointRequest Named(string name, string? condition = null, string? hit = null) => new(null, name, condition, hit);

    // ---- stops ----------------------------------------------------------------------------------------------

    [Fact]
    public void Stop_on_entry_stops_at_hook_embed_of_step_0()
    {
        using var s = Session(Run(maxNewTokens: 2, stopOnEntry: true));
        var stop = s.NextStop();
        Assert.Equal(StopReason.Entry, stop.Reason);
        Assert.Equal(0, stop.Step);
        Assert.Equal("hook_embed", stop.Location.Name);
        Assert.Equal(s.Runtime.PromptTokenIds.Count, stop.InputLength);
        Assert.Equal(new long[] { stop.InputLength, Gpt2ModelFixture.DModel }, stop.CurrentValue!.shape);
        s.Runtime.Resume(StepKind.Continue);
        var end = s.WaitForEnd();
        Assert.False(end.IsError, end.Reason);
        Assert.Equal(2, s.Tokens.Count);
    }

    [Fact]
    public void A_layer_breakpoint_stops_once_per_token_step()
    {
        Breakpoint[] bps = [];
        using var s = Session(Run(maxNewTokens: 3), rt => bps = Function(rt, Named("blocks.11")));
        Assert.True(bps[0].Verified);
        Assert.Equal(s.Runtime.Listing.LineOf(s.Runtime.Plan.BlockStart(11)), bps[0].Line);

        var first = s.NextStop();
        Assert.Equal([bps[0].Id], first.HitBreakpointIds);
        Assert.Equal(s.Runtime.PromptTokenIds.Count, first.InputLength);
        Assert.Null(first.CurrentValue);
        // everything before the stop was captured: earlier hooks resolve, later ones have not run yet
        Assert.True(first.TryResolve("blocks.10.attn.hook_pattern", null, out var pattern, out _));
        Assert.Equal(new long[] { 4, first.InputLength, first.InputLength }, pattern!.shape);
        Assert.False(first.TryResolve("hook_resid_post", null, out _, out var notYet));
        Assert.Contains("has not run yet", notYet);
        s.Runtime.Resume(StepKind.Continue);

        var second = s.NextStop();
        Assert.Equal(1, second.InputLength);
        Assert.Equal(first.InputLength, second.InputStart);
        s.Runtime.Resume(StepKind.Continue);
        s.RunToEnd();

        Assert.Equal([new(StopReason.Breakpoint, 0, "blocks.11"), new(StopReason.Breakpoint, 1, "blocks.11"), new Stop(StopReason.Breakpoint, 2, "blocks.11")], s.Stops);
        Assert.Equal(3, bps[0].Hits);
    }

    [Fact]
    public void Layer_spellings_bind_to_the_same_location()
    {
        Breakpoint[] bps = [];
        // set before generation starts: a 1-token run on a tiny model can pass block 11 before a later call lands
        using var s = Session(Run(maxNewTokens: 1), rt => bps = Function(rt, Named("blocks.11"), Named("layer 11"), Named("11")));
        Assert.All(bps, bp => Assert.Equal([s.Runtime.Plan.BlockStart(11)], bp.Locations));
        Assert.Equal(3, bps.Select(b => b.Id).Distinct().Count());
        var stop = s.NextStop();   // all three at one location: one stop that reports all of them
        Assert.Equal(bps.Select(b => b.Id).Order(), stop.HitBreakpointIds.Order());
        s.Runtime.Resume(StepKind.Continue);
        s.RunToEnd();
        Assert.Single(s.Stops);
    }

    [Fact]
    public void A_hook_name_without_layer_stops_in_every_layer()
    {
        using var s = Session(Run(maxNewTokens: 1), rt => Function(rt, Named("attn.hook_pattern")));
        int seq = s.Runtime.PromptTokenIds.Count;
        for (int layer = 0; layer < Gpt2ModelFixture.Layers; layer++)
        {
            var stop = s.NextStop();
            Assert.Equal($"blocks.{layer}.attn.hook_pattern", stop.Location.Name);
            Assert.Equal(new long[] { 4, seq, seq }, stop.CurrentValue!.shape);
            s.Runtime.Resume(StepKind.Continue);
        }
        s.WaitForEnd();
    }

    [Fact]
    public void A_layer_out_of_range_is_unverified_with_the_valid_range()
    {
        using var s = Session(Run(maxNewTokens: 1));
        var bp = Function(s.Runtime, Named("blocks.99"))[0];
        Assert.False(bp.Verified);
        Assert.Contains("layers 0…11", bp.Message);
        s.RunToEnd();
        Assert.Empty(s.Stops);
    }

    [Fact]
    public void A_bad_breakpoint_is_reported_alone_and_the_others_still_bind()
    {
        Breakpoint[] bps = [];
        using var s = Session(Run(maxNewTokens: 1), rt => bps = Function(rt,
            Named("blocks.99999999999"), Named("blocks.2", hit: "99999999999"), Named("blocks.1"), Named("blocks.3", hit: "often")));
        Assert.Equal(4, bps.Length);
        Assert.Contains("layers 0…11", bps[0].Message);
        Assert.Contains("99999999999", bps[1].Message);
        Assert.Contains("hit condition 'often' not understood", bps[3].Message);
        Assert.Equal([false, false, true, false], bps.Select(b => b.Verified));
        Assert.Equal([new Stop(StopReason.Breakpoint, 0, "blocks.1")], s.RunToEnd());
    }

    [Fact]
    public void A_line_breakpoint_on_a_block_line_stops_there()
    {
        using var s = Session(Run(maxNewTokens: 2), rt =>
        {
            var lines = rt.Listing.Text.Split('\n');
            int line = Array.FindIndex(lines, l => l.Trim() == "blocks.11:") + 1;
            Assert.True(line > 0);
            var bps = rt.Breakpoints.SetLineBreakpoints([new BreakpointRequest(line, null, null, null), new BreakpointRequest(1, null, null, "2")]);
            Assert.All(bps, bp => Assert.True(bp.Verified));
            Assert.Equal(line, bps[0].Line);
            Assert.Equal(rt.Listing.LineOf(rt.Plan.First), bps[1].Line);   // a header line binds to hook_embed
        });
        s.RunToEnd();
        Assert.Equal([new(StopReason.Breakpoint, 0, "blocks.11"), new(StopReason.Breakpoint, 1, "hook_embed"), new Stop(StopReason.Breakpoint, 1, "blocks.11")], s.Stops);
    }

    [Fact]
    public void Hit_condition_3_stops_only_in_the_third_token_step()
    {
        using var s = Session(Run(maxNewTokens: 4), rt => Function(rt, Named("blocks.11", hit: "3")));
        s.RunToEnd();
        Assert.Equal([new Stop(StopReason.Breakpoint, 2, "blocks.11")], s.Stops);
    }

    [Fact]
    public void Conditions_decide_whether_a_breakpoint_stops()
    {
        using (var never = Session(Run(maxNewTokens: 2), rt => Function(rt, Named("blocks.11.hook_resid_post", "max(abs(hook_resid_post)) > 1e9"))))
            Assert.Empty(never.RunToEnd());

        using var always = Session(Run(maxNewTokens: 2), rt => Function(rt, Named("blocks.11.hook_resid_post", "max(abs(hook_resid_post)) > 0")));
        Assert.Equal([new(StopReason.Breakpoint, 0, "blocks.11.hook_resid_post"), new Stop(StopReason.Breakpoint, 1, "blocks.11.hook_resid_post")], always.RunToEnd());
    }

    [Fact]
    public void A_broken_condition_stops_and_says_why()
    {
        using var s = Session(Run(maxNewTokens: 1), rt => Function(rt, Named("blocks.2", "nosuchhook > 0")));
        var stop = s.NextStop();
        Assert.Equal("blocks.2", stop.Location.Name);
        Assert.Contains("breakpoint condition 'nosuchhook > 0' cannot be evaluated at blocks.2", stop.Description);
        s.Runtime.Resume(StepKind.Continue);
        s.WaitForEnd();
    }

    [Fact]
    public void A_condition_on_a_hook_that_has_not_run_yet_says_so_once_instead_of_never_firing()
    {
        // at the block's start, its hook_resid_post does not exist yet: the user is told once, then it counts as false
        using var s = Session(Run(maxNewTokens: 3), rt => Function(rt, Named("blocks.11", "max(abs(hook_resid_post)) > 1")));
        var stop = s.NextStop();
        Assert.Equal((0, "blocks.11"), (stop.Step, stop.Location.Name));
        Assert.Contains("blocks.11.hook_resid_post has not run yet", stop.Description);
        s.Runtime.Resume(StepKind.Continue);
        Assert.Empty(s.RunToEnd().Skip(1));
    }

    // ---- stepping -------------------------------------------------------------------------------------------

    [Fact]
    public void Stepping_follows_the_listing_nesting()
    {
        using var s = Session(Run(maxNewTokens: 2), rt => Function(rt, Named("blocks.3")));
        Assert.Equal("blocks.3", s.NextStop().Location.Name);

        Assert.Equal(new Stop(StopReason.Step, 0, "blocks.4"), s.Step(StepKind.Next));                       // over the block
        Assert.Equal(new Stop(StopReason.Step, 0, "blocks.4.hook_resid_pre"), s.Step(StepKind.StepIn));      // into it
        Assert.Equal(new Stop(StopReason.Step, 0, "blocks.4.ln1.hook_normalized"), s.Step(StepKind.Next));   // hook to hook
        Assert.Equal(new Stop(StopReason.Step, 0, "blocks.4.hook_resid_post"), s.Step(StepKind.StepOut));    // to the block's end
        Assert.Equal(new Stop(StopReason.Step, 0, "blocks.5"), s.Step(StepKind.Next));                       // last hook → next block
        Assert.Equal(new Stop(StopReason.Step, 0, "logits"), s.Step(StepKind.StepOut));                      // block line → end of step
        Assert.Equal(new Stop(StopReason.Step, 1, "hook_embed"), s.Step(StepKind.Next));                     // into the next token step
        Assert.Equal(new Stop(StopReason.Breakpoint, 1, "blocks.3"), s.Step(StepKind.StepOut));              // a breakpoint on the way wins
        Assert.Equal(new Stop(StopReason.Step, 1, "blocks.3.hook_resid_pre"), s.Step(StepKind.StepIn));
        Assert.Equal(new Stop(StopReason.Step, 1, "blocks.3.hook_resid_post"), s.Step(StepKind.StepOut));
        Assert.Equal(new Stop(StopReason.Step, 1, "logits"), s.Step(StepKind.StepOut));                      // from a block's end → logits
        s.Runtime.Resume(StepKind.Next);                                                                     // past the last step: ends
        var end = s.WaitForEnd();
        Assert.False(end.IsError, end.Reason);
    }

    [Fact]
    public void Next_from_hook_embed_visits_every_depth_1_line_of_the_step()
    {
        using var s = Session(Run(maxNewTokens: 1, stopOnEntry: true));
        s.NextStop();
        s.Runtime.Resume(StepKind.Next);
        var stops = s.RunToEnd(StepKind.Next);
        var expected = new[] { "hook_embed", "hook_pos_embed" }
            .Concat(Enumerable.Range(0, 12).Select(i => $"blocks.{i}"))
            .Concat(["ln_final.hook_normalized", "logits"]);
        Assert.Equal(expected, stops.Select(x => x.Location));
    }

    [Fact]
    public void StepIn_visits_every_location_of_the_plan_in_order()
    {
        using var s = Session(Run(maxNewTokens: 1, stopOnEntry: true));
        s.NextStop();
        s.Runtime.Resume(StepKind.StepIn);
        var stops = s.RunToEnd(StepKind.StepIn);
        Assert.Equal(s.Runtime.Plan.Locations.Select(l => l.Name), stops.Select(x => x.Location));
    }

    // ---- pause, terminate -----------------------------------------------------------------------------------

    [Fact]
    public void Pause_while_running_stops_with_reason_pause()
    {
        using var running = new ManualResetEventSlim();
        using var proceed = new ManualResetEventSlim();
        using var s = Session(Run(maxNewTokens: 20), rt => rt.TokenGenerated += t =>
        {
            if (t.Step != 0) return;
            running.Set();
            proceed.Wait(SessionDriver.Timeout);   // hold generation between steps until the test has asked to pause
        });
        Assert.True(running.Wait(SessionDriver.Timeout));
        Assert.True(s.Runtime.IsRunning);
        s.Runtime.Pause();
        proceed.Set();

        var stop = s.NextStop();
        Assert.Equal(StopReason.Pause, stop.Reason);
        Assert.Equal(1, stop.Step);
        Assert.Equal("hook_embed", stop.Location.Name);
        Assert.False(s.Runtime.IsRunning);
        s.Runtime.Resume(StepKind.Continue);
        Assert.Empty(s.RunToEnd().Skip(1));   // pausing once stops once
    }

    [Fact]
    public void Terminate_while_stopped_ends_the_session_promptly()
    {
        using var s = Session(Run(maxNewTokens: 50, stopOnEntry: true));
        s.NextStop();
        var clock = Stopwatch.StartNew();
        s.Runtime.Terminate(TimeSpan.FromSeconds(10));
        var end = s.WaitForEnd();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"terminate took {clock.Elapsed}");
        Assert.Equal("terminated", end.Reason);
        Assert.False(s.Runtime.IsRunning);
        Assert.Empty(s.Tokens);
    }

    [Fact]
    public void Terminate_while_running_ends_the_session()
    {
        using var running = new ManualResetEventSlim();
        using var proceed = new ManualResetEventSlim();
        using var s = Session(Run(maxNewTokens: 60), rt => rt.TokenGenerated += t =>
        {
            if (t.Step != 0) return;
            running.Set();
            proceed.Wait(SessionDriver.Timeout);
        });
        Assert.True(running.Wait(SessionDriver.Timeout));
        proceed.Set();
        s.Runtime.Terminate(TimeSpan.FromSeconds(10));
        var end = s.WaitForEnd();
        Assert.Equal("terminated", end.Reason);
        Assert.InRange(s.Tokens.Count, 1, 59);
    }

    // ---- non-finite values ----------------------------------------------------------------------------------

    [Fact]
    public void The_nonfinite_exception_stops_at_the_first_hook_holding_nan()
    {
        using var folder = new TempFolder();
        SyntheticGpt2.Write(folder.Path, layers: 4, context: 32, layout: new() { TokenizerFiles = false },
            edit: w => w.Blocks[3].FcBias[5] = float.NaN);
        using var model = ModelLoader.Load(folder.Path);
        using var s = new SessionDriver(model, Run(maxNewTokens: 1), rt => rt.Breakpoints.StopOnNonFinite = true);
        var stop = s.NextStop();
        int seq = s.Runtime.PromptTokenIds.Count;
        Assert.Equal(StopReason.Exception, stop.Reason);
        Assert.Equal("blocks.3.mlp.hook_pre", stop.Location.Name);
        Assert.Equal($"blocks.3.mlp.hook_pre holds {seq} NaN (token step 0)", stop.Description);
        s.Runtime.Terminate();
    }

    [Fact]
    public void The_nonfinite_exception_stops_once_per_token_step_not_at_every_downstream_hook()
    {
        using var folder = new TempFolder();
        SyntheticGpt2.Write(folder.Path, layers: 4, context: 32, layout: new() { TokenizerFiles = false },
            edit: w => w.Blocks[3].FcBias[5] = float.NaN);
        using var model = ModelLoader.Load(folder.Path);
        using var s = new SessionDriver(model, Run(maxNewTokens: 2), rt => rt.Breakpoints.StopOnNonFinite = true);
        s.NextStop();
        s.Runtime.Resume(StepKind.Continue);
        var stops = s.RunToEnd();
        // downstream hooks of step 0 hold NaN too, but only the origin is reported; step 1 reports its own first one
        Assert.Equal(["Exception@0:blocks.3.mlp.hook_pre", "Exception@1:blocks.3.mlp.hook_pre"],
            stops.Select(r => $"{r.Reason}@{r.Step}:{r.Location}").ToList());
    }

    [Fact]
    public void The_nonfinite_exception_does_not_stop_a_healthy_model()
    {
        using var s = Session(Run(maxNewTokens: 2), rt => rt.Breakpoints.StopOnNonFinite = true);
        Assert.Empty(s.RunToEnd());
        Assert.False(s.End!.IsError, s.End.Reason);
    }

    [Fact]
    public void LogitsComputed_gives_each_token_step_the_last_row_it_samples_from()
    {
        var rows = new List<(int Step, int Argmax)>();
        using var s = Session(Run(maxNewTokens: 3), rt => rt.LogitsComputed += (step, row) => rows.Add((step, (int)row.argmax().item<long>())));
        Assert.Empty(s.RunToEnd());
        // greedy: the token each step generated is the argmax of the row the event showed
        Assert.Equal(s.Tokens.Select(t => (t.Step, t.Id)), rows);
    }

    // ---- generation -----------------------------------------------------------------------------------------

    IReadOnlyList<int> Generate(LaunchOptions options)
    {
        using var s = Session(options);
        s.RunToEnd();
        Assert.False(s.End!.IsError, s.End.Reason);
        return s.End.Tokens.Skip(s.Runtime.PromptTokenIds.Count).ToList();
    }

    float[] LastLogits(IReadOnlyList<int> ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return fx.Gpt2.Forward(SyntheticGpt2.Tokens(ids))[-1].data<float>().ToArray();
    }

    [Fact]
    public void Greedy_generation_is_deterministic_and_takes_the_argmax()
    {
        var a = Generate(Run(maxNewTokens: 5));
        var b = Generate(Run(maxNewTokens: 5));
        Assert.Equal(5, a.Count);
        Assert.Equal(a, b);

        var prompt = fx.Model.Tokenizer.Encode(Prompt).ToList();
        for (int i = 0; i < a.Count; i++)
        {
            var logits = LastLogits(prompt.Concat(a.Take(i)).ToList());
            Assert.Equal(Array.IndexOf(logits, logits.Max()), a[i]);
        }
    }

    [Fact]
    public void Sampling_repeats_with_the_same_seed_and_differs_with_another()
    {
        LaunchOptions Sampled(int seed) => Run(maxNewTokens: 8) with { Temperature = 1, TopK = 50, Seed = seed };
        var a = Generate(Sampled(1));
        var b = Generate(Sampled(1));
        var c = Generate(Sampled(2));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);

        // every sampled token is among the top 50 of its logits
        var prompt = fx.Model.Tokenizer.Encode(Prompt).ToList();
        for (int i = 0; i < a.Count; i++)
        {
            var logits = LastLogits(prompt.Concat(a.Take(i)).ToList());
            var top50 = logits.Select((v, id) => (v, id)).OrderByDescending(p => p.v).Take(50).Select(p => p.id).ToHashSet();
            Assert.Contains(a[i], top50);
        }
        Assert.NotEqual(a, Generate(Run(maxNewTokens: 8)));   // sampling is not greedy
    }

    [Fact]
    public void MaxNewTokens_is_respected_and_must_be_positive()
    {
        using var s = Session(Run(maxNewTokens: 4));
        s.RunToEnd();
        Assert.Equal(4, s.Tokens.Count);
        Assert.Equal([0, 1, 2, 3], s.Tokens.Select(t => t.Step));
        Assert.Equal(s.Runtime.PromptTokenIds.Count + 4, s.End!.Tokens.Count);
        Assert.Contains("generated 4 token(s)", s.End.Reason);

        Assert.Throws<ArgumentException>(() => new DebugRuntime(fx.Model, Run(maxNewTokens: 0)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_prompt_starts_from_endoftext(string prompt)
    {
        using var s = Session(new LaunchOptions { Prompt = prompt, MaxNewTokens = 1, StopOnEntry = true });
        Assert.Equal([50256], s.Runtime.PromptTokenIds);
        var stop = s.NextStop();
        Assert.Equal([50256], stop.Tokens);
        Assert.Equal(1, stop.InputLength);
        s.Runtime.Resume(StepKind.Continue);
        s.WaitForEnd();
    }

    [Fact]
    public void A_prompt_longer_than_the_context_is_refused()
    {
        var e = Assert.Throws<LaunchException>(() => new DebugRuntime(fx.Model, new LaunchOptions { Prompt = SyntheticGpt2.PromptOfTokens(70) }));
        Assert.Contains("70 tokens", e.Message);
        Assert.Contains("64 tokens (n_positions)", e.Message);
    }

    [Fact]
    public void Generation_stops_at_the_context_limit()
    {
        using var s = Session(new LaunchOptions { Prompt = SyntheticGpt2.PromptOfTokens(60), MaxNewTokens = 100 });
        Assert.Equal(60, s.Runtime.PromptTokenIds.Count);
        s.RunToEnd();
        var end = s.End!;
        Assert.False(end.IsError, end.Reason);
        Assert.Contains("context limit of 64 tokens (n_positions)", end.Reason);
        // the last step reads position 63 and predicts one more token; nothing reads position 64
        Assert.Equal(Gpt2ModelFixture.Context + 1, end.Tokens.Count);
        Assert.Equal(5, s.Tokens.Count);
    }

    [Fact]
    public void A_prompt_filling_the_whole_context_still_generates_one_token()
    {
        using var s = Session(new LaunchOptions { Prompt = SyntheticGpt2.PromptOfTokens(64), MaxNewTokens = 10 });
        s.RunToEnd();
        Assert.False(s.End!.IsError, s.End.Reason);
        Assert.Single(s.Tokens);
        Assert.Contains("context limit", s.End.Reason);
    }
}

/// <summary>Long generations: captured activations must be freed every token step.</summary>
public class RuntimeMemoryTests
{
    [Fact]
    public void Live_tensors_on_the_generation_thread_stay_flat_over_100_tokens()
    {
        using var folder = new TempFolder();
        SyntheticGpt2.Write(folder.Path, layers: 2, context: 128, layout: new() { TokenizerFiles = false });
        using var model = ModelLoader.Load(folder.Path);
        var live = new List<long>();
        // TokenGenerated runs on the generation thread, after the step's dispose scope has closed
        using var s = new SessionDriver(model, new LaunchOptions { Prompt = "Hello", MaxNewTokens = 110, Temperature = 1, Seed = 3 },
            rt => rt.TokenGenerated += _ => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        s.RunToEnd();
        Assert.False(s.End!.IsError, s.End.Reason);
        Assert.Equal(110, live.Count);
        // a step captures ~40 activations here; keeping them would add thousands over 100 steps
        long growth = live[^1] - live[9];
        Assert.True(growth <= 20, $"live tensors grew by {growth} over 100 token steps: {live[9]} → {live[^1]}");
        // between steps only the KV cache (keys and values per layer) remains: the step's captures were freed
        Assert.True(live.Max() <= 2 * 2 + 4, $"between token steps {live.Max()} tensors were alive (first {live[0]})");
    }
}
