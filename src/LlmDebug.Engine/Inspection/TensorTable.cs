using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.Engine.Inspection;

/// <summary>Small tensors as text tables for the CLI: a 2-D slice with labelled rows and columns.</summary>
public static class TensorTable
{
    /// <summary>Tables show at most this many rows and columns (the rest is elided with "…").</summary>
    public const int MaxRows = 32, MaxColumns = 16;

    public static string Matrix(Tensor matrix, Func<long, string> rowLabel, Func<long, string> columnLabel, int decimals = 2)
    {
        using var scope = NewDisposeScope();
        long shownRows = Math.Min(matrix.shape[0], MaxRows), shownCols = Math.Min(matrix.shape[1], MaxColumns);
        bool moreRows = shownRows < matrix.shape[0], moreCols = shownCols < matrix.shape[1];
        var m = matrix.narrow(0, 0, shownRows).narrow(1, 0, shownCols).to_type(ScalarType.Float64).contiguous();
        long rows = shownRows, cols = shownCols;
        var values = m.data<double>().ToArray();
        var rowNames = Enumerable.Range(0, (int)rows).Select(r => rowLabel(r)).ToArray();
        var colNames = Enumerable.Range(0, (int)cols).Select(c => columnLabel(c)).ToArray();
        int labelWidth = Math.Min(24, rowNames.Max(s => s.Length));
        int cellWidth = Math.Max(decimals + 4, Math.Min(10, colNames.Max(s => s.Length)));
        var text = new StringBuilder();
        text.Append(new string(' ', labelWidth + 1));
        foreach (var c in colNames) text.Append(' ').Append(Fit(c, cellWidth).PadLeft(cellWidth));
        if (moreCols) text.Append($"  … {matrix.shape[1] - cols} more columns");
        text.Append('\n');
        for (int r = 0; r < rows; r++)
        {
            text.Append(Fit(rowNames[r], labelWidth).PadRight(labelWidth)).Append(' ');
            for (int c = 0; c < cols; c++)
                text.Append(' ').Append(values[r * cols + c].ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture).PadLeft(cellWidth));
            if (moreCols) text.Append("  …");
            text.Append('\n');
        }
        if (moreRows) text.Append($"… {matrix.shape[0] - rows} more rows\n");
        return text.ToString();
    }

    static string Fit(string s, int width) => s.Length <= width ? s : s[..(width - 1)] + "…";
}
