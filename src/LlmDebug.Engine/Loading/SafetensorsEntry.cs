namespace LlmDebug.Engine.Loading;

/// <summary>
/// One tensor as described by a safetensors header. <see cref="DType"/> is the stored dtype
/// (e.g. "BF16") even when the tensor is loaded as float32 for compute.
/// </summary>
/// <param name="FilePath">The .safetensors file holding the bytes (matters for sharded checkpoints).</param>
/// <param name="DataStart">Absolute byte offset in the file where the tensor data starts.</param>
/// <param name="DataEnd">Absolute byte offset one past the end of the tensor data.</param>
public sealed record SafetensorsEntry(
    string Name,
    string DType,
    IReadOnlyList<long> Shape,
    long DataStart,
    long DataEnd,
    string FilePath)
{
    public long ByteLength => DataEnd - DataStart;

    public long ElementCount => Shape.Aggregate(1L, (acc, dim) => acc * dim);

    public override string ToString() => $"{Name} {DType}[{string.Join(", ", Shape)}]";
}
