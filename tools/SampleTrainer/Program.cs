using System.Diagnostics;
using System.Text.Json;
using LlmDebug.Engine.Models;
using LlmDebug.Engine.Models.Gpt2;
using LlmDebug.SampleTrainer;
using Microsoft.ML.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

// Trains the sample GPT-2 (12 layers, d_model 128) on the King James Bible. Seeded and reproducible:
//   samples/train-sample-model.sh   (see that script for the exact command and environment)
if (args.Length > 0 && args[0] == "export")
    return Export.Run(args[1..]);

var opts = TrainOptions.Parse(args);
torch.set_num_threads(opts.Threads);
torch.manual_seed(opts.Seed);

var tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
string corpus = KjvCorpus.Load(opts.CorpusFile);
int[] ids = tokenizer.EncodeToIds(corpus).ToArray();
int split = (int)(ids.Length * 0.95);
Console.WriteLine($"corpus: {corpus.Length:N0} chars, {ids.Length:N0} tokens; train {split:N0}, held-out {ids.Length - split:N0} (last 5%)");

var config = new ModelConfig
{
    Family = "gpt2", Name = "gpt2-kjv-12L", Layers = 12, Heads = 4, DModel = 128, DMlp = 512,
    ContextLength = opts.BlockSize, VocabSize = 50257, TieWordEmbeddings = true, EndOfTextTokenId = 50256,
};
// Parameter takes over the initial tensors' storage (the originals become empty handles): keep only the parameters
var initial = Gpt2Weights.Random(config, opts.Seed).Named().ToList();
var parameters = initial.Select(p => new TorchSharp.Modules.Parameter(p.Value)).ToList();
using var model = new Gpt2Model(config, Gpt2Weights.FromNamed(config,
    initial.Select((p, i) => (p.Name, (Tensor)parameters[i])).ToDictionary(p => p.Name, p => p.Item2)));

var optimizer = optim.AdamW(parameters, lr: opts.LearningRate, weight_decay: 0.1);
var trainTokens = tensor(ids[..split].Select(i => (long)i).ToArray());
var heldOutTokens = tensor(ids[split..].Select(i => (long)i).ToArray());
var rng = new Random(opts.Seed);
var clock = Stopwatch.StartNew();
long tokensSeen = 0;

for (int step = 1; step <= opts.Steps; step++)
{
    using var scope = NewDisposeScope();
    double lr = LearningRate.At(step, opts.Steps, opts.LearningRate, warmup: Math.Min(200, opts.Steps / 10));
    foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;

    var batch = Batches.Sample(trainTokens, opts.BatchSize, opts.BlockSize, rng);
    var logits = model.Forward(batch.Inputs);
    var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), batch.Targets.reshape(-1));
    optimizer.zero_grad();
    loss.backward();
    nn.utils.clip_grad_norm_(parameters, 1.0);
    optimizer.step();
    tokensSeen += opts.BatchSize * opts.BlockSize;

    if (step % 50 == 0 || step == 1)
        Console.WriteLine($"step {step}/{opts.Steps} loss {loss.item<float>():F3} lr {lr:E2} {tokensSeen / clock.Elapsed.TotalSeconds:F0} tok/s elapsed {clock.Elapsed:hh\\:mm\\:ss}");
    if (step % opts.EvalEvery == 0 || step == opts.Steps)
    {
        double heldOut = Evaluation.HeldOutLoss(model, heldOutTokens, opts.BlockSize);
        Console.WriteLine($"step {step}: held-out loss {heldOut:F3} nats/token");
        Checkpoint.Save(opts.CheckpointFile, config, model.Weights, new { step, heldOutLoss = heldOut, tokensSeen, seconds = clock.Elapsed.TotalSeconds, opts });
    }
}
Console.WriteLine($"done in {clock.Elapsed}; checkpoint at {opts.CheckpointFile}");
return 0;
