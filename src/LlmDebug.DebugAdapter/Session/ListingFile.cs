using LlmDebug.Engine.Listing;

namespace LlmDebug.DebugAdapter.Session;

/// <summary>
/// Puts the forward listing on disk so editors can open it, keep breakpoints on it across sessions and highlight
/// the current line. The default path is shared with the language server (<see cref="ListingFiles"/>).
/// </summary>
public static class ListingFile
{
    public static string Write(ForwardListing listing, string modelFolder, string? requestedPath) =>
        ListingFiles.Write(listing, modelFolder, requestedPath);
}
