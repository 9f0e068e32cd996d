namespace LlmDebug.DebugAdapter.Transport;

/// <summary>Argument type for requests the schema defines without arguments (e.g. `threads`); unknown fields are ignored.</summary>
public sealed class EmptyArguments
{
}
