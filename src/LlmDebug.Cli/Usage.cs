namespace LlmDebug.Cli;

static class Usage
{
    public const string Text = """
        llmdebug — debug a transformer language model from the command line

        llmdebug debug --model DIR --prompt TEXT [options]
            Runs token-by-token generation and stops where you ask, printing each stop.
            --tokens N          tokens to generate (default 3)
            --break NAME        stop at a hook point or block; repeatable. NAME is 11, layer 11, blocks.11,
                                blocks.11.attn, blocks.11.attn.hook_pattern or attn.hook_pattern (every layer)
            --condition EXPR    only stop where EXPR holds (applies to every --break)
            --print EXPR        print an expression at each stop; repeatable (e.g. blocks.11.attn.hook_pattern,
                                max(abs(hook_resid_post)), topk(logits, 5))
            --nonfinite         stop at the first activation holding NaN or Inf
            --temperature T     sample at temperature T (default 0 = greedy); --top-k K; --seed S
            --capture FILTER    hook points kept for --print (default all)
            --threads N         libtorch threads (default: 1 for models narrower than d_model 256, else every core)
            --json              one JSON object per line instead of text

        llmdebug run FILE.llmdebug [--prompt N] [--threads N]
            Runs an experiment file (see docs/experiments.md) without stopping: applies its interventions, prints the
            prediction, watches and expectations, and exits 1 when an expectation fails (2 on errors in the file).

        llmdebug listing --model DIR [--out FILE]
            Prints (or writes) the forward listing: one line per hook point, every layer unrolled.

        llmdebug make-model --out DIR [--layers 12 --heads 4 --d-model 64 --context 256 --dtype f32|f16|bf16 --seed 0]
            Writes a GPT-2 with random weights as a Hugging Face folder (for tests and benchmarks).
        """;
}
