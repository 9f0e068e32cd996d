using System.Text.Json;

namespace LlmDebug.Engine.Loading;

/// <summary>
/// Thin typed reads over a model's config.json. Families name the same field differently
/// (n_embd / hidden_size), so every read takes aliases; errors name the file and every name tried.
/// </summary>
public sealed class ConfigJson
{
    public const string FileName = "config.json";

    private readonly JsonElement _root;

    public string FilePath { get; }

    private ConfigJson(string filePath, JsonElement root)
    {
        FilePath = filePath;
        _root = root;
    }

    public static ConfigJson FromFolder(string folder) => Load(Path.Combine(folder, FileName));

    public static ConfigJson Load(string filePath)
    {
        string fullPath = Path.GetFullPath(filePath);
        if (!File.Exists(fullPath))
            throw new ModelLoadException(fullPath, "config file not found.");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(fullPath));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException(fullPath, $"expected a JSON object, found {document.RootElement.ValueKind}.");
            return new ConfigJson(fullPath, document.RootElement.Clone());
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException(fullPath, $"malformed JSON: {ex.Message}", inner: ex);
        }
    }

    public bool Has(string name, params string[] aliases) => Find(name, aliases) is not null;

    public int RequireInt(string name, params string[] aliases) =>
        OptionalInt(name, aliases) ?? throw Missing("integer", name, aliases);

    public int? OptionalInt(string name, params string[] aliases) =>
        Read<int>(name, aliases, "an integer", e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v : null);

    public long RequireLong(string name, params string[] aliases) =>
        OptionalLong(name, aliases) ?? throw Missing("integer", name, aliases);

    public long? OptionalLong(string name, params string[] aliases) =>
        Read<long>(name, aliases, "an integer", e => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) ? v : null);

    public double RequireDouble(string name, params string[] aliases) =>
        OptionalDouble(name, aliases) ?? throw Missing("number", name, aliases);

    public double? OptionalDouble(string name, params string[] aliases) =>
        Read(name, aliases, "a number", e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : (double?)null);

    public string RequireString(string name, params string[] aliases) =>
        OptionalString(name, aliases) ?? throw Missing("string", name, aliases);

    public string? OptionalString(string name, params string[] aliases) =>
        ReadRef(name, aliases, "a string", e => e.ValueKind == JsonValueKind.String ? e.GetString() : null);

    public bool? OptionalBool(string name, params string[] aliases) =>
        Read(name, aliases, "true or false", e => e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : (bool?)null);

    private T? Read<T>(string name, string[] aliases, string expected, Func<JsonElement, T?> convert) where T : struct
    {
        if (Find(name, aliases) is not var (field, element))
            return null;
        return convert(element) ?? throw WrongType(field, expected, element);
    }

    private T? ReadRef<T>(string name, string[] aliases, string expected, Func<JsonElement, T?> convert) where T : class
    {
        if (Find(name, aliases) is not var (field, element))
            return null;
        return convert(element) ?? throw WrongType(field, expected, element);
    }

    // The first of name/aliases present (JSON null counts as absent, as Hugging Face writes nulls for unset fields).
    private (string Field, JsonElement Value)? Find(string name, string[] aliases)
    {
        foreach (string candidate in aliases.Prepend(name))
            if (_root.TryGetProperty(candidate, out var value) && value.ValueKind != JsonValueKind.Null)
                return (candidate, value);
        return null;
    }

    private ModelLoadException Missing(string kind, string name, string[] aliases)
    {
        string tried = aliases.Length == 0
            ? $"\"{name}\""
            : $"\"{name}\" (or {string.Join(", ", aliases.Select(a => $"\"{a}\""))})";
        return new ModelLoadException(FilePath, $"missing required {kind} field {tried}.");
    }

    private ModelLoadException WrongType(string field, string expected, JsonElement actual) =>
        new(FilePath, $"field \"{field}\" should be {expected}, found {actual.ValueKind} {actual.GetRawText()}.");
}
