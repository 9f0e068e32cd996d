using System.Collections.Concurrent;
using LlmDebug.Engine.Experiments;
using LlmDebug.LanguageServer.Features;
using LlmDebug.LanguageServer.Protocol;
using StreamJsonRpc;

namespace LlmDebug.LanguageServer.Server;

/// <summary>
/// The LSP request handlers. Documents are kept in full-text sync; each change schedules a debounced analysis whose
/// diagnostics are published only if the document has not changed since (no stale squiggles). Requests analyse the
/// current version on demand (parsing is instant; config + tokenizer are cached by <see cref="ModelCache"/>).
/// </summary>
public sealed class LlmLanguageServer : IDisposable
{
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(150);

    private readonly ConcurrentDictionary<string, OpenDocument> _documents = new();
    private readonly ModelCache _models = new();
    private readonly TaskCompletionSource<int> _exit = new();
    private readonly List<string> _roots = [];
    private JsonRpc? _rpc;
    private bool _shutdown;

    /// <summary>Where diagnostics go (the JSON-RPC connection, or a test's list).</summary>
    public Func<PublishDiagnosticsParams, Task> Publish { get; set; }
    public TimeSpan Debounce { get; set; } = DefaultDebounce;
    /// <summary>Completes with the process exit code after the 'exit' notification.</summary>
    public Task<int> Exited => _exit.Task;

    public LlmLanguageServer() => Publish = p => _rpc?.NotifyWithParameterObjectAsync(LspMethods.TextDocumentPublishDiagnostics, p) ?? Task.CompletedTask;

    public void Attach(JsonRpc rpc) => _rpc = rpc;

    sealed class OpenDocument(string text, int version)
    {
        public string Text = text;
        public int Version = version;
        public CancellationTokenSource Pending = new();
        public Task<ExperimentAnalysis>? Analysis;
        public int AnalysisVersion = -1;
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------

    [JsonRpcMethod(LspMethods.Initialize, UseSingleObjectParameterDeserialization = true)]
    public InitializeResult Initialize(InitializeParams p)
    {
        foreach (var f in p.WorkspaceFolders ?? []) if (Lsp.PathOf(f.Uri) is { } path) _roots.Add(path);
        if (_roots.Count == 0 && p.RootUri is { } root && Lsp.PathOf(root) is { } rootPath) _roots.Add(rootPath);
        return new InitializeResult
        {
            ServerInfo = new ServerInfo { Name = "llmdebug-lsp", Version = typeof(LlmLanguageServer).Assembly.GetName().Version?.ToString() },
            Capabilities = new ServerCapabilities
            {
                PositionEncoding = PositionEncodingKind.UTF16,
                TextDocumentSync = new TextDocumentSyncOptions { OpenClose = true, Change = TextDocumentSyncKind.Full },
                CompletionProvider = new CompletionOptions { TriggerCharacters = [".", " ", "\""] },
                HoverProvider = true,
                InlayHintProvider = true,
                DocumentSymbolProvider = true,
                DefinitionProvider = true,
                CodeLensProvider = new CodeLensOptions { ResolveProvider = false },
                CodeActionProvider = new CodeActionOptions { CodeActionKinds = [CodeActionKind.QuickFix] },
            },
        };
    }

    [JsonRpcMethod(LspMethods.Initialized, UseSingleObjectParameterDeserialization = true)]
    public void Initialized(InitializedParams? p) { }

    [JsonRpcMethod(LspMethods.Shutdown)]
    public object? Shutdown() { _shutdown = true; return null; }

    [JsonRpcMethod(LspMethods.Exit)]
    public void Exit() => _exit.TrySetResult(_shutdown ? 0 : 1);

    [JsonRpcMethod(LspMethods.DollarSetTrace, UseSingleObjectParameterDeserialization = true)]
    public void SetTrace(SetTraceParams p) { }

    // ---- document sync -----------------------------------------------------------------------------------

