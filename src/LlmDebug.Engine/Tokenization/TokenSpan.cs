namespace LlmDebug.Engine.Tokenization;

/// <summary>
/// A token and the UTF-16 range of the input it came from. Tokens holding part of one character
/// (a CJK char split over two byte tokens) both point at that whole character, so ranges may repeat.
/// </summary>
public readonly record struct TokenSpan(int Id, int Start, int Length)
{
    public int End => Start + Length;
}
