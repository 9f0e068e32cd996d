using System.Globalization;
using LlmDebug.Engine.Expressions;
using LlmDebug.Engine.Inspection;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Tokenization;
using TorchSharp;

namespace LlmDebug.Cli.Commands;

/// <summary>Readable stops: where, which token step, the printed values (small slices as labelled tables).</summary>
sealed class TextStopPrinter(DebugRuntime runtime) : IStopPrinter
{
    private int _stops;
    private TextTokenizer Tokenizer => runtime.Model.Tokenizer;

    public void Start()
    {
        var c = runtime.Model.Config;
        Console.WriteLine($"model   {c.Name} ({c.Family}, {c.Layers} layers, {c.Heads} heads, d_model {c.DModel}, weights {c.StoredDType})");
        Console.WriteLine($"prompt  {runtime.PromptTokenIds.Count} token(s): {string.Join(" ", runtime.PromptTokenIds.Select(Quoted))}");
    }

    public void Stop(StopInfo stop)
    {
        _stops++;
        string input = stop.Step == 0 ? $"prompt, seq {stop.InputLength}" : $"token {Quoted(stop.Tokens[stop.InputStart])} @{stop.InputStart}, seq 1";
        Console.WriteLine();
        Console.WriteLine($"■ stop {_stops}: {stop.Reason.ToString().ToLowerInvariant()} at {stop.Location.Name} (listing line {runtime.Listing.LineOf(stop.Location)}) · token step {stop.Step} ({input})");
        if (stop.Description is not null) Console.WriteLine($"  {stop.Description}");
        if (Prediction.AtStop(stop, runtime.Model, 5) is { } p)
            Console.WriteLine($"  {p.Source}: " + string.Join("  ", p.Top.Select(c => $"{Quote(c.Display)} {Percent(c.Probability)}")));
    }

    static string Percent(double p) => p.ToString("P1", CultureInfo.InvariantCulture);

    public void Value(string expression, ExpressionValue value, StopInfo stop)
    {
        Console.WriteLine($"  {expression} = {ValueText.Format(expression, value, Tokenizer)}");
        if (value.Kind == ExpressionValueKind.Tensor) PrintSlices(expression, value.Tensor, stop);
    }

    /// <summary>Most 2-D slices printed for one value (e.g. the heads of an attention pattern); tables elide the rest.</summary>
    const int MaxSlices = 16;

    /// <summary>Prints a small value as labelled tables: a row for 1-D, a table for 2-D, one table per slice for 3-D.</summary>
    void PrintSlices(string expression, torch.Tensor t, StopInfo stop)
    {
        if (t.dim() < 1 || t.dim() > 3) return;
        var hook = runtime.Plan.Layout.Find(expression) ?? (stop.Layer is int l ? runtime.Plan.Layout.Find($"blocks.{l}.{expression}") : null);
        var axes = TensorAxes.For(hook?.Shape, stop, Tokenizer);
        int rowDim = (int)t.dim() - 2, colDim = (int)t.dim() - 1;
        long slices = t.dim() == 3 ? Math.Min(t.shape[0], MaxSlices) : 1;
        for (long s = 0; s < slices; s++)
        {
            using var slice = t.dim() == 3 ? t[s] : t.dim() == 1 ? t.unsqueeze(0) : t.alias();
            if (t.dim() == 3) Console.WriteLine($"    {axes.Label(0, s)}");
            Func<long, string> rowLabel = t.dim() == 1 ? _ => "" : r => axes.Label(rowDim, r);
            foreach (var line in TensorTable.Matrix(slice, rowLabel, c => axes.Label(colDim, c).Split(" @")[0]).Split('\n'))
                if (line.Length > 0) Console.WriteLine("      " + line);
        }
        if (t.dim() == 3 && t.shape[0] > MaxSlices) Console.WriteLine($"    … {t.shape[0] - MaxSlices} more");
    }

    public void Error(string expression, string message) => Console.WriteLine($"  {expression}: error: {message}");

    public void Token(GeneratedToken token)
    {
        var top = string.Join("  ", token.Candidates.Select(c => $"{Quote(c.Display)} {Percent(c.Probability)}"));
        Console.WriteLine($"→ token step {token.Step} generated {Quote(token.Display)} (id {token.Id}); top-5: {top}");
    }

    public void End(SessionEnd end)
    {
        Console.WriteLine();
        Console.WriteLine($"[{end.Reason}]");
        Console.WriteLine($"text: {end.GeneratedText}");
    }

    string Quoted(int id) => Quote(TokenDisplay.Render(Tokenizer, id));
    static string Quote(string s) => $"\"{s}\"";
}