    [JsonRpcMethod(LspMethods.TextDocumentDidOpen, UseSingleObjectParameterDeserialization = true)]
    public void DidOpen(DidOpenTextDocumentParams p)
    {
        var doc = _documents[p.TextDocument.Uri] = new OpenDocument(p.TextDocument.Text, p.TextDocument.Version);
        Schedule(p.TextDocument.Uri, doc, TimeSpan.Zero);
    }

    [JsonRpcMethod(LspMethods.TextDocumentDidChange, UseSingleObjectParameterDeserialization = true)]
    public void DidChange(DidChangeTextDocumentParams p)
    {
        if (!_documents.TryGetValue(p.TextDocument.Uri, out var doc)) return;
        lock (doc)
        {
            foreach (var change in p.ContentChanges)
                if (change.Range is null && change.Text is not null) doc.Text = change.Text;   // full sync
            doc.Version = p.TextDocument.Version;
        }
        Schedule(p.TextDocument.Uri, doc, Debounce);
    }

    [JsonRpcMethod(LspMethods.TextDocumentDidClose, UseSingleObjectParameterDeserialization = true)]
    public void DidClose(DidCloseTextDocumentParams p)
    {
        if (_documents.TryRemove(p.TextDocument.Uri, out var doc)) doc.Pending.Cancel();
        if (Lsp.IsExperiment(p.TextDocument.Uri)) _ = Publish(new PublishDiagnosticsParams { Uri = p.TextDocument.Uri, Diagnostics = [] });
    }

    [JsonRpcMethod(LspMethods.TextDocumentDidSave, UseSingleObjectParameterDeserialization = true)]
    public void DidSave(DidSaveTextDocumentParams p) { }

