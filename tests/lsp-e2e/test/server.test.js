'use strict';
// Drives llmdebug-lsp over stdio with Microsoft's LSP client libraries: the same framing and message types
// vscode-languageclient uses inside VS Code. A tiny random 12-layer GPT-2 is written first with `llmdebug make-model`
// (or LLMDEBUG_E2E_MODEL names a model folder), so the test needs no downloaded weights.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const rpc = require('vscode-languageserver-protocol/node');   // its vscode-jsonrpc: stream framing
const lsp = require('vscode-languageserver-protocol');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER = path.resolve(REPO_ROOT, process.env.LLMDEBUG_LSP || 'src/LlmDebug.LanguageServer/bin/Debug/net10.0/linux-x64/llmdebug-lsp');
const CLI = path.resolve(REPO_ROOT, process.env.LLMDEBUG_CLI || 'src/LlmDebug.Cli/bin/Debug/net10.0/linux-x64/llmdebug');
const WAIT_MS = 60_000;

let dir, modelFolder, proc, conn, stderr = '';
const diagnostics = [];   // every publishDiagnostics, in order
const diagnosticWaiters = [];

const EXPERIMENT = [
    '# e2e experiment',
    'model ./tiny',
    'prompt "In the beginning God created"',
    'counterfactual "In the beginning God made"',
    'tokens 2',
    'break blocks.3.attn.hook_pattern',
    'ablate blocks.12.attn head 1',
    'expect rank " the" <= 50257',
    '',
].join('\n');

function uriOf(p) { return pathToFileURL(p).href; }

function nextDiagnostics(uri, predicate = () => true) {
    const found = diagnostics.find(d => d.uri === uri && predicate(d));
    if (found) { diagnostics.splice(diagnostics.indexOf(found), 1); return Promise.resolve(found); }
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${WAIT_MS} ms; stderr:\n${stderr}`)), WAIT_MS);
        diagnosticWaiters.push({ uri, predicate, resolve: d => { clearTimeout(timer); resolve(d); } });
    });
}

before(async () => {
    assert.ok(fs.existsSync(SERVER), `server not built: ${SERVER} (run: dotnet build src/LlmDebug.LanguageServer, or set LLMDEBUG_LSP)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmdebug-lsp-e2e-'));
    modelFolder = path.join(dir, 'tiny');
    if (process.env.LLMDEBUG_E2E_MODEL) fs.symlinkSync(path.resolve(process.env.LLMDEBUG_E2E_MODEL), modelFolder);
    else {
        assert.ok(fs.existsSync(CLI), `CLI not built: ${CLI} (run: dotnet build src/LlmDebug.Cli, or set LLMDEBUG_CLI)`);
        cp.execFileSync(CLI, ['make-model', '--out', modelFolder, '--layers', '12', '--heads', '4', '--d-model', '64', '--context', '64'], { stdio: 'pipe' });
    }
    proc = cp.spawn(SERVER, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stderr.on('data', d => { stderr += d; });
    conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
    conn.onNotification(lsp.PublishDiagnosticsNotification.type, p => {
        const i = diagnosticWaiters.findIndex(w => w.uri === p.uri && w.predicate(p));
        if (i >= 0) diagnosticWaiters.splice(i, 1)[0].resolve(p); else diagnostics.push(p);
    });
    conn.listen();
});

after(() => {
    if (proc && proc.exitCode === null) proc.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('initialize advertises the features', async () => {
    const result = await conn.sendRequest(lsp.InitializeRequest.type, {
        processId: process.pid, rootUri: uriOf(dir), capabilities: {}, workspaceFolders: [{ uri: uriOf(dir), name: 'e2e' }],
    });
    const caps = result.capabilities;
    assert.equal(result.serverInfo.name, 'llmdebug-lsp');
    assert.equal(caps.textDocumentSync.change, lsp.TextDocumentSyncKind.Full);
    assert.ok(caps.completionProvider.triggerCharacters.includes('.'));
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.inlayHintProvider, true);
    assert.equal(caps.documentSymbolProvider, true);
    assert.equal(caps.definitionProvider, true);
    assert.ok(caps.codeLensProvider);
    await conn.sendNotification(lsp.InitializedNotification.type, {});
});

let file, uri;

test('opening an experiment publishes an out-of-range layer with the valid range', async () => {
    file = path.join(dir, 'e2e.llmdebug');
    fs.writeFileSync(file, EXPERIMENT);
    uri = uriOf(file);
    await conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'llmdebug', version: 1, text: EXPERIMENT } });
    const published = await nextDiagnostics(uri);
    assert.equal(published.version, 1);
    const layer = published.diagnostics.find(d => d.range.start.line === 6);
    assert.ok(layer, `expected a diagnostic on line 7, got ${JSON.stringify(published.diagnostics)}`);
    assert.equal(layer.severity, lsp.DiagnosticSeverity.Error);
    assert.match(layer.message, /layer 12 does not exist: this model has layers 0…11/);
    assert.deepEqual(layer.range, { start: { line: 6, character: 14 }, end: { line: 6, character: 16 } });
    assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics));
});

