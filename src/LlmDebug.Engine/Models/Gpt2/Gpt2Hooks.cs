using LlmDebug.Engine.Hooks;

namespace LlmDebug.Engine.Models.Gpt2;

/// <summary>GPT-2's hook points, in the order its forward pass reaches them (TransformerLens names).</summary>
public static class Gpt2Hooks
{
    public static HookLayout For(int layers) => new(Prelude, Block, Final, layers);

    static readonly HookTemplate[] Prelude =
    [
        new("hook_embed", "[seq, d_model]", "token embeddings (wte rows of the input tokens)"),
        new("hook_pos_embed", "[seq, d_model]", "learned position embeddings (wpe rows of the positions)"),
    ];

    static readonly HookTemplate[] Block =
    [
        new("hook_resid_pre", "[seq, d_model]", "residual stream entering the block"),
        new("ln1.hook_normalized", "[seq, d_model]", "LayerNorm 1 output (attention input)"),
        new("attn.hook_q", "[seq, heads, d_head]", "queries per head"),
        new("attn.hook_k", "[seq, heads, d_head]", "keys per head (this step's positions)"),
        new("attn.hook_v", "[seq, heads, d_head]", "values per head (this step's positions)"),
        new("attn.hook_attn_scores", "[heads, query, key]", "scaled dot products q·k/√d_head; masked (future) keys hold float32 min"),
        new("attn.hook_pattern", "[heads, query, key]", "attention weights: softmax of the scores, each row sums to 1"),
        new("attn.hook_z", "[seq, heads, d_head]", "attention-weighted values per head"),
        new("hook_attn_out", "[seq, d_model]", "attention output after the output projection"),
        new("hook_resid_mid", "[seq, d_model]", "residual stream after attention"),
        new("ln2.hook_normalized", "[seq, d_model]", "LayerNorm 2 output (MLP input)"),
        new("mlp.hook_pre", "[seq, d_mlp]", "MLP hidden pre-activation"),
        new("mlp.hook_post", "[seq, d_mlp]", "MLP hidden activation (GELU)"),
        new("hook_mlp_out", "[seq, d_model]", "MLP output"),
        new("hook_resid_post", "[seq, d_model]", "residual stream leaving the block"),
    ];

    static readonly HookTemplate[] Final =
    [
        new("ln_final.hook_normalized", "[seq, d_model]", "final LayerNorm output"),
        new("logits", "[seq, vocab]", "next-token logits (unembedding of the final residual)"),
    ];
}