    void Schedule(string uri, OpenDocument doc, TimeSpan delay)
    {
        if (!Lsp.IsExperiment(uri)) return;
        CancellationTokenSource cts;
        lock (doc)
        {
            doc.Pending.Cancel();
            doc.Pending = cts = new CancellationTokenSource();
        }
        _ = Task.Run(async () =>
        {
            try
            {
                if (delay > TimeSpan.Zero) await Task.Delay(delay, cts.Token);
                var analysis = await AnalyseAsync(uri);
                if (analysis is null || cts.IsCancellationRequested) return;
                int version;
                lock (doc) version = doc.Version;
                if (analysis.Version != version) return;   // a newer edit will publish its own
                await Publish(new PublishDiagnosticsParams { Uri = uri, Version = version, Diagnostics = analysis.Diagnostics.Select(Lsp.Diagnostic).ToList() });
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { Console.Error.WriteLine($"llmdebug-lsp: analysis of {uri} failed: {e}"); }
        });
    }

    /// <summary>The analysis of the document's current version (shared by concurrent requests).</summary>
    public Task<ExperimentAnalysis?> AnalyseAsync(string uri)
    {
        if (!_documents.TryGetValue(uri, out var doc) || !Lsp.IsExperiment(uri)) return Task.FromResult<ExperimentAnalysis?>(null);
        Task<ExperimentAnalysis> task;
        lock (doc)
        {
            if (doc.Analysis is null || doc.AnalysisVersion != doc.Version)
            {
                doc.Analysis = ExperimentAnalysis.RunAsync(uri, doc.Version, doc.Text, _models);
                doc.AnalysisVersion = doc.Version;
            }
            task = doc.Analysis;
        }
        return task.ContinueWith(t => (ExperimentAnalysis?)t.Result, TaskContinuationOptions.OnlyOnRanToCompletion);
    }

    // ---- features ----------------------------------------------------------------------------------------

    [JsonRpcMethod(LspMethods.TextDocumentCompletion, UseSingleObjectParameterDeserialization = true)]
    public async Task<CompletionList?> CompletionAsync(CompletionParams p) =>
        await AnalyseAsync(p.TextDocument.Uri) is { } a ? ExperimentFeatures.Completion(a, p.Position.Line, p.Position.Character) : null;

    [JsonRpcMethod(LspMethods.TextDocumentHover, UseSingleObjectParameterDeserialization = true)]
    public async Task<Hover?> HoverAsync(HoverParams p)
    {
        if (Lsp.IsListing(p.TextDocument.Uri)) return await ListingHoverAsync(p);
        return await AnalyseAsync(p.TextDocument.Uri) is { } a ? ExperimentFeatures.Hover(a, p.Position.Line, p.Position.Character) : null;
    }

    [JsonRpcMethod(LspMethods.TextDocumentInlayHint, UseSingleObjectParameterDeserialization = true)]
    public async Task<List<InlayHint>?> InlayHintAsync(InlayHintParams p) =>
        await AnalyseAsync(p.TextDocument.Uri) is { } a ? ExperimentFeatures.InlayHints(a, p.Range.Start.Line, p.Range.End.Line) : null;

    [JsonRpcMethod(LspMethods.TextDocumentDocumentSymbol, UseSingleObjectParameterDeserialization = true)]
    public async Task<List<DocumentSymbol>?> DocumentSymbolAsync(DocumentSymbolParams p)
    {
        if (Lsp.IsListing(p.TextDocument.Uri))
            return _documents.TryGetValue(p.TextDocument.Uri, out var doc) ? ListingFeatures.Symbols(doc.Text) : null;
        return await AnalyseAsync(p.TextDocument.Uri) is { } a ? ExperimentFeatures.Symbols(a) : null;
    }

    [JsonRpcMethod(LspMethods.TextDocumentCodeLens, UseSingleObjectParameterDeserialization = true)]
    public async Task<List<CodeLens>?> CodeLensAsync(CodeLensParams p) =>
        await AnalyseAsync(p.TextDocument.Uri) is { } a ? ExperimentFeatures.CodeLenses(a) : null;

    [JsonRpcMethod(LspMethods.TextDocumentCodeAction, UseSingleObjectParameterDeserialization = true)]
    public async Task<List<CodeAction>?> CodeActionAsync(CodeActionParams p) =>
        await AnalyseAsync(p.TextDocument.Uri) is { } a ? ExperimentFeatures.QuickFixes(a, p.Range.Start.Line, p.Range.End.Line) : null;

    [JsonRpcMethod(LspMethods.TextDocumentDefinition, UseSingleObjectParameterDeserialization = true)]
    public async Task<List<Location>?> DefinitionAsync(DefinitionParams p) =>
        await AnalyseAsync(p.TextDocument.Uri) is { } a ? ExperimentFeatures.Definition(a, p.Position.Line, p.Position.Character) : null;

    async Task<Hover?> ListingHoverAsync(HoverParams p)
    {
        if (!_documents.TryGetValue(p.TextDocument.Uri, out var doc)) return null;
        string text = doc.Text;
        if (ListingFeatures.ModelName(text) is not { } name || FindModelFolder(name) is not { } folder) return null;
        var facts = (await _models.GetFactsAsync(folder)).Facts;
        if (facts is null) return null;
        var weights = _models.WeightsIfReady(folder, out var loading);
        return ListingFeatures.Hover(text, p.Position.Line, facts, weights, !loading.IsCompleted);
    }

    /// <summary>A model folder named <paramref name="name"/>: one an experiment referred to, else one under the workspace folders.</summary>
    string? FindModelFolder(string name)
    {
        var known = _models.KnownFolders.FirstOrDefault(f => Path.GetFileName(f.TrimEnd(Path.DirectorySeparatorChar)) == name && File.Exists(Path.Combine(f, "config.json")));
        if (known is not null) return known;
        foreach (var root in _roots)
        {
            try
            {
                var found = Directory.EnumerateDirectories(root, name, new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4, IgnoreInaccessible = true })
                    .FirstOrDefault(d => File.Exists(Path.Combine(d, "config.json")));
                if (found is not null) return found;
            }
            catch (IOException) { }
        }
        return null;
    }

    public void Dispose() => _models.Dispose();
}
