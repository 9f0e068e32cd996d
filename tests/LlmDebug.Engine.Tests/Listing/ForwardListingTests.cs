using LlmDebug.Engine.Inspection;
using LlmDebug.Engine.Listing;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Models;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Runtime.Breakpoints;
using LlmDebug.Engine.Tokenization;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Tests.Listing;

public class ForwardListingTests
{
    internal static readonly ModelConfig Config = new()
    {
        Family = "gpt2", Name = "tiny", Layers = 12, Heads = 4, DModel = 32, DMlp = 128, ContextLength = 64, VocabSize = 50257,
    };
    internal static readonly ExecutionPlan Plan = new(ModelLoader.HookLayoutFor(Config));
    private static readonly ForwardListing Listing = new(Config, Plan);
    private static string[] Lines => Listing.Text.Split('\n')[..^1];   // 1-based line n is Lines[n - 1]

    [Fact]
    public void Every_stop_location_has_exactly_one_line_and_every_layer_is_unrolled()
    {
        Assert.Equal(Listing.LineCount, Lines.Length);
        var locationLines = Enumerable.Range(1, Listing.LineCount).Where(l => Listing.LocationAt(l) is not null).ToList();
        Assert.Equal(Plan.Locations.Count, locationLines.Count);
        Assert.Equal(Plan.Locations, locationLines.Select(l => Listing.LocationAt(l)));   // in execution order, no gaps

        var blockLines = Lines.Select(l => l.Trim()).Where(l => l.StartsWith("blocks.") && l.EndsWith(':')).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"blocks.{i}:"), blockLines);
        Assert.Equal(2 + 12 * 16 + 2, Plan.Locations.Count);
        Assert.Equal("step:", Lines[Listing.StepLine - 1]);
    }

    [Fact]
    public void Lines_and_locations_round_trip_and_lines_show_name_and_shape()
    {
        foreach (var loc in Plan.Locations)
        {
            int line = Listing.LineOf(loc);
            Assert.Same(loc, Listing.LocationAt(line));
            string text = Lines[line - 1];
            if (loc.Kind == ForwardLocationKind.BlockStart)
                Assert.Equal($"  blocks.{loc.Layer}:", text);
            else
            {
                Assert.StartsWith(new string(' ', 2 * loc.Depth) + loc.Hook!.Name + " ", text);
                Assert.Contains(loc.Hook.Shape, text);
            }
        }
        Assert.Equal("  blocks.11:", Lines[Listing.LineOf(Plan.BlockStart(11)) - 1]);
        Assert.StartsWith("    blocks.11.attn.hook_pattern  ", Lines[Listing.LineOf(Plan.AtHook("blocks.11.attn.hook_pattern")!) - 1]);
    }

    [Fact]
    public void Header_blank_and_step_lines_bind_to_the_next_location()
    {
        for (int line = 1; line <= Listing.StepLine; line++)
        {
            Assert.Null(Listing.LocationAt(line));
            Assert.Same(Plan.First, Listing.NearestLocationAtOrAfter(line));
        }
        Assert.Same(Plan.First, Listing.NearestLocationAtOrAfter(0));
        Assert.Same(Plan.Last, Listing.NearestLocationAtOrAfter(Listing.LineCount));
        Assert.Null(Listing.NearestLocationAtOrAfter(Listing.LineCount + 1));
        var block5 = Plan.BlockStart(5);
        Assert.Same(block5, Listing.NearestLocationAtOrAfter(Listing.LineOf(block5)));
    }

    [Fact]
    public void The_header_describes_the_model()
    {
        Assert.StartsWith("# tiny — forward listing (gpt2)", Listing.Text);
        Assert.Contains("layers 12 · heads 4 · d_model 32 · d_head 8 · d_mlp 128 · context 64 · vocab 50257", Listing.Text);
        Assert.True(Listing.Describes(Listing.Text));
        Assert.False(Listing.Describes("# other — forward listing (gpt2)\n"));
    }
}

