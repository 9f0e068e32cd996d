using System.Security.Cryptography;
using System.Text;

namespace LlmDebug.Engine.Listing;

/// <summary>
/// Where a model's forward listing lives on disk by default, so the debug adapter and the language server agree:
/// the adapter binds breakpoints to it, the language server navigates to it (go to definition from a hook name).
/// Never inside the model folder; rewritten only when the text changed.
/// </summary>
public static class ListingFiles
{
    public static string DefaultPath(string modelFolder, ForwardListing listing) =>
        Path.Combine(Path.GetTempPath(), "llmdebug", ShortHash(modelFolder), listing.DefaultFileName);

    public static string Write(ForwardListing listing, string modelFolder, string? requestedPath)
    {
        string path = requestedPath is { Length: > 0 } ? Path.GetFullPath(requestedPath) : DefaultPath(modelFolder, listing);
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
