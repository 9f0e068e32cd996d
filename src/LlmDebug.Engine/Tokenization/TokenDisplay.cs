using System.Buffers;
using System.Globalization;
using System.Text;

namespace LlmDebug.Engine.Tokenization;

/// <summary>
/// Readable token text for UIs. Whitespace becomes visible markers, bytes that are only part of a
/// UTF-8 character show as &lt;0xE7&gt;, special tokens show as themselves.
/// </summary>
public static class TokenDisplay
{
    public const string SpaceMarker = "␣";
    public const string NewlineMarker = "↵";
    public const string TabMarker = "⇥";
    public const string CarriageReturnMarker = "␍";

    public static string Render(TextTokenizer tokenizer, int id)
    {
        if (tokenizer.IsSpecial(id))
            return tokenizer.VocabString(id);
        return tokenizer.TokenBytes(id) is { } bytes ? RenderBytes(bytes) : tokenizer.VocabString(id);
    }

    public static string Render(TextTokenizer tokenizer, IEnumerable<int> ids) =>
        string.Concat(ids.Select(id => Render(tokenizer, id)));

    /// <summary>Renders token bytes: complete UTF-8 characters as text, stray or partial bytes as &lt;0xNN&gt;.</summary>
    public static string RenderBytes(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out int consumed) == OperationStatus.Done)
            {
                AppendVisible(builder, rune);
                bytes = bytes[consumed..];
            }
            else
            {
                // Show one byte at a time so a character split across tokens shows all of its bytes.
                AppendByte(builder, bytes[0]);
                bytes = bytes[1..];
            }
        }
        return builder.ToString();
    }

    private static void AppendVisible(StringBuilder builder, Rune rune)
    {
        switch (rune.Value)
        {
            case ' ': builder.Append(SpaceMarker); break;
            case '\n': builder.Append(NewlineMarker); break;
            case '\t': builder.Append(TabMarker); break;
            case '\r': builder.Append(CarriageReturnMarker); break;
            default:
                if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Control)
                    AppendUtf8Bytes(builder, rune); // invisible otherwise, so show what the token really holds
                else
                    builder.Append(rune.ToString());
                break;
        }
    }

    private static void AppendUtf8Bytes(StringBuilder builder, Rune rune)
    {
        Span<byte> utf8 = stackalloc byte[4];
        int length = rune.EncodeToUtf8(utf8);
        foreach (byte b in utf8[..length])
            AppendByte(builder, b);
    }

    private static void AppendByte(StringBuilder builder, byte value) =>
        builder.Append("<0x").Append(value.ToString("X2", CultureInfo.InvariantCulture)).Append('>');
}
