using System.Text;

namespace LlmDebug.Engine.Tests.Loading;

/// <summary>Hand-built safetensors files, for headers our writer would never produce.</summary>
internal static class RawSafetensors
{
    public static void Write(string path, string headerJson, byte[] data, ulong? claimedHeaderLength = null)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        using var stream = File.Create(path);
        stream.Write(BitConverter.GetBytes(claimedHeaderLength ?? (ulong)header.Length));
        stream.Write(header);
        stream.Write(data);
    }
}
