using System.Text.Json.Serialization;
using LlmDebug.DebugAdapter.Protocol;
using LlmDebug.Engine.Runtime;

namespace LlmDebug.DebugAdapter.Session;

/// <summary>The <c>launch</c> request's arguments for <c>"type": "llm"</c> (the extension's package.json mirrors these).</summary>
public sealed class LlmLaunchArguments : LaunchRequestArguments
{
    /// <summary>Model folder (Hugging Face format). Relative paths resolve against <see cref="Cwd"/> or the adapter's working directory.</summary>
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("prompt")] public string? Prompt { get; set; }
    /// <summary>An experiment file (<c>*.llmdebug</c>) to debug: its model, prompt, settings, breaks, watches and interventions. Explicit launch attributes override the file's settings.</summary>
    [JsonPropertyName("program")] public string? Program { get; set; }
    /// <summary>Which of the experiment's prompts to debug (0-based; default the first).</summary>
    [JsonPropertyName("promptIndex")] public int? PromptIndex { get; set; }
    [JsonPropertyName("maxNewTokens")] public int? MaxNewTokens { get; set; }
    [JsonPropertyName("temperature")] public double? Temperature { get; set; }
    [JsonPropertyName("topK")] public int? TopK { get; set; }
    [JsonPropertyName("seed")] public int? Seed { get; set; }
    [JsonPropertyName("stopOnEntry")] public bool? StopOnEntry { get; set; }
    /// <summary>Hook-name filter of activations kept for inspection, e.g. <c>blocks.*.attn.hook_pattern</c>; default all.</summary>
    [JsonPropertyName("capture")] public string? Capture { get; set; }
    /// <summary>Where to write the forward listing (a <c>.llmlisting</c> file); default a per-model temp folder.</summary>
    [JsonPropertyName("listing")] public string? Listing { get; set; }
    [JsonPropertyName("cwd")] public string? Cwd { get; set; }
    /// <summary>libtorch threads for this session (default: 1 for models narrower than d_model 256, else every core).</summary>
    [JsonPropertyName("threads")] public int? Threads { get; set; }

    public LaunchOptions ToLaunchOptions() => new()
    {
        Prompt = Prompt ?? "",
        MaxNewTokens = MaxNewTokens ?? 3,
        Temperature = Temperature ?? 0,
        TopK = TopK ?? 0,
        Seed = Seed ?? 0,
        StopOnEntry = StopOnEntry ?? false,
        Capture = Capture,
    };
}
