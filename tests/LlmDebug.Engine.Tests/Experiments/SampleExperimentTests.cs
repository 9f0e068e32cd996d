using LlmDebug.Engine.Experiments;
using LlmDebug.Engine.Loading;

namespace LlmDebug.Engine.Tests.Experiments;

/// <summary>The experiment a new user opens first must check clean and pass on the sample model it names.</summary>
public class SampleExperimentTests
{
    static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LlmDebugAdapter.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void The_sample_experiment_has_no_diagnostics_and_its_expectations_pass_on_the_sample_model()
    {
        var file = ExperimentFile.Load(Path.Combine(RepoRoot(), "samples", "experiments", "formulas.llmdebug"));
        var diagnostics = file.Check(out _);
        Assert.Empty(diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.Message));
        using var model = ModelLoader.Load(file.ModelFolder!);
        var report = ExperimentRunner.Run(file.Document, model);
        Assert.Equal(2, report.Prompts.Count);
        Assert.True(report.Prompts.Sum(p => p.Expectations.Count) >= 4, "the sample checks at least four expectations");
        Assert.Empty(report.Failures.Select(f => f.ToString()));
        Assert.True(report.Passed);
    }
}
