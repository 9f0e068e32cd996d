using System.Text;

namespace LlmDebug.Engine.Tokenization;

/// <summary>
/// GPT-2's byte-level alphabet: every byte 0..255 is given one printable character so a vocab entry
/// is a plain string ("Ġcat" = bytes " cat"). Printable Latin-1 bytes stand for themselves;
/// the other 68 (controls, space, etc.) are numbered upward from U+0100 in byte order.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] CharOfByte = BuildTable();
    private static readonly Dictionary<char, byte> ByteOfChar =
        Enumerable.Range(0, 256).ToDictionary(b => CharOfByte[b], b => (byte)b);

    private static char[] BuildTable()
    {
        static bool StandsForItself(int b) => b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';

        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
            table[b] = StandsForItself(b) ? (char)b : (char)next++;
        return table;
    }

    public static char CharFor(byte value) => CharOfByte[value];

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
            builder.Append(CharOfByte[b]);
        return builder.ToString();
    }

    /// <summary>Turns a byte-level vocab string back into bytes; false if it has a character outside the alphabet.</summary>
    public static bool TryDecode(string vocabString, out byte[] bytes)
    {
        bytes = new byte[vocabString.Length];
        for (int i = 0; i < vocabString.Length; i++)
        {
            if (!ByteOfChar.TryGetValue(vocabString[i], out bytes[i]))
            {
                bytes = [];
                return false;
            }
        }
        return true;
    }
}
