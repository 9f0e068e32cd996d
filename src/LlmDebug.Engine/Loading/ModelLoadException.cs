namespace LlmDebug.Engine.Loading;

/// <summary>
/// Anything wrong with the files of a model folder (weights, index, config, tokenizer).
/// The message always names the file, and the tensor or field when one is involved,
/// so a user can fix the folder without a debugger.
/// </summary>
public sealed class ModelLoadException : Exception
{
    public string FilePath { get; }
    public string? TensorName { get; }

    public ModelLoadException(string filePath, string message, string? tensorName = null, Exception? inner = null)
        : base(Compose(filePath, message, tensorName), inner)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    private static string Compose(string filePath, string message, string? tensorName) =>
        tensorName is null
            ? $"{filePath}: {message}"
            : $"{filePath}: tensor '{tensorName}': {message}";
}
