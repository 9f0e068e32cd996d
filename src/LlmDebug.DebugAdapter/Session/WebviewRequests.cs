using System.Runtime.InteropServices;
using LlmDebug.DebugAdapter.Transport;
using LlmDebug.Engine.Expressions;
using LlmDebug.Engine.Inspection;
using LlmDebug.Engine.Runtime;
using LlmDebug.Engine.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDebug.DebugAdapter.Session;

/// <summary>
/// Custom DAP requests for the VS Code companion webview (attention views, heatmaps, prediction). Every answer is
/// small and compact: one layer/head or one (windowed, downsampled) tensor at a time, numbers as base64
/// little-endian float32, axis labels as plain token text rendered like the Variables pane (the webview inserts
/// them as text). Only valid while stopped, like variables.
/// Requests: <c>llm/modelInfo</c>, <c>llm/attention</c>, <c>llm/tensor</c>, <c>llm/prediction</c>.
/// </summary>
public sealed class WebviewRequests(Func<DebugRuntime?> runtime)
{
    public const int MaxCells = 1 << 21; // 2M floats (8 MiB) per answer, whatever the client asks

    public void Register(DapServer server)
    {
        server.On<ModelInfoArguments>("llm/modelInfo", (_, _) => Task.FromResult<object?>(ModelInfo()));
        server.On<AttentionArguments>("llm/attention", (a, _) => Task.FromResult<object?>(Attention(a)));
        server.On<TensorArguments>("llm/tensor", (a, _) => Task.FromResult<object?>(TensorWindow(a)));
        server.On<PredictionArguments>("llm/prediction", (a, _) => Task.FromResult<object?>(PredictionOf(a)));
    }

    public sealed class ModelInfoArguments { }

    public sealed class AttentionArguments
    {
        public int Layer { get; set; }
        public int Head { get; set; }
        /// <summary>When set, the matrix is max-pooled down to at most this many rows and columns (model-view thumbnails).</summary>
        public int? Thumbnail { get; set; }
    }

    public sealed class TensorArguments
    {
        public string Expression { get; set; } = "";
        /// <summary>Stack frame whose block relative names resolve in (as for evaluate).</summary>
        public int? FrameId { get; set; }
        public int? MaxRows { get; set; }
        public int? MaxCols { get; set; }
        /// <summary>First row/column of the window (in the tensor's 2-D view); the window is then binned to fit the maxima.</summary>
        public int? RowStart { get; set; }
        public int? ColStart { get; set; }
        public int? Rows { get; set; }
        public int? Cols { get; set; }
    }

    public sealed class PredictionArguments
    {
        public int? K { get; set; }
    }

    /// <summary>A 2-D block of numbers: <c>data</c> is rows×cols float32 row-major, base64 of little-endian bytes.</summary>
    public sealed class Matrix
    {
        public int Rows { get; set; }
        public int Cols { get; set; }
        public string Data { get; set; } = "";
        public List<string> RowLabels { get; set; } = [];
        public List<string> ColLabels { get; set; } = [];
        public double? Min { get; set; }
        public double? Max { get; set; }
    }

    object ModelInfo()
    {
        var rt = runtime();
        if (rt is null) return new { loaded = false };
        var c = rt.Model.Config;
        var stop = rt.CurrentStop;
        var tok = rt.Model.Tokenizer;
        object? stopInfo = null;
        if (stop is not null)
        {
            var loc = stop.Location;
            var available = new List<int>();
            for (int l = 0; l < c.Layers; l++)
                if (stop.TryResolve($"blocks.{l}.attn.hook_pattern", null, out _, out _)) available.Add(l);
            stopInfo = new
            {
                step = stop.Step,
                location = loc.Name,
                layer = stop.Layer,
                hook = loc.Hook?.Name,
                shape = loc.Hook?.Shape,
                line = rt.Listing.LineOf(loc),
                reason = stop.Reason.ToString().ToLowerInvariant(),
                tokens = stop.Tokens.Select(id => TokenDisplay.Render(tok, id)).ToList(),
                promptLength = stop.PromptLength,
                inputStart = stop.InputStart,
                inputLength = stop.InputLength,
                attentionLayers = available,
                hasLogits = stop.TryResolve("logits", null, out _, out _),
            };
        }
        return new
        {
            loaded = true,
            name = c.Name, family = c.Family, layers = c.Layers, heads = c.Heads, dModel = c.DModel, dMlp = c.DMlp,
            contextLength = c.ContextLength, vocabSize = c.VocabSize,
            stopped = stop is not null,
            stop = stopInfo,
        };
    }

