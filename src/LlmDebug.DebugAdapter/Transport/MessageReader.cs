using System.Globalization;
using System.Text;

namespace LlmDebug.DebugAdapter.Transport;

/// <summary>
/// Reads "Content-Length: N\r\n\r\n{json}" framed messages from a stream.
/// Tolerates partial reads, several messages per read, extra headers and any header-name casing.
/// Bad framing is returned as an error <see cref="FramedMessage"/>; the reader then resynchronises on the
/// next "Content-Length" header, so one corrupt message never ends the session.
/// </summary>
public sealed class MessageReader
{
    public const int DefaultMaxMessageBytes = 256 * 1024 * 1024;
    private const int MaxHeaderBytes = 16 * 1024;
    private static readonly byte[] HeaderTerminator = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] ContentLengthName = "content-length"u8.ToArray();

    private readonly Stream _input;
    private readonly int _maxMessageBytes;
    private byte[] _buffer = new byte[8192];
    private int _start; // first unconsumed byte
    private int _end;   // one past the last buffered byte
    private bool _endOfStream;
    private bool _resynchronising;

    public MessageReader(Stream input, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        _input = input;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>Reads the next message or framing error; null once the stream has ended.</summary>
    public async Task<FramedMessage?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_resynchronising && !SkipToNextContentLengthHeader())
            {
                if (!await FillAsync(cancellationToken)) return null;
                continue;
            }

            // Stray line breaks between messages are harmless; do not report them as a bad header.
            while (_start < _end && _buffer[_start] is (byte)'\r' or (byte)'\n') _start++;

            int terminator = IndexOf(HeaderTerminator, _start, _end);
            if (terminator < 0)
            {
                if (_end - _start > MaxHeaderBytes)
                    return Fail($"no end of header within {MaxHeaderBytes} bytes", discard: _end - _start);
                if (await FillAsync(cancellationToken)) continue;
                return TrailingDataError();
            }

            string header = Encoding.ASCII.GetString(_buffer, _start, terminator - _start);
            int headerLength = terminator + HeaderTerminator.Length - _start;
            if (!TryParseContentLength(header, out int contentLength, out string? headerError))
                return Fail(headerError!, discard: headerLength);
            if (contentLength > _maxMessageBytes)
                return await SkipOversizedAsync(headerLength, contentLength, cancellationToken);

            _start += headerLength;
            while (_end - _start < contentLength)
            {
                if (!await FillAsync(cancellationToken))
                {
                    int had = _end - _start;
                    _start = _end;
                    return FramedMessage.FromError($"stream ended after {had} of {contentLength} body bytes");
                }
            }

            byte[] body = _buffer.AsSpan(_start, contentLength).ToArray();
            _start += contentLength;
            return FramedMessage.FromBody(body);
        }
    }

    /// <summary>Finds Content-Length among the header lines; other headers (e.g. Content-Type) are ignored.</summary>
    private static bool TryParseContentLength(string header, out int length, out string? error)
    {
        length = -1;
        foreach (string line in header.Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                error = $"malformed header line '{Shorten(line)}'";
                return false;
            }
            if (!line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;

            string value = line[(colon + 1)..].Trim();
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out length))
            {
                error = $"invalid Content-Length value '{Shorten(value)}'";
                return false;
            }
        }
        error = length < 0 ? $"header has no Content-Length: '{Shorten(header)}'" : null;
        return length >= 0;
    }

    private FramedMessage Fail(string error, int discard)
    {
        _start += discard;
        _resynchronising = true;
        return FramedMessage.FromError(error);
    }

    /// <summary>The length is known, so an oversized body can be skipped exactly without losing sync.</summary>
    private async Task<FramedMessage> SkipOversizedAsync(int headerLength, int contentLength, CancellationToken cancellationToken)
    {
        _start += headerLength;
        long remaining = contentLength;
        while (remaining > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken)) break;
            int take = (int)Math.Min(remaining, _end - _start);
            _start += take;
            remaining -= take;
        }
        return FramedMessage.FromError($"message of {contentLength} bytes exceeds the {_maxMessageBytes} byte limit; skipped");
    }

    /// <summary>Drops bytes up to the next "Content-Length" (any casing); keeps a possible partial match buffered.</summary>
    private bool SkipToNextContentLengthHeader()
    {
        int found = IndexOfIgnoreAsciiCase(ContentLengthName, _start, _end);
        if (found >= 0)
        {
            _start = found;
            _resynchronising = false;
            return true;
        }
        _start = Math.Max(_start, _end - (ContentLengthName.Length - 1));
        return false;
    }

    private FramedMessage? TrailingDataError()
    {
        bool onlyWhitespace = _buffer.AsSpan(_start, _end - _start).Trim("\r\n\t "u8).IsEmpty;
        int had = _end - _start;
        _start = _end;
        return onlyWhitespace ? null : FramedMessage.FromError($"stream ended inside a message header ({had} bytes)");
    }

    /// <summary>Reads more bytes into the buffer; false at end of stream.</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_endOfStream) return false;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);

        int read = await _input.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            _endOfStream = true;
            return false;
        }
        _end += read;
        return true;
    }

    private int IndexOf(byte[] pattern, int from, int to)
    {
        int index = _buffer.AsSpan(from, to - from).IndexOf(pattern);
        return index < 0 ? -1 : from + index;
    }

    private int IndexOfIgnoreAsciiCase(byte[] lowerCasePattern, int from, int to)
    {
        for (int i = from; i + lowerCasePattern.Length <= to; i++)
        {
            int j = 0;
            while (j < lowerCasePattern.Length && ToLowerAscii(_buffer[i + j]) == lowerCasePattern[j]) j++;
            if (j == lowerCasePattern.Length) return i;
        }
        return -1;
    }

    private static byte ToLowerAscii(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