test('the quick fix changes the layer to the last one', async () => {
    const actions = await conn.sendRequest(lsp.CodeActionRequest.type, {
        textDocument: { uri }, range: { start: { line: 6, character: 14 }, end: { line: 6, character: 14 } }, context: { diagnostics: [] },
    });
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, 'quickfix');
    assert.deepEqual(actions[0].edit.changes[uri], [{ range: { start: { line: 6, character: 14 }, end: { line: 6, character: 16 } }, newText: '11' }]);
});

test('completion offers keywords, blocks of this model, hooks and heads', async () => {
    const complete = async (line, character) => {
        const r = await conn.sendRequest(lsp.CompletionRequest.type, { textDocument: { uri }, position: { line, character } });
        return (Array.isArray(r) ? r : r.items).map(i => i.label);
    };
    const keywords = await complete(8, 0);
    for (const k of ['model', 'prompt', 'counterfactual', 'ablate', 'patch', 'steer', 'expect', 'break', 'watch']) assert.ok(keywords.includes(k), k);
    const blocks = await complete(5, 'break '.length);
    assert.ok(blocks.includes('blocks.0') && blocks.includes('blocks.11') && !blocks.includes('blocks.12'), blocks.join(' '));
    const hooks = await complete(5, 'break blocks.3.'.length);
    assert.ok(hooks.includes('blocks.3.attn.hook_pattern') && hooks.includes('blocks.3.hook_resid_post'), hooks.join(' '));
    const heads = await complete(6, 'ablate blocks.12.attn head '.length);
    assert.deepEqual(heads, ['0', '1', '2', '3']);
});

test('hover on a hook shows what it is and its shape for this model and prompt', async () => {
    const hover = await conn.sendRequest(lsp.HoverRequest.type, { textDocument: { uri }, position: { line: 5, character: 'break blocks.3.attn.hook_p'.length } });
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /blocks\.3\.attn\.hook_pattern/);
    assert.match(hover.contents.value, /\[heads=4, query=\d+, key=\d+\]/);
    assert.match(hover.contents.value, /softmax/);
    const prompt = await conn.sendRequest(lsp.HoverRequest.type, { textDocument: { uri }, position: { line: 2, character: 12 } });
    assert.match(prompt.contents.value, /prompt 1: \d+ tokens/);
});

test('inlay hints show each prompt\'s token count', async () => {
    const hints = await conn.sendRequest(lsp.InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } } });
    assert.equal(hints.length, 2);   // the prompt and the counterfactual
    assert.equal(hints[0].position.line, 2);
    assert.equal(hints[0].position.character, EXPERIMENT.split('\n')[2].length);
    assert.match(hints[0].label, /^\d+ tokens$/);
});

test('document symbols, code lenses and go to definition', async () => {
    const symbols = await conn.sendRequest(lsp.DocumentSymbolRequest.type, { textDocument: { uri } });
    assert.ok(symbols.some(s => s.name.startsWith('prompt 1')));
    const lenses = await conn.sendRequest(lsp.CodeLensRequest.type, { textDocument: { uri } });
    assert.deepEqual(lenses.map(l => l.command.command), ['llmdebug.runExperiment', 'llmdebug.debugExperiment']);
    assert.deepEqual(lenses[0].command.arguments, [uri, 0]);
    const defs = await conn.sendRequest(lsp.DefinitionRequest.type, { textDocument: { uri }, position: { line: 5, character: 12 } });
    assert.equal(defs.length, 1);
    assert.match(defs[0].uri, /\.llmlisting$/);
    const listing = fs.readFileSync(new URL(defs[0].uri), 'utf8').split('\n');
    assert.match(listing[defs[0].range.start.line], /^\s*blocks\.3\.attn\.hook_pattern\s/);
});

test('fixing the line clears the diagnostic (no stale squiggles)', async () => {
    const fixed = EXPERIMENT.replace('blocks.12.attn', 'blocks.11.attn');
    await conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: EXPERIMENT.replace('blocks.12', 'blocks.1') }] });
    await conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 3 }, contentChanges: [{ text: fixed }] });
    const published = await nextDiagnostics(uri, p => p.version === 3);
    assert.deepEqual(published.diagnostics, []);
    assert.ok(!diagnostics.some(d => d.uri === uri && d.version === 2), 'the superseded version 2 must not publish');
});

test('shutdown and exit end the process with code 0', async () => {
    const exited = new Promise(resolve => proc.on('exit', code => resolve(code)));
    await conn.sendRequest(lsp.ShutdownRequest.type);
    await conn.sendNotification(lsp.ExitNotification.type);
    assert.equal(await exited, 0);
});
