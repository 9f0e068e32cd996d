using LlmDebug.Engine.Hooks;

namespace LlmDebug.Engine.Runtime;

/// <summary>
/// A place where execution can stop inside one token step: the start of a block, or a hook point.
/// Depth follows the listing's nesting: 1 = directly inside the token step, 2 = inside a block.
/// </summary>
public sealed record ForwardLocation(int Ordinal, ForwardLocationKind Kind, int Layer, HookPoint? Hook)
{
    public int Depth => Kind == ForwardLocationKind.Hook && Layer >= 0 ? 2 : 1;
    public string Name => Kind == ForwardLocationKind.BlockStart ? $"blocks.{Layer}" : Hook!.Name;
    public override string ToString() => Name;
}

public enum ForwardLocationKind { BlockStart, Hook }
