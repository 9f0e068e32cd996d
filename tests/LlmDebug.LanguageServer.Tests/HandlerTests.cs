using System.Collections.Concurrent;
using System.Text.Json;
using LlmDebug.LanguageServer.Features;
using LlmDebug.LanguageServer.Protocol;
using LlmDebug.LanguageServer.Server;

namespace LlmDebug.LanguageServer.Tests;

public class HandlerTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    const string Text = """
        model ./tiny
        prompt "In the beginning God created"
        counterfactual "In the beginning God made"
        break blocks.2.attn.hook_pattern
        ablate blocks.4.attn head 9
        expect top1 " shepherding"
        """;

    readonly ConcurrentQueue<PublishDiagnosticsParams> _published = new();

    LlmLanguageServer Server()
    {
        var s = new LlmLanguageServer { Debounce = TimeSpan.FromMilliseconds(20) };
        s.Publish = p => { _published.Enqueue(p); return Task.CompletedTask; };
        s.Initialize(new InitializeParams { RootUri = new Uri(fx.Root).AbsoluteUri });
        return s;
    }

    async Task<PublishDiagnosticsParams> WaitForDiagnostics(string uri, int version)
    {
        for (int i = 0; i < 500; i++)
        {
            var hit = _published.FirstOrDefault(p => p.Uri == uri && p.Version == version);
            if (hit is not null) return hit;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no diagnostics for version {version}");
    }

    static DidOpenTextDocumentParams Open(string uri, string text, int version = 1) =>
        new() { TextDocument = new TextDocumentItem { Uri = uri, LanguageId = "llmdebug", Version = version, Text = text } };

    [Fact]
    public async Task Diagnostics_name_the_valid_ranges_and_each_line_reports_on_its_own()
    {
        using var s = Server();
        string uri = fx.Uri("diag.llmdebug");
        s.DidOpen(Open(uri, Text));
        var d = (await WaitForDiagnostics(uri, 1)).Diagnostics;
        Assert.Contains(d, x => (string)x.Message! == "layer 4 does not exist: this model has layers 0…3" && x.Range.Start.Line == 4 && x.Range.Start.Character == 14);
        Assert.Contains(d, x => ((string)x.Message!).Contains("\" shepherding\" is 3 tokens") && x.Range.Start.Line == 5);
        Assert.All(d, x => Assert.Equal(DiagnosticSeverity.Error, x.Severity));
    }

    [Fact]
    public async Task A_missing_model_folder_is_reported_on_the_path_and_clears_once_fixed()
    {
        using var s = Server();
        string uri = fx.Uri("missing.llmdebug");
        s.DidOpen(Open(uri, "model ./nowhere\nprompt \"x\""));
        var d = Assert.Single((await WaitForDiagnostics(uri, 1)).Diagnostics);
        Assert.Contains("model folder not found", (string)d.Message!);
        Assert.Equal(6, d.Range.Start.Character);
        s.DidChange(new DidChangeTextDocumentParams
        {
            TextDocument = new VersionedTextDocumentIdentifier { Uri = uri, Version = 2 },
            ContentChanges = [new TextDocumentContentChangeEvent { Text = "model ./tiny\nprompt \"x\"" }],
        });
        Assert.Empty((await WaitForDiagnostics(uri, 2)).Diagnostics);
    }

    [Fact]
    public async Task Completion_hover_inlay_hints_and_quick_fix()
    {
        using var s = Server();
        string uri = fx.Uri("features.llmdebug");
        s.DidOpen(Open(uri, Text));
        CompletionList? Complete(int line, int ch) => s.CompletionAsync(new CompletionParams { TextDocument = new TextDocumentIdentifier { Uri = uri }, Position = new Position { Line = line, Character = ch } }).Result;

        var hooks = Complete(3, "break blocks.2.at".Length)!.Items.Select(i => i.Label).ToList();
        Assert.Contains("blocks.2.attn.hook_pattern", hooks);
        var blocks = Complete(3, "break ".Length)!.Items.Select(i => i.Label).ToList();
        Assert.Equal(["blocks.0", "blocks.1", "blocks.2", "blocks.3"], blocks.Where(b => b.StartsWith("blocks.") && !b.Contains("hook")).Take(4));
        var tokens = Complete(5, "expect top1 \" she".Length)!.Items;
        Assert.Contains(tokens, t => t.FilterText == " shepherd");
        Assert.All(tokens, t => Assert.StartsWith(" she", t.FilterText));

        var hover = await s.HoverAsync(new HoverParams { TextDocument = new TextDocumentIdentifier { Uri = uri }, Position = new Position { Line = 3, Character = 20 } });
        var md = Assert.IsType<MarkupContent>(hover!.Contents).Value;
        Assert.Contains("[heads=4, query=5, key=5]", md);

        var hints = await s.InlayHintAsync(new InlayHintParams { TextDocument = new TextDocumentIdentifier { Uri = uri }, Range = new Protocol.Range { Start = new Position { Line = 0 }, End = new Position { Line = 10 } } });
        Assert.Equal(["5 tokens", "5 tokens"], hints!.Select(h => (string)h.Label!));

        var fixes = await s.CodeActionAsync(new CodeActionParams { TextDocument = new TextDocumentIdentifier { Uri = uri }, Range = Features.Lsp.Range(4, 0, 0), Context = new CodeActionContext { Diagnostics = [] } });
        Assert.Equal(["Change to 3"], fixes!.Select(f => f.Title));
        Assert.Equal("3", fixes![0].Edit!.Changes![uri].Single().NewText);
    }

    [Fact]
    public async Task Listing_outline_and_hover_with_parameter_shapes_then_norms()
    {
        using var s = Server();
        // an experiment first, so the server knows the model folder; its go-to-definition writes the listing
        string uri = fx.Uri("def.llmdebug");
        s.DidOpen(Open(uri, Text));
        var defs = await s.DefinitionAsync(new DefinitionParams { TextDocument = new TextDocumentIdentifier { Uri = uri }, Position = new Position { Line = 3, Character = 10 } });
        var def = Assert.Single(defs!);
        string listingPath = new Uri(def.Uri).LocalPath;
        string listing = File.ReadAllText(listingPath);
        s.DidOpen(new DidOpenTextDocumentParams { TextDocument = new TextDocumentItem { Uri = def.Uri, LanguageId = "llmlisting", Version = 1, Text = listing } });

        var symbols = await s.DocumentSymbolAsync(new DocumentSymbolParams { TextDocument = new TextDocumentIdentifier { Uri = def.Uri } });
        Assert.Equal(["blocks.0", "blocks.1", "blocks.2", "blocks.3"], symbols!.Where(x => x.Kind == SymbolKind.Namespace).Select(x => x.Name));
        Assert.Equal(15, symbols!.First(x => x.Name == "blocks.2").Children!.Count);

        var hoverParams = new HoverParams { TextDocument = new TextDocumentIdentifier { Uri = def.Uri }, Position = new Position { Line = def.Range.Start.Line, Character = 6 } };
        var first = Assert.IsType<MarkupContent>((await s.HoverAsync(hoverParams))!.Contents).Value;
        Assert.Contains("h.2.attn.c_attn.weight", first);
        Assert.Contains("[32, 96]", first);
        string md = first;
        for (int i = 0; i < 200 && !md.Contains("‖W‖"); i++) { await Task.Delay(50); md = Assert.IsType<MarkupContent>((await s.HoverAsync(hoverParams))!.Contents).Value; }
        Assert.Contains("‖W‖", md);   // weights loaded in the background; the first hover did not wait for them
    }

    [Fact]
    public void Generated_types_use_the_spec_names_and_omit_nulls()
    {
        var options = new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
        var json = JsonSerializer.Serialize(new Hover { Contents = new MarkupContent { Kind = MarkupKind.Markdown, Value = "x" } }, options);
        Assert.Equal("""{"contents":{"kind":"markdown","value":"x"}}""", json);
        var change = JsonSerializer.Deserialize<DidChangeTextDocumentParams>("""{"textDocument":{"uri":"file:///a","version":3},"contentChanges":[{"text":"all"}]}""")!;
        Assert.Equal("all", change.ContentChanges.Single().Text);
        Assert.Equal(3, change.TextDocument.Version);
    }
}