public class TensorSummaryTests
{
    [Fact]
    public void Shows_dtype_shape_and_statistics()
    {
        using var t = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3);
        Assert.Equal("f32[2,3] min 1 max 6 mean 3.5 ‖x‖ 9.539", TensorSummary.Format(t));
    }

    [Fact]
    public void Counts_nan_and_inf_and_summarises_only_finite_values()
    {
        using var t = tensor(new float[] { 1, float.NaN, float.PositiveInfinity, 3, float.NegativeInfinity });
        Assert.Equal("f32[5] min 1 max 3 mean 2 ‖x‖ 3.162 NaN×1 Inf×2", TensorSummary.Format(t));
        using var allNan = tensor(new float[] { float.NaN, float.NaN });
        Assert.Equal("f32[2] no finite values NaN×2", TensorSummary.Format(allNan));
    }

    [Fact]
    public void Scalars_empty_tensors_and_other_dtypes()
    {
        using var scalar = tensor(2.5f);
        Assert.Equal("f32[] 2.5", TensorSummary.Format(scalar));
        using var empty = zeros(0, 3);
        Assert.Equal("f32[0,3] (empty)", TensorSummary.Format(empty));
        using var ints = tensor(new long[] { -2, 4 });
        Assert.Equal("i64[2] min -2 max 4 mean 1 ‖x‖ 4.472", TensorSummary.Format(ints));
        using var half = ones(2, 2, dtype: ScalarType.Float16);
        Assert.StartsWith("f16[2,2] min 1 max 1 mean 1 ‖x‖ 2", TensorSummary.Format(half));
    }

    [Fact]
    public void Numbers_use_four_significant_digits_and_invariant_culture()
    {
        Assert.Equal("0.1235", TensorSummary.Number(0.123456));
        Assert.Equal("1.235E+07", TensorSummary.Number(12345678));
        Assert.Equal("-3", TensorSummary.Number(-3));
        Assert.Equal("NaN", TensorSummary.Number(double.NaN));
        Assert.Equal("-Inf", TensorSummary.Number(double.NegativeInfinity));
    }
}

public class TensorAxesTests
{
    static readonly TextTokenizer Tokenizer = TokenizerLoader.Gpt2Tiktoken();

    static StopInfo StopAt(int[] tokens, int inputStart) => new()
    {
        Reason = StopReason.Step, Step = 1, Location = ForwardListingTests.Plan.First, Tokens = tokens, InputStart = inputStart,
        InputLength = tokens.Length - inputStart, PromptLength = 2, Capture = new StepCapture(), Plan = ForwardListingTests.Plan,
    };

    [Fact]
    public void Labels_follow_the_symbolic_shape()
    {
        var stop = StopAt([15496, 995, 0], inputStart: 2);   // "Hello", " world", "!"
        var axes = TensorAxes.For("[heads, query, key]", stop, Tokenizer);
        Assert.Equal(["heads", "query", "key"], axes.Names);
        Assert.Equal("head 3", axes.Label(0, 3));
        Assert.Equal("\"!\" @2", axes.Label(1, 0));               // query rows are this step's tokens
        Assert.Equal("\"␣world\" @1", axes.Label(2, 1));          // keys are all positions so far
        Assert.Equal("@7", axes.Label(2, 7));
        Assert.Equal("dim 3", axes.DimensionName(3));
        Assert.Equal("5", axes.Label(3, 5));
    }

    [Theory]
    [InlineData("blocks.12.attn.hook_q", "no layer 12")]
    [InlineData("blocks.99999999999.attn.hook_q", "no layer 99999999999")]
    [InlineData("attn.hook_nothing", "unknown hook 'attn.hook_nothing'")]
    public void Unknown_hook_names_resolve_to_an_error(string name, string message)
    {
        var stop = StopAt([15496], inputStart: 0);
        Assert.False(stop.TryResolve(name, null, out var value, out var error));
        Assert.Null(value);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Vocab_and_plain_dimensions()
    {
        var stop = StopAt([15496], inputStart: 0);
        var axes = TensorAxes.For("[seq, vocab]", stop, Tokenizer);
        Assert.Equal("\"Hello\" @0", axes.Label(0, 0));
        Assert.Equal("\"Hello\"", axes.Label(1, 15496));
        Assert.Equal("60000", axes.Label(1, 60000));
        Assert.Equal("4", TensorAxes.For("[seq, d_model]", stop, Tokenizer).Label(1, 4));
    }
}

public class FunctionBreakpointResolverTests
{
    static readonly ExecutionPlan Plan = ForwardListingTests.Plan;

