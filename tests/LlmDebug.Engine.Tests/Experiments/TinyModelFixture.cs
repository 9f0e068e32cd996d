using LlmDebug.Engine.Experiments;
using LlmDebug.Engine.Loading;
using LlmDebug.Engine.Models.Gpt2;
using LlmDebug.Engine.Runtime;

namespace LlmDebug.Engine.Tests.Experiments;

/// <summary>A random 2-layer, 4-head GPT-2 (d_model 32, context 32, GPT-2 tokenizer) written once per test class.</summary>
public sealed class TinyModelFixture : IDisposable
{
    public TempFolder Temp { get; } = new();
    public string Folder => Temp.File("tiny");
    public ModelFacts Facts { get; }
    public LoadedModel Model { get; }

    public TinyModelFixture()
    {
        Gpt2FolderWriter.WriteRandom(Folder, layers: 2, heads: 4, dModel: 32, context: 32, seed: 7);
        Facts = ModelFacts.Load(Folder);
        Model = ModelLoader.Load(Folder);
    }

    /// <summary>Parses <paramref name="body"/> under a 'model' line pointing at the tiny model.</summary>
    public ExperimentDocument Parse(string body) => ExperimentParser.Parse($"model {Folder}\n{body}");

    public List<ExperimentDiagnostic> Check(string body) => ExperimentChecker.Check(Parse(body), Facts, null);

    public void Dispose()
    {
        Model.Dispose();
        Temp.Dispose();
    }
}