    Matrix Attention(AttentionArguments a)
    {
        var (rt, stop) = Stopped();
        var c = rt.Model.Config;
        if (a.Layer < 0 || a.Layer >= c.Layers) throw new RequestException($"no layer {a.Layer}: this model has layers 0…{c.Layers - 1}");
        if (a.Head < 0 || a.Head >= c.Heads) throw new RequestException($"no head {a.Head}: this model has heads 0…{c.Heads - 1}");
        string name = $"blocks.{a.Layer}.attn.hook_pattern";
        if (!stop.TryResolve(name, null, out var pattern, out var error)) throw new RequestException(error!);
        using var scope = NewDisposeScope();
        var m = pattern![a.Head].to_type(ScalarType.Float32); // [query, key]
        var tok = rt.Model.Tokenizer;
        var rowLabels = Enumerable.Range(stop.InputStart, (int)m.shape[0]).Select(p => Label(tok, stop, p)).ToList();
        var colLabels = Enumerable.Range(0, (int)m.shape[1]).Select(p => Label(tok, stop, p)).ToList();
        if (a.Thumbnail is int n && n > 0 && (m.shape[0] > n || m.shape[1] > n))
        {
            var (pooled, rowBins, colBins) = Pool(m, Math.Min(n, (int)m.shape[0]), Math.Min(n, (int)m.shape[1]), max: true);
            m = pooled;
            rowLabels = BinLabels(rowLabels, rowBins);
            colLabels = BinLabels(colLabels, colBins);
        }
        return ToMatrix(m, rowLabels, colLabels);
    }

    object TensorWindow(TensorArguments a)
    {
        var (rt, stop) = Stopped();
        if (string.IsNullOrWhiteSpace(a.Expression)) throw new RequestException("llm/tensor needs 'expression' (a hook name or an expression)");
        int? layer = StopPresenter.LayerOfFrame(stop, a.FrameId);
        ExpressionValue value;
        try { value = Expression.Evaluate(a.Expression, new StopExpressionContext(stop, layer)); }
        catch (ExpressionException e) { throw new RequestException(e.Message); }
        using (value)
        using (var scope = NewDisposeScope())
        {
            if (value.Kind != ExpressionValueKind.Tensor) throw new RequestException($"'{a.Expression}' is not a tensor ({value.Kind.ToString().ToLowerInvariant()}: {value.Format()})");
            var t = value.Tensor;
            var shape = t.shape.ToArray();
            var axes = AxesOf(rt, stop, a.Expression, layer);
            // the 2-D view: rows = first dimension, columns = all others flattened ([seq, heads, d_head] → positions × channels)
            Tensor m = t.dim() switch
            {
                0 => t.reshape(1, 1),
                1 => t.reshape(1, -1),
                2 => t,
                _ => t.reshape(t.shape[0], -1),
            };
            m = m.to_type(ScalarType.Float32);
            long totalRows = m.shape[0], totalCols = m.shape[1];
            int r0 = Math.Clamp(a.RowStart ?? 0, 0, (int)Math.Max(0, totalRows - 1));
            int c0 = Math.Clamp(a.ColStart ?? 0, 0, (int)Math.Max(0, totalCols - 1));
            int rows = (int)Math.Min(totalRows - r0, a.Rows is > 0 ? a.Rows.Value : totalRows);
            int cols = (int)Math.Min(totalCols - c0, a.Cols is > 0 ? a.Cols.Value : totalCols);
            var window = m.narrow(0, r0, rows).narrow(1, c0, cols);
            int maxRows = Math.Clamp(a.MaxRows ?? 256, 1, 4096), maxCols = Math.Clamp(a.MaxCols ?? 512, 1, 4096);
            while ((long)Math.Min(maxRows, rows) * Math.Min(maxCols, cols) > MaxCells) { maxRows = Math.Max(1, maxRows / 2); maxCols = Math.Max(1, maxCols / 2); }
            var rowLabels = Enumerable.Range(r0, rows).Select(i => t.dim() <= 1 ? "" : axes?.Label(0, i) ?? $"{i}").ToList();
            var colLabels = Enumerable.Range(c0, cols).Select(i => ColumnLabel(t, axes, i)).ToList();
            int rowBin = 1, colBin = 1;
            if (rows > maxRows || cols > maxCols)
            {
                var (pooled, rb, cb) = Pool(window, Math.Min(rows, maxRows), Math.Min(cols, maxCols), max: false);
                window = pooled; rowBin = rb; colBin = cb;
                rowLabels = BinLabels(rowLabels, rb);
                colLabels = BinLabels(colLabels, cb);
            }
            var matrix = ToMatrix(window, rowLabels, colLabels);
            var (min, max) = FiniteRange(t);
            return new
            {
                expression = a.Expression,
                shape,
                summary = TensorSummary.Format(t),
                dims = axes?.Names,
                totalRows, totalCols, rowStart = r0, colStart = c0, rowBin, colBin,
                matrix.Rows, matrix.Cols, matrix.Data, matrix.RowLabels, matrix.ColLabels,
                min, max,
            };
        }
    }

    object PredictionOf(PredictionArguments a)
    {
        var (rt, stop) = Stopped();
        if (!stop.TryResolve("logits", null, out var logits, out _))
            return new { available = false, reason = $"the next token is predicted at the 'logits' line (line {rt.Listing.LineOf(rt.Plan.Last)}); step there to see it", step = stop.Step, items = Array.Empty<object>() };
        using var scope = NewDisposeScope();
        var top = Prediction.TopK(logits![-1], rt.Model.Tokenizer, Math.Clamp(a.K ?? 10, 1, 100));
        return new
        {
            available = true,
            step = stop.Step,
            position = stop.Tokens.Count - 1,
            items = top.Select(p => new { text = p.Display, id = p.Id, probability = p.Probability, logit = p.Logit }).ToList(),
        };
    }