    static IReadOnlyList<string> Resolve(string name, out string? error) =>
        FunctionBreakpointResolver.Resolve(name, Plan, out error).Select(l => l.Name).ToList();

    [Theory]
    [InlineData("11")]
    [InlineData("layer 11")]
    [InlineData("Layer 11")]
    [InlineData("blocks.11")]
    [InlineData("  blocks.11 ")]
    public void Layer_spellings_bind_to_the_block_start(string name)
    {
        Assert.Equal(["blocks.11"], Resolve(name, out var error));
        Assert.Null(error);
        Assert.Equal(ForwardLocationKind.BlockStart, FunctionBreakpointResolver.Resolve(name, Plan, out _)[0].Kind);
    }

    [Theory]
    [InlineData("blocks.11.attn", "blocks.11.attn.hook_q")]
    [InlineData("blocks.2.mlp", "blocks.2.mlp.hook_pre")]
    [InlineData("blocks.2.ln2", "blocks.2.ln2.hook_normalized")]
    [InlineData("blocks.11.attn.hook_pattern", "blocks.11.attn.hook_pattern")]
    [InlineData("blocks.0.hook_resid_pre", "blocks.0.hook_resid_pre")]
    [InlineData("hook_embed", "hook_embed")]
    [InlineData("logits", "logits")]
    [InlineData("ln_final.hook_normalized", "ln_final.hook_normalized")]
    public void Names_bind_to_one_hook(string name, string expected)
    {
        Assert.Equal([expected], Resolve(name, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("attn.hook_pattern", "attn.hook_pattern")]
    [InlineData("hook_resid_post", "hook_resid_post")]
    [InlineData("attn", "attn.hook_q")]
    [InlineData("mlp", "mlp.hook_pre")]
    public void Names_relative_to_a_block_bind_in_every_layer(string name, string local)
    {
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"blocks.{i}.{local}"), Resolve(name, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("blocks.12")]
    [InlineData("99")]
    [InlineData("layer 99")]
    [InlineData("blocks.99.attn.hook_pattern")]
    [InlineData("blocks.99999999999")]
    [InlineData("blocks.99999999999.attn")]
    public void Layers_out_of_range_name_the_valid_range(string name)
    {
        Assert.Empty(Resolve(name, out var error));
        Assert.Contains("this model has layers 0…11", error);
    }

    [Theory]
    [InlineData("attn.hook_nothing")]
    [InlineData("blocks.3.attn.hook_nothing")]
    [InlineData("")]
    public void Unknown_names_explain_what_is_valid(string name)
    {
        Assert.Empty(Resolve(name, out var error));
        Assert.Contains("no hook point", error);
        Assert.Contains("attn.hook_pattern", error);
    }
}

public class HitConditionTests
{
    [Theory]
    [InlineData("3", "==", 3)]
    [InlineData("==3", "==", 3)]
    [InlineData("=3", "==", 3)]
    [InlineData(" >= 2 ", ">=", 2)]
    [InlineData(">2", ">", 2)]
    [InlineData("%4", "%", 4)]
    public void Parses(string text, string op, int value) => Assert.Equal(new HitCondition(op, value), HitCondition.Parse(text));

    [Theory]
    [InlineData("abc")]
    [InlineData("<3")]
    [InlineData("%0")]
    [InlineData("3.5")]
    [InlineData("-1")]
    [InlineData("99999999999")]
    [InlineData("")]
    public void Rejects(string text) => Assert.Throws<FormatException>(() => HitCondition.Parse(text));

    [Theory]
    [InlineData("3", new[] { 3 })]
    [InlineData(">=3", new[] { 3, 4, 5, 6 })]
    [InlineData(">3", new[] { 4, 5, 6 })]
    [InlineData("%2", new[] { 2, 4, 6 })]
    public void Is_met_on_exactly_the_expected_hits(string text, int[] expected)
    {
        var condition = HitCondition.Parse(text);
        Assert.Equal(expected, Enumerable.Range(1, 6).Where(condition.IsMet));
    }
}
