using System.Diagnostics;
using System.Globalization;
using LlmDebug.Benchmarks;
using LlmDebug.DebugAdapter.Session;
using LlmDebug.Engine.Models;
using LlmDebug.Engine.Models.Gpt2;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Runtime.Breakpoints;
using LlmDebug.Engine.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

// Speed and memory of the debugger, as ratios measured in one run on this machine (never a timed test):
//   dotnet run -c Release --project tools/Benchmarks [-- --layers 12 --heads 12 --d-model 768 --seq 128 --tokens 200 --threads 1]
var opts = BenchOptions.Parse(args);
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var config = new ModelConfig
{
    Family = "gpt2", Name = $"random-gpt2-{opts.Layers}L-{opts.DModel}", Layers = opts.Layers, Heads = opts.Heads, DModel = opts.DModel,
    DMlp = 4 * opts.DModel, ContextLength = opts.Context, VocabSize = 50257, EndOfTextTokenId = 50256,
};
Console.WriteLine($"# LLM Debug Adapter benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"machine: {Environment.ProcessorCount} logical CPUs, {MachineInfo.CpuModel()}, {MachineInfo.MemoryGb():F0} GiB; libtorch {torch.__version__}; .NET {Environment.Version}");
Console.WriteLine($"model: GPT-2 shape, random weights: {config.Layers} layers, {config.Heads} heads, d_model {config.DModel}, vocab {config.VocabSize}, context {config.ContextLength}");
Console.WriteLine();

using var weightsScope = NewDisposeScope();
var model = new Gpt2Model(config, Gpt2Weights.Random(config, seed: 0));
var tokenizer = TokenizerLoader.Gpt2Tiktoken();
var prompt = tensor(Enumerable.Range(0, opts.Seq).Select(i => (long)(i * 37 % 50000)).ToArray());

// --- thread count: a prompt step and a single-token step at 1 and at all threads ---------------------------
Console.WriteLine("## libtorch threads (median ms)");
foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
{
    torch.set_num_threads(threads);
    double promptMs = Measure.MedianMs(() => Forward(model, prompt, null), reps: 5);
    double tokenMs = SingleTokenMs(model, prompt, reps: 10);
    Console.WriteLine($"threads {threads}: {opts.Seq}-token prompt forward {promptMs:F1} ms, one cached token step {tokenMs:F1} ms");
}
int threadsUsed = LlmDebug.Engine.Compute.TorchThreads.Configure(opts.Threads, config);
Console.WriteLine($"(the rest runs at {threadsUsed} thread(s), the debugger's default for this model)");
Console.WriteLine();

// --- (a) capture overhead ------------------------------------------------------------------------------------
var (plain, captured) = Measure.PairedMedianMs(
    () => Forward(model, prompt, null),
    () => { var c = new CaptureAll(); Forward(model, prompt, c); c.Capture.Dispose(); },
    reps: opts.Reps);
Console.WriteLine($"## (a) forward with every hook point captured ÷ plain forward, {opts.Seq} tokens");
Console.WriteLine($"plain {plain:F1} ms, captured {captured:F1} ms, ratio {captured / plain:F3} (target ≤ 1.15)");
Console.WriteLine();

// --- (b) stop latency and variables latency through the debugger's own code paths -----------------------------
var loaded = new LoadedModel(model, tokenizer, "(in memory)");
var runtime = new DebugRuntime(loaded, new LaunchOptions { Prompt = string.Join(" ", Enumerable.Repeat("word", opts.Seq - 1)), MaxNewTokens = 12 });
runtime.Breakpoints.SetFunctionBreakpoints([new BreakpointRequest(null, "blocks.11.attn.hook_pattern", null, null)]);
var stopped = new SemaphoreSlim(0);
runtime.Stopped += _ => stopped.Release();
runtime.Start();
stopped.Wait();                                   // step 0 (the prompt)
var store = new VariableStore();
var presenter = new StopPresenter(runtime, store, () => new LlmDebug.DebugAdapter.Protocol.Source { Path = "bench.llmlisting" });
double variablesMs = Measure.MedianMs(() =>
{
    var stop = runtime.CurrentStop!;
    var scopes = presenter.Scopes(stop, StopPresenter.HookFrameId);
    var attention = store.Get(scopes.First(s => s.Name == "Attention").VariablesReference)!.Children(0, 100).ToList();
    var pattern = attention.First(v => v.Name == "attn.hook_pattern");
    var heads = store.Get(pattern.VariablesReference)!.Children(0, 100).ToList();   // one row per head, each summarised
    store.Reset();
}, reps: 10);
var latencies = new List<double>();
for (int i = 0; i < 8; i++)
{
    var clock = Stopwatch.StartNew();
    runtime.Resume(StepKind.Continue);
    stopped.Wait();
    latencies.Add(clock.Elapsed.TotalMilliseconds);
}
runtime.Terminate();
latencies.Sort();
double stopMs = latencies[latencies.Count / 2];
double tokenForwardMs = SingleTokenMs(model, prompt, reps: 10);
Console.WriteLine("## (b) latency");
Console.WriteLine($"continue → stopped (breakpoint on blocks.11.attn.hook_pattern, next token step): {stopMs:F1} ms = {stopMs / tokenForwardMs:F2} × one cached token forward ({tokenForwardMs:F1} ms)");
Console.WriteLine($"variables for the attention pattern [{config.Heads},{opts.Seq},{opts.Seq}] (Attention scope + its {config.Heads} head slices with summaries): {variablesMs:F1} ms = {variablesMs / plain:F2} × one {opts.Seq}-token forward");
Console.WriteLine();

// --- (c) memory over a long generation --------------------------------------------------------------------------
Console.WriteLine($"## (c) resident memory while generating {opts.Tokens} tokens with every hook captured");
var memoryRuntime = new DebugRuntime(loaded, new LaunchOptions { Prompt = "In the beginning", MaxNewTokens = opts.Tokens });
var rss = new Dictionary<int, double>();
memoryRuntime.TokenGenerated += t => { if (t.Step + 1 is 10 or 50 or 100 or 200 || t.Step + 1 == opts.Tokens) rss[t.Step + 1] = Measure.RssMb(); };
memoryRuntime.Start();
memoryRuntime.WaitForExit();
foreach (var (tokens, mb) in rss.OrderBy(p => p.Key)) Console.WriteLine($"after {tokens,4} tokens: {mb:F0} MB");
if (rss.TryGetValue(10, out var at10) && rss.TryGetValue(opts.Tokens, out var atEnd))
{
    double kvMb = 2.0 * config.Layers * (opts.Tokens - 10) * config.DModel * 4 / 1e6;
    Console.WriteLine($"growth 10 → {opts.Tokens} tokens: {atEnd - at10:+0;-0} MB (the KV cache itself grows by {kvMb:F1} MB)");
}
return 0;

static void Forward(TransformerModel model, Tensor tokens, LlmDebug.Engine.Hooks.IForwardObserver? observer)
{
    using var noGrad = no_grad();
    using var scope = NewDisposeScope();
    model.Forward(tokens, null, observer);
}

static double SingleTokenMs(TransformerModel model, Tensor prompt, int reps)
{
    using var noGrad = no_grad();
    using var scope = NewDisposeScope();
    using var cache = new KvCache(model.Config.Layers);
    model.Forward(prompt, cache);
    var one = tensor(new long[] { 42 });
    return Measure.MedianMs(() =>
    {
        using var inner = NewDisposeScope();
        // run on a copy of the cache length: forward one token, then the cache has grown; fine for timing a step
        model.Forward(one, cache);
    }, reps, warmup: 1);
}
