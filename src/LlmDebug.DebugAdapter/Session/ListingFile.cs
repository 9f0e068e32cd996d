using System.Security.Cryptography;
using System.Text;
using LlmDebug.Engine.Listing;

namespace LlmDebug.DebugAdapter.Session;

/// <summary>
/// Puts the forward listing on disk so editors can open it, keep breakpoints on it across sessions and highlight
/// the current line. Never writes inside the model folder; rewrites only when the text changed.
/// </summary>
public static class ListingFile
{
    public static string Write(ForwardListing listing, string modelFolder, string? requestedPath)
    {
        string path = requestedPath is { Length: > 0 }
            ? Path.GetFullPath(requestedPath)
            : Path.Combine(Path.GetTempPath(), "llmdebug", ShortHash(modelFolder), listing.DefaultFileName);
        string folder = Path.GetFullPath(modelFolder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (path.StartsWith(folder, StringComparison.Ordinal))
            throw new IOException($"refusing to write the listing inside the model folder ({path}); choose another 'listing' path");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path) || File.ReadAllText(path) != listing.Text)
            File.WriteAllText(path, listing.Text);
        return path;
    }

    static string ShortHash(string s) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(s))))[..12].ToLowerInvariant();
}
