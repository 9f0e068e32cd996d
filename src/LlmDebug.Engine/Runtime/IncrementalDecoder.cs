using LlmDebug.Engine.Tokenization;

namespace LlmDebug.Engine.Runtime;

/// <summary>
/// Decodes generated tokens into text as they arrive. A token can hold part of a multi-byte character; its text
/// is held back until the character is complete, so output never shows replacement characters mid-stream.
/// </summary>
public sealed class IncrementalDecoder(TextTokenizer tokenizer)
{
    private readonly List<int> _ids = [];
    private int _emitted;

    public string Append(int id)
    {
        _ids.Add(id);
        string text = tokenizer.Decode(_ids);
        int end = text.Length;
        while (end > _emitted && text[end - 1] == '\uFFFD') end--;
        string delta = text[_emitted..end];
        _emitted = end;
        return delta;
    }

    /// <summary>All text so far, including any incomplete trailing character.</summary>
    public string Flush() => tokenizer.Decode(_ids);
}
