using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmDebug.DebugAdapter.Protocol;

/// <summary>The one set of serializer options used for every DAP message in and out.</summary>
public static class DapJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            // Clients are not always exact about casing; be lenient when reading.
            PropertyNameCaseInsensitive = true,
            // Generated types carry explicit names; this covers adapter-defined types (e.g. custom launch arguments).
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            // Optional DAP fields are nullable and must be absent rather than null.
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            // Token text is full of non-ASCII; send it as real UTF-8 instead of \u escapes (this is not HTML).
            // Characters outside the BMP (emoji) are still \u-escaped by this encoder, which is valid JSON.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static byte[] SerializeToUtf8(object value) => JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), Options);

    public static T? Deserialize<T>(JsonElement element) => element.Deserialize<T>(Options);
}
