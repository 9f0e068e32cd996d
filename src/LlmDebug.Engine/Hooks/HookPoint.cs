namespace LlmDebug.Engine.Hooks;

/// <summary>
/// One named place in the forward pass where an activation can be observed or replaced.
/// Names follow TransformerLens (<c>blocks.11.attn.hook_pattern</c>) so users' habits carry over.
/// </summary>
/// <param name="Name">Full name, e.g. <c>blocks.11.attn.hook_pattern</c>.</param>
/// <param name="Layer">Block index, or -1 for hooks outside the blocks (embeddings, final norm, logits).</param>
/// <param name="LocalName">Name inside its block (<c>attn.hook_pattern</c>); equals <see cref="Name"/> outside blocks.</param>
/// <param name="Index">Position in execution order across the whole forward pass.</param>
/// <param name="Shape">Symbolic shape for one forward step, e.g. <c>[heads, query, key]</c>.</param>
/// <param name="Description">One line for hovers and listings.</param>
public sealed record HookPoint(string Name, int Layer, string LocalName, int Index, string Shape, string Description)
{
    public bool InBlock => Layer >= 0;
    public override string ToString() => Name;
}
