using LlmDebug.Engine.Models;
using LlmDebug.Engine.Models.Gpt2;
using LlmDebug.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Models;

public class ForwardInvariantTests(Gpt2ModelFixture fx) : IClassFixture<Gpt2ModelFixture>
{
    private const string Prompt = "The quick brown fox jumps over the lazy dog";

    static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var d = (a - b).abs().max();
        return d.item<float>();
    }

    [Fact]
    public void Attention_rows_sum_to_one_and_future_keys_get_exactly_zero()
    {
        using var scope = NewDisposeScope();
        using var rec = new RecordingObserver();
        var tokens = fx.Encode(Prompt);
        long seq = tokens.shape[0];
        Assert.True(seq >= 8, $"prompt should be several tokens long, got {seq}");
        fx.Gpt2.Forward(tokens, observer: rec);

        var future = ones(seq, seq, dtype: ScalarType.Bool).triu(1).expand(Gpt2ModelFixture.Heads, seq, seq);
        for (int layer = 0; layer < Gpt2ModelFixture.Layers; layer++)
        {
            var pattern = rec.Values[$"blocks.{layer}.attn.hook_pattern"];
            Assert.Equal(new long[] { Gpt2ModelFixture.Heads, seq, seq }, pattern.shape);
            double rowError = (pattern.sum(-1) - 1).abs().max().item<float>();
            Assert.True(rowError <= 1e-5, $"layer {layer}: attention rows sum to 1 ± {rowError}");
            Assert.Equal(0f, pattern.masked_select(future).abs().max().item<float>());
            // below the diagonal every key is visible: softmax never gives exactly 0 to a visible key at this scale
            Assert.True(pattern.masked_select(future.logical_not()).min().item<float>() > 0, $"layer {layer}: a visible key got weight 0");
        }
    }

    [Fact]
    public void A_cached_single_token_step_attends_to_every_position_so_far()
    {
        using var scope = NewDisposeScope();
        using var cache = new KvCache(Gpt2ModelFixture.Layers);
        var tokens = fx.Encode(Prompt);
        long seq = tokens.shape[0];
        fx.Gpt2.Forward(tokens, cache);
        using var rec = new RecordingObserver();
        fx.Gpt2.Forward(tensor(new long[] { 11 }), cache, rec);

        for (int layer = 0; layer < Gpt2ModelFixture.Layers; layer++)
        {
            var pattern = rec.Values[$"blocks.{layer}.attn.hook_pattern"];
            Assert.Equal(new long[] { Gpt2ModelFixture.Heads, 1, seq + 1 }, pattern.shape);
            Assert.True((pattern.sum(-1) - 1).abs().max().item<float>() <= 1e-5);
            Assert.True(pattern.min().item<float>() > 0, $"layer {layer}: the new token must see all {seq + 1} positions");
        }
    }

    [Fact]
    public void Capturing_every_hook_changes_no_logit()
    {
        using var scope = NewDisposeScope();
        var tokens = fx.Encode(Prompt);
        var plain = fx.Gpt2.Forward(tokens);
        using var rec = new RecordingObserver();
        var observed = fx.Gpt2.Forward(tokens, observer: rec);

        Assert.Equal(fx.Gpt2.Hooks.All.Count, rec.Values.Count);
        Assert.Equal(0, MaxAbsDiff(plain, observed));   // bit for bit
        Assert.Equal(0, MaxAbsDiff(plain, rec.Values["logits"]));
    }

    [Fact]
    public void Replacing_a_hook_value_changes_what_follows()
    {
        using var scope = NewDisposeScope();
        var tokens = fx.Encode(Prompt);
        var plain = fx.Gpt2.Forward(tokens);
        using var rec = new RecordingObserver((point, value) => point.Name == "blocks.3.attn.hook_z" ? zeros_like(value) : null);
        var patched = fx.Gpt2.Forward(tokens, observer: rec);

        Assert.True(MaxAbsDiff(plain, patched) > 1e-3, "zeroing blocks.3.attn.hook_z must change the logits");
        // with z = 0 the attention output is exactly the output projection's bias, at every position
        var attnOut = rec.Values["blocks.3.hook_attn_out"];
        var bias = fx.Gpt2.Weights.Blocks[3].AttnProjBias.expand_as(attnOut);
        Assert.True(MaxAbsDiff(attnOut, bias) <= 1e-6, "hook_attn_out after zeroing hook_z should equal c_proj.bias");
        // hooks before the intervention are untouched
        using var before = new RecordingObserver();
        fx.Gpt2.Forward(tokens, observer: before);
        Assert.Equal(0, MaxAbsDiff(before.Values["blocks.3.attn.hook_pattern"], rec.Values["blocks.3.attn.hook_pattern"]));
    }

    [Fact]
    public void Incremental_steps_with_a_kv_cache_match_a_full_recomputation()
    {
        using var scope = NewDisposeScope();
        var ids = fx.Model.Tokenizer.Encode(Prompt + ", and then it ran away into the woods").ToList();
        Assert.True(ids.Count > 12);
        var full = fx.Gpt2.Forward(SyntheticGpt2.Tokens(ids));

        using var cache = new KvCache(Gpt2ModelFixture.Layers);
        int promptLength = 5;
        var rows = new List<Tensor> { fx.Gpt2.Forward(SyntheticGpt2.Tokens(ids.Take(promptLength)), cache) };
        for (int i = promptLength; i < ids.Count; i++)
        {
            rows.Add(fx.Gpt2.Forward(SyntheticGpt2.Tokens([ids[i]]), cache));
            Assert.Equal(i + 1, cache.Length);
        }
        var incremental = cat(rows, 0);

        Assert.Equal(full.shape, incremental.shape);
        double diff = MaxAbsDiff(full, incremental);
        Assert.True(diff <= 1e-4, $"cached logits differ from full recomputation by {diff}");
    }

    [Fact]
    public void Hooks_fire_in_layout_order_and_block_starts_match_the_execution_plan()
    {
        using var scope = NewDisposeScope();
        using var rec = new RecordingObserver();
        fx.Gpt2.Forward(fx.Encode(Prompt), observer: rec);

        Assert.Equal(fx.Gpt2.Hooks.All.Select(h => h.Name), rec.HookNames);
        var plan = new ExecutionPlan(fx.Gpt2.Hooks);
        Assert.Equal(plan.Locations.Select(l => l.Name), rec.Events);
    }

    [Fact]
    public void Hook_shapes_match_their_symbolic_shape_for_the_prompt_and_for_a_cached_step()
    {
        using var scope = NewDisposeScope();
        using var cache = new KvCache(Gpt2ModelFixture.Layers);
        var tokens = fx.Encode(Prompt);
        int seq = (int)tokens.shape[0];

        using var first = new RecordingObserver();
        fx.Gpt2.Forward(tokens, cache, first);
        AssertShapes(first, seq: seq, keys: seq);

        using var second = new RecordingObserver();
        fx.Gpt2.Forward(tensor(new long[] { 262 }), cache, second);
        AssertShapes(second, seq: 1, keys: seq + 1);
    }

    void AssertShapes(RecordingObserver rec, int seq, int keys)
    {
        var sizes = new Dictionary<string, long>
        {
            ["seq"] = seq, ["query"] = seq, ["key"] = keys, ["heads"] = Gpt2ModelFixture.Heads, ["d_head"] = Gpt2ModelFixture.DHead,
            ["d_model"] = Gpt2ModelFixture.DModel, ["d_mlp"] = Gpt2ModelFixture.DMlp, ["vocab"] = SyntheticGpt2.Vocab,
        };
        foreach (var hook in fx.Gpt2.Hooks.All)
        {
            long[] expected = hook.Shape.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries).Select(d => sizes[d]).ToArray();
            Assert.True(expected.SequenceEqual(rec.Values[hook.Name].shape),
                $"{hook.Name} {hook.Shape}: expected [{string.Join(",", expected)}], got [{string.Join(",", rec.Values[hook.Name].shape)}]");
        }
    }

    // ---- an independent reference: GPT-2 written out with plain tensor ops ------------------------------------

    static Tensor RefLayerNorm(Tensor x, Tensor weight, Tensor bias, double eps)
    {
        var mean = x.mean([-1], keepdim: true);
        var variance = (x - mean).pow(2).mean([-1], keepdim: true);
        return (x - mean) / (variance + eps).sqrt() * weight + bias;
    }

    static Tensor RefGeluNew(Tensor x) => 0.5 * x * (1 + tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    static Tensor RefBlock(Tensor x, Gpt2BlockWeights w, int heads, double eps)
    {
        long seq = x.shape[0], d = x.shape[1], dHead = d / heads;
        var h = RefLayerNorm(x, w.Ln1Weight, w.Ln1Bias, eps);
        var qkv = h.mm(w.AttnWeight) + w.AttnBias;
        var future = ones(seq, seq, dtype: ScalarType.Bool).triu(1);
        var perHead = new List<Tensor>();
        for (int head = 0; head < heads; head++)
        {
            var q = qkv.narrow(1, head * dHead, dHead);
            var k = qkv.narrow(1, d + head * dHead, dHead);
            var v = qkv.narrow(1, 2 * d + head * dHead, dHead);
            var scores = q.mm(k.t()) / Math.Sqrt(dHead);
            scores = scores.masked_fill(future, double.NegativeInfinity);
            var e = (scores - scores.max(1, keepdim: true).values).exp();
            perHead.Add((e / e.sum(1, keepdim: true)).mm(v));
        }
        var attn = cat(perHead, 1).mm(w.AttnProjWeight) + w.AttnProjBias;
        var mid = x + attn;
        var h2 = RefLayerNorm(mid, w.Ln2Weight, w.Ln2Bias, eps);
        var mlp = RefGeluNew(h2.mm(w.FcWeight) + w.FcBias).mm(w.MlpProjWeight) + w.MlpProjBias;
        return mid + mlp;
    }

    [Fact]
    public void Hooked_blocks_match_a_hand_written_gpt2_block()
    {
        using var scope = NewDisposeScope();
        using var rec = new RecordingObserver();
        fx.Gpt2.Forward(fx.Encode(Prompt), observer: rec);
        var w = fx.Gpt2.Weights;
        double eps = fx.Model.Config.LayerNormEpsilon;

        foreach (int layer in new[] { 0, 5, 11 })
        {
            var expected = RefBlock(rec.Values[$"blocks.{layer}.hook_resid_pre"], w.Blocks[layer], Gpt2ModelFixture.Heads, eps);
            double diff = MaxAbsDiff(expected, rec.Values[$"blocks.{layer}.hook_resid_post"]);
            Assert.True(diff <= 1e-5, $"blocks.{layer}.hook_resid_post differs from the reference block by {diff}");
        }
    }

    [Fact]
    public void The_whole_forward_pass_matches_the_hand_written_reference()
    {
        using var scope = NewDisposeScope();
        var tokens = fx.Encode(Prompt);
        var w = fx.Gpt2.Weights;
        double eps = fx.Model.Config.LayerNormEpsilon;

        var x = w.Wte.index_select(0, tokens) + w.Wpe.narrow(0, 0, tokens.shape[0]);
        foreach (var block in w.Blocks) x = RefBlock(x, block, Gpt2ModelFixture.Heads, eps);
        var expected = RefLayerNorm(x, w.LnFWeight, w.LnFBias, eps).mm(w.Wte.t());

        var actual = fx.Gpt2.Forward(tokens);
        double diff = MaxAbsDiff(expected, actual);
        Assert.True(diff <= 1e-4, $"logits differ from the reference by {diff}");
        Assert.True(expected.std().item<float>() > 1e-2, "logits should not be trivially constant");
    }
}