    (DebugRuntime, StopInfo) Stopped()
    {
        var rt = runtime() ?? throw new RequestException("no model is loaded");
        var stop = rt.CurrentStop ?? throw RequestException.NotStopped("the model is running; the webview updates at the next stop");
        return (rt, stop);
    }

    /// <summary>
    /// Axis names for a hook name (full or relative) or a hook indexed with integers, e.g. <c>blocks.3.attn.hook_pattern[1]</c>
    /// (a head's [query, key] matrix: the indexed leading dimensions are dropped). Other expressions get none.
    /// </summary>
    static TensorAxes? AxesOf(DebugRuntime rt, StopInfo stop, string expression, int? layer)
    {
        var m = System.Text.RegularExpressions.Regex.Match(expression.Trim(), @"^([A-Za-z_][\w.]*)\s*(?:\[\s*(\d+(?:\s*,\s*\d+)*)\s*\])?$");
        if (!m.Success) return null;
        string name = m.Groups[1].Value;
        var hook = rt.Plan.Layout.Find(name) ?? (layer is int l ? rt.Plan.Layout.Find($"blocks.{l}.{name}") : null);
        if (hook is null) return null;
        var axes = TensorAxes.For(hook.Shape, stop, rt.Model.Tokenizer);
        int indexed = m.Groups[2].Success ? m.Groups[2].Value.Split(',').Length : 0;
        return indexed == 0 ? axes : new TensorAxes(axes.Names.Skip(indexed).ToList(), stop, rt.Model.Tokenizer);
    }

    static string Label(TextTokenizer tok, StopInfo stop, int position) =>
        position >= 0 && position < stop.Tokens.Count ? TokenDisplay.Render(tok, stop.Tokens[position]) : $"@{position}";

    static string ColumnLabel(Tensor t, TensorAxes? axes, long flat)
    {
        if (t.dim() <= 1) return axes?.Label(0, flat) ?? $"{flat}";
        if (t.dim() == 2) return axes?.Label(1, flat) ?? $"{flat}";
        // flattened trailing dims: "h3·17" style multi-index
        var idx = new List<long>();
        long rest = flat;
        for (int d = (int)t.dim() - 1; d >= 1; d--) { idx.Insert(0, rest % t.shape[d]); rest /= t.shape[d]; }
        return string.Join("·", idx);
    }

    /// <summary>Bins a 2-D tensor down to at most rows×cols cells (mean, or max for sparse attention thumbnails).</summary>
    static (Tensor, int rowBin, int colBin) Pool(Tensor m, int rows, int cols, bool max)
    {
        int rb = (int)Math.Ceiling(m.shape[0] / (double)rows), cb = (int)Math.Ceiling(m.shape[1] / (double)cols);
        long padR = rb * (long)Math.Ceiling(m.shape[0] / (double)rb) - m.shape[0];
        long padC = cb * (long)Math.Ceiling(m.shape[1] / (double)cb) - m.shape[1];
        var x = m.unsqueeze(0).unsqueeze(0);
        Tensor pooled;
        if (max)
        {
            if (padR > 0 || padC > 0) x = nn.functional.pad(x, [0, padC, 0, padR], PaddingModes.Constant, float.NegativeInfinity);
            pooled = nn.functional.max_pool2d(x, [rb, cb], [rb, cb]);
        }
        else
        {
            if (padR > 0 || padC > 0) x = nn.functional.pad(x, [0, padC, 0, padR], PaddingModes.Replicate);
            pooled = nn.functional.avg_pool2d(x, [rb, cb], [rb, cb]);
        }
        return (pooled.squeeze(0).squeeze(0), rb, cb);
    }

    static List<string> BinLabels(List<string> labels, int bin) =>
        bin <= 1 ? labels : labels.Chunk(bin).Select(g => g.Length == 1 ? g[0] : $"{g[0]} … {g[^1]}").ToList();

    static Matrix ToMatrix(Tensor m, List<string> rowLabels, List<string> colLabels)
    {
        var values = m.contiguous().to_type(ScalarType.Float32).cpu().data<float>().ToArray();
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < bytes.Length; i += 4) Array.Reverse(bytes, i, 4);
        var (min, max) = FiniteRange(m);
        return new Matrix { Rows = (int)m.shape[0], Cols = (int)m.shape[1], Data = Convert.ToBase64String(bytes), RowLabels = rowLabels, ColLabels = colLabels, Min = min, Max = max };
    }

    static (double? min, double? max) FiniteRange(Tensor t)
    {
        using var scope = NewDisposeScope();
        var x = t.to_type(ScalarType.Float64);
        var finite = x.masked_select(x.isfinite());
        if (finite.numel() == 0) return (null, null);
        return (finite.min().item<double>(), finite.max().item<double>());
    }
}
