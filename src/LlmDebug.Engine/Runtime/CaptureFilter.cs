using System.Text.RegularExpressions;
using LlmDebug.Engine.Hooks;

namespace LlmDebug.Engine.Runtime;

/// <summary>
/// Which hook points keep their activations for the rest of the token step (for watches, the Variables pane and
/// the webview). Patterns are comma-separated hook names with <c>*</c> wildcards, e.g.
/// <c>blocks.*.attn.hook_pattern, hook_resid_post</c>; a pattern without "blocks." also matches inside every block.
/// The hook execution is stopped at is always available, captured or not.
/// </summary>
public sealed class CaptureFilter
{
    public static readonly CaptureFilter All = new(null);
    private readonly Regex[]? _patterns;
    public string Description { get; }

    public CaptureFilter(string? spec)
    {
        spec = spec?.Trim();
        if (string.IsNullOrEmpty(spec) || spec is "*" or "all") { Description = "all hook points"; return; }
        if (spec is "none") { _patterns = []; Description = "none"; return; }
        Description = spec;
        _patterns = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => new Regex("^(blocks\\.\\d+\\.)?" + Regex.Escape(p).Replace("\\*", "[^ ]*") + "$", RegexOptions.CultureInvariant))
            .ToArray();
    }

    public bool Captures(HookPoint hook) => _patterns is null || _patterns.Any(r => r.IsMatch(hook.Name));
}
