using LlmDebug.Engine.Loading;

namespace LlmDebug.Engine.Tests.Loading;

public class ConfigJsonTests
{
    private static ConfigJson Write(TempFolder folder, string json)
    {
        File.WriteAllText(folder.File("config.json"), json);
        return ConfigJson.FromFolder(folder.Path);
    }

    [Fact]
    public void Reads_fields_by_name_or_alias()
    {
        using var folder = new TempFolder();
        var config = Write(folder, """{"n_embd": 768, "layer_norm_epsilon": 1e-5, "model_type": "gpt2", "tie_word_embeddings": true, "bos_token_id": null}""");

        Assert.Equal(768, config.RequireInt("hidden_size", "n_embd"));
        Assert.Equal(1e-5, config.OptionalDouble("layer_norm_eps", "layer_norm_epsilon"));
        Assert.Equal("gpt2", config.RequireString("model_type"));
        Assert.True(config.OptionalBool("tie_word_embeddings"));
        Assert.Null(config.OptionalInt("bos_token_id")); // JSON null counts as absent
        Assert.Null(config.OptionalDouble("rope_theta"));
    }

    [Fact]
    public void Missing_required_field_names_file_and_every_alias()
    {
        using var folder = new TempFolder();
        var config = Write(folder, """{"n_embd": 768}""");

        var error = Assert.Throws<ModelLoadException>(() => config.RequireInt("num_hidden_layers", "n_layer"));

        Assert.Contains("config.json", error.Message);
        Assert.Contains("\"num_hidden_layers\"", error.Message);
        Assert.Contains("\"n_layer\"", error.Message);
    }

    [Fact]
    public void Wrong_type_names_field_and_value()
    {
        using var folder = new TempFolder();
        var config = Write(folder, """{"n_head": "twelve"}""");

        var error = Assert.Throws<ModelLoadException>(() => config.RequireInt("num_attention_heads", "n_head"));

        Assert.Contains("config.json", error.Message);
        Assert.Contains("\"n_head\"", error.Message);
        Assert.Contains("integer", error.Message);
        Assert.Contains("twelve", error.Message);
    }

    [Fact]
    public void Malformed_or_missing_config_names_the_file()
    {
        using var folder = new TempFolder();
        Assert.Contains("config.json", Assert.Throws<ModelLoadException>(() => ConfigJson.FromFolder(folder.Path)).Message);
        File.WriteAllText(folder.File("config.json"), "{ not json");
        var error = Assert.Throws<ModelLoadException>(() => ConfigJson.FromFolder(folder.Path));
        Assert.Contains("malformed JSON", error.Message);
    }
}
