namespace LlmDebug.Engine.Loading;

/// <summary>
/// Reports progress on the caller's thread, in order. (<see cref="Progress{T}"/> posts each report to the thread
/// pool, so messages can arrive out of order and after loading has finished.)
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
