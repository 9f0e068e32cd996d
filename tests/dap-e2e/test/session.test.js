'use strict';
// End-to-end: llmdebug-dap driven over stdio by the reference DAP client, against a 12-layer GPT-2 folder.
// Asserts structure only (frames, lines, scopes, shapes, row sums, event order), never what the model predicts,
// so it passes on a random model and on the trained sample model alike.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { AdapterSession, MODEL, PROMPT, checkPrerequisites, tempDir, parseListing, poisonedModelCopy } = require('../lib/session');

const TEST_MS = 60_000;
const LAYER = 11;
let work;          // temp folder of this run
let listingPath;   // where launches write the forward listing
let L;             // the parsed listing

function launchArgs(extra = {}) {
    return { type: 'llm', request: 'launch', name: 'e2e', model: MODEL, prompt: PROMPT, maxNewTokens: 3, stopOnEntry: false, listing: listingPath, ...extra };
}

/** A session launched with the given function breakpoints (and line breakpoints, exception filters). */
async function launchWith({ functionBreakpoints = [], lines = [], filters, args } = {}) {
    const s = await AdapterSession.start();
    await s.launch(launchArgs(args), async () => {
        if (lines.length) await s.req('setBreakpoints', { source: { path: listingPath }, breakpoints: lines.map(line => ({ line })) });
        if (functionBreakpoints.length) await s.req('setFunctionBreakpoints', { breakpoints: functionBreakpoints.map(name => ({ name })) });
        if (filters) await s.req('setExceptionBreakpoints', { filters });
    });
    return s;
}

before(async () => {
    checkPrerequisites();
    work = tempDir('run');
    listingPath = path.join(work, 'forward.llmlisting');
    // Probe session: launch writes the listing at launch, before `initialized`; read it to know its line numbers.
    const s = await AdapterSession.start();
    try {
        await s.launch(launchArgs());
        assert.ok(fs.existsSync(listingPath), `launch wrote the listing to ${listingPath}`);
        L = parseListing(fs.readFileSync(listingPath, 'utf8'));
        assert.equal(L.layers, 12, 'the model under test has 12 layers');
        await s.next('terminated');   // no breakpoints: generation runs to its end
    } finally {
        await s.close();
    }
});

after(async () => {
    await AdapterSession.killAll();
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('1. line breakpoint on the blocks.11 listing line', { timeout: TEST_MS }, async () => {
    const line = L.lineOf(`blocks.${LAYER}`);
    assert.equal(L.lines[line - 1], `  blocks.${LAYER}:`);
    const s = await AdapterSession.start();
    try {
        // the reference client's own scenario: initialize + launch, set the breakpoint on `initialized`,
        // configurationDone, then assert the stop (reason 'breakpoint') at the breakpoint's path and line
        const [, , stack] = await s.dc.hitBreakpoint(launchArgs(), { path: listingPath, line });
        await s.next('stopped');   // hitBreakpoint consumed the event through DebugClient; drop our copy
        const frames = stack.body.stackFrames;
        assert.equal(frames.length, 2, 'a block line stop has the block frame over the step frame');
        const [top, bottom] = frames;
        assert.equal(top.name, `blocks.${LAYER}`);
        assert.equal(top.line, line);
        assert.equal(path.resolve(top.source.path), path.resolve(listingPath));
        assert.equal(bottom.line, L.lineOf('step'));
        const m = /^step 0 \(prompt, (\d+) tokens\)$/.exec(bottom.name);
        assert.ok(m, `bottom frame is the prompt's token step: ${bottom.name}`);
        const tokens = await s.scopeVariables(bottom.id, 'Tokens');
        assert.equal(Number(m[1]), tokens.length, 'the step frame counts the prompt tokens');
        assert.equal(tokens.length, 5, 'GPT-2 BPE splits the prompt into 5 tokens');
        assert.ok(tokens.every((t, i) => t.name.startsWith(`[${i}] "`) && /prompt/.test(t.value)), JSON.stringify(tokens));
    } finally {
        await s.close();
    }
});

test('2. function breakpoints "blocks.11" and "layer 11"', { timeout: TEST_MS }, async () => {
    const line = L.lineOf(`blocks.${LAYER}`);
    const s = await AdapterSession.start();
    try {
        let bps;
        await s.launch(launchArgs(), async () => {
            bps = (await s.req('setFunctionBreakpoints', { breakpoints: [{ name: `blocks.${LAYER}` }, { name: `layer ${LAYER}` }, { name: 'blocks.99' }] })).body.breakpoints;
        });
        assert.equal(bps.length, 3);
        for (const bp of bps.slice(0, 2)) {
            assert.equal(bp.verified, true, bp.message);
            assert.equal(bp.line, line);
            assert.equal(path.resolve(bp.source.path), path.resolve(listingPath));
        }
        assert.equal(bps[2].verified, false, 'a layer the model lacks is not verified');
        assert.match(bps[2].message, /layer 99 does not exist/);

        const first = await s.stopped('breakpoint');
        assert.deepEqual([...first.event.body.hitBreakpointIds].sort(), [bps[0].id, bps[1].id].sort());
        assert.equal(first.frames[0].name, `blocks.${LAYER}`);
        assert.equal(first.frames[0].line, line);
        assert.match(first.frames.at(-1).name, /^step 0 \(prompt, 5 tokens\)$/);

        // the same breakpoints stop again in the next token step, which reads the one generated token
        await s.req('continue', { threadId: 1 });
        const second = await s.stopped('breakpoint');
        assert.equal(second.frames[0].line, line);
        assert.match(second.frames.at(-1).name, /^step 1 \(token ".*" @5\)$/);
    } finally {
        await s.close();
    }
});

test('3. variables: Attention scope, hook_pattern paged by head, rows sum to 1', { timeout: TEST_MS }, async () => {
    const blockLine = L.lineOf(`blocks.${LAYER}`);
    const s = await launchWith({ functionBreakpoints: [`blocks.${LAYER}`] });
    try {
        let { frames } = await s.stopped('breakpoint');
        let names = (await s.scopes(frames[0].id)).map(x => x.name);
        for (const n of ['Activation', 'Attention', `blocks.${LAYER} activations`, `blocks.${LAYER} parameters`])
            assert.ok(names.includes(n), `scope ${n} in ${names}`);
        const tokens = await s.scopeVariables(frames.at(-1).id, 'Tokens');

        // step in, one listing line at a time, down to the attention pattern
        const patternLine = L.lineOf(`blocks.${LAYER}.attn.hook_pattern`);
        for (let expected = blockLine + 1; expected <= patternLine; expected++) {
            ({ frames } = await s.step('stepIn'));
            assert.equal(frames.length, 3, 'hook frame, block frame, step frame');
            assert.equal(frames[0].line, expected, `stepIn moves one line (at ${frames[0].name})`);
            assert.equal(frames[1].name, `blocks.${LAYER}`);
        }
        assert.match(frames[0].name, new RegExp(`^blocks\\.${LAYER}\\.attn\\.hook_pattern `));

        const attention = await s.scopeVariables(frames[0].id, 'Attention');
        const pattern = attention.find(v => v.name === 'attn.hook_pattern');
        assert.ok(pattern, `attn.hook_pattern in ${attention.map(v => v.name)}`);
        const n = tokens.length;
        assert.match(pattern.value, new RegExp(`^f32\\[${L.heads},${n},${n}\\] min \\S+ max \\S+`));
        assert.equal(pattern.indexedVariables, L.heads);
        assert.equal(pattern.evaluateName, `blocks.${LAYER}.attn.hook_pattern`);
        assert.ok(pattern.variablesReference > 0);

        const page = await s.variables(pattern.variablesReference, 1, 1);
        assert.equal(page.length, 1, 'a page of one head');
        const head = page[0];
        assert.equal(head.name, '[1] head 1');
        assert.equal(head.indexedVariables, n);
        assert.equal(head.evaluateName, `blocks.${LAYER}.attn.hook_pattern[1]`);

        const rows = await s.variables(head.variablesReference);
        assert.equal(rows.length, n);
        for (let q = 0; q < n; q++) {
            const tokenText = /^\[\d+\] (".*")$/.exec(tokens[q].name)[1];
            assert.equal(rows[q].name, `[${q}] ${tokenText} @${q}`, 'query rows are labelled by token text and position');
            const cells = await s.variables(rows[q].variablesReference);
            assert.equal(cells.length, n);
            const values = cells.map(c => Number(c.value));
            assert.ok(values.every(v => Number.isFinite(v) && v >= 0 && v <= 1), `row ${q}: ${values}`);
            const sum = values.reduce((a, b) => a + b, 0);
            assert.ok(Math.abs(sum - 1) < 2e-3, `row ${q} sums to 1 (got ${sum}; values are shown with 4 digits)`);
            assert.ok(values.slice(q + 1).every(v => v === 0), `causal: row ${q} puts no weight on later keys`);
            assert.equal(cells[0].evaluateName, `blocks.${LAYER}.attn.hook_pattern[1, ${q}, 0]`);
        }

        // "Add to Watch" on a cell: its evaluateName evaluates to the value shown
        const cell = (await s.variables(rows[n - 1].variablesReference))[0];
        const watched = await s.req('evaluate', { expression: cell.evaluateName, frameId: frames[0].id, context: 'watch' });
        assert.ok(Math.abs(Number(watched.body.result) - Number(cell.value)) < 1e-3, `${cell.evaluateName}: ${watched.body.result} vs ${cell.value}`);

        // requests that do not fit this stop are errors, not guesses
        const badFrame = await s.request('scopes', { frameId: 99 });
        assert.equal(badFrame.success, false, 'scopes of a frame that does not exist');
        const badPage = await s.request('variables', { variablesReference: pattern.variablesReference, start: -1, count: 1 });
        assert.equal(badPage.success, false, 'a negative page start');
        const stale = await s.request('variables', { variablesReference: 1_000_000 });
        assert.equal(stale.success, false, 'an unknown variablesReference');
    } finally {
        await s.close();
    }
});

test('4. next, stepOut, then continue through 3 generated tokens to terminated', { timeout: TEST_MS }, async () => {
    const blockLine = L.lineOf(`blocks.${LAYER}`);
    const s = await launchWith({ lines: [blockLine] });
    try {
        let { frames } = await s.stopped('breakpoint');
        let ev;
        assert.equal(frames[0].line, blockLine);

        ({ frames } = await s.step('stepIn'));
        assert.equal(frames[0].line, L.lineOf(`blocks.${LAYER}.hook_resid_pre`));
        ({ frames, event: ev } = await s.step('next'));
        assert.equal(ev.body.reason, 'step');
        assert.equal(frames[0].line, L.lineOf(`blocks.${LAYER}.ln1.hook_normalized`), 'next from a hook goes to the next hook');

        ({ frames, event: ev } = await s.step('stepOut'));
        assert.equal(ev.body.reason, 'step');
        assert.equal(frames[0].line, L.lineOf(`blocks.${LAYER}.hook_resid_post`), 'stepOut from a hook runs to the end of its block');
        assert.match(frames[0].name, new RegExp(`^blocks\\.${LAYER}\\.hook_resid_post `));

        ({ frames } = await s.step('next'));
        assert.equal(frames[0].line, L.lineOf('ln_final.hook_normalized'), 'next leaves the last block');
        assert.equal(frames.length, 2, 'outside blocks: hook frame over step frame');
        ({ frames } = await s.step('next'));
        assert.equal(frames[0].line, L.lineOf('logits'));
        assert.equal(s.outputs('stdout').length, 0, 'no token is out before step 0 ends');

        // from the last line, next crosses into the next token step: the step-0 token comes out first
        ({ frames } = await s.step('next'));
        assert.equal(frames[0].line, L.lineOf('hook_embed'));
        assert.match(frames.at(-1).name, /^step 1 /);
        assert.equal(s.outputs('stdout').length, 1, 'step 0 produced one token');

        await s.req('setBreakpoints', { source: { path: listingPath }, breakpoints: [] });
        await s.req('continue', { threadId: 1 });
        await s.next('terminated');
        const tokens = s.outputs('stdout');
        assert.equal(tokens.length, 3, `3 token outputs (maxNewTokens 3): ${JSON.stringify(tokens.map(t => t.body.output))}`);
        const exited = s.log.find(e => e.event === 'exited');
        assert.equal(exited?.body.exitCode, 0);
        assert.ok(s.log.indexOf(exited) > s.log.indexOf(tokens[2]), 'exited comes after the last token');
        assert.ok(!s.log.some(e => e.event === 'stopped' && s.log.indexOf(e) > s.log.indexOf(tokens[1])), 'no stop after the breakpoints were cleared');
    } finally {
        await s.close();
    }
});

test('5. evaluate watches at the logits line; a bad expression is an error, not a crash', { timeout: TEST_MS }, async () => {
    const s = await launchWith({ functionBreakpoints: ['logits'] });
    try {
        const { frames } = await s.stopped('breakpoint');
        assert.equal(frames[0].line, L.lineOf('logits'));
        const frameId = frames[0].id;

        const max = await s.req('evaluate', { expression: `max(blocks.${LAYER}.attn.hook_pattern)`, frameId, context: 'watch' });
        const m = Number(max.body.result);
        assert.ok(m > 0 && m <= 1 + 1e-6, `max of attention weights in (0, 1]: ${max.body.result}`);

        const topk = await s.req('evaluate', { expression: 'topk(logits, 5)', frameId, context: 'watch' });
        assert.equal(topk.body.type, 'topk');
        assert.match(topk.body.result, /^topk: /);
        assert.ok(topk.body.variablesReference > 0);
        const entries = await s.variables(topk.body.variablesReference);
        assert.equal(entries.length, 5);
        entries.forEach((e, i) => assert.match(e.name, new RegExp(`^#${i + 1} ".*" \\(id \\d+\\)$`)));
        const logits = entries.map(e => Number(e.value));
        assert.ok(logits.every(Number.isFinite));
        for (let i = 1; i < 5; i++) assert.ok(logits[i - 1] >= logits[i], `top-k is sorted: ${logits}`);

        const tensor = await s.req('evaluate', { expression: 'logits', frameId, context: 'watch' });
        assert.match(tensor.body.result, /^f32\[5,\d+\] min /, 'logits [seq, vocab]');
        assert.equal(tensor.body.indexedVariables, 5);

        for (const bad of [`max(blocks.${LAYER}.attn.hook_pattern`, 'no_such_hook + 1', `blocks.${LAYER}.attn.hook_pattern[99]`]) {
            const r = await s.request('evaluate', { expression: bad, frameId, context: 'watch' });
            assert.equal(r.success, false, `'${bad}' fails`);
            assert.ok(r.message && r.message.length > 0, `'${bad}' has a message`);
        }

        // still alive and still stopped at the same place
        assert.equal((await s.req('threads')).body.threads.length, 1);
        const again = await s.req('evaluate', { expression: `max(blocks.${LAYER}.attn.hook_pattern)`, frameId, context: 'watch' });
        assert.equal(again.body.result, max.body.result);
        assert.equal((await s.req('stackTrace', { threadId: 1 })).body.stackFrames[0].line, L.lineOf('logits'));
    } finally {
        await s.close();
    }
});

test('6. nonfinite exception breakpoint stops at the first NaN activation', { timeout: TEST_MS }, async () => {
    const poisoned = poisonedModelCopy(MODEL, 'h.3.mlp.c_fc.bias');
    const hook = 'blocks.3.mlp.hook_pre';
    const s = await AdapterSession.start();
    try {
        const init = await s.req('initialize', { adapterID: 'llm', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
        assert.ok(init.body.exceptionBreakpointFilters.some(f => f.filter === 'nonfinite'), 'the adapter offers the nonfinite filter');
        await s.req('launch', launchArgs({ model: poisoned.dir, listing: path.join(work, 'poisoned.llmlisting') }));
        await s.next('initialized');
        const r = await s.req('setExceptionBreakpoints', { filters: ['nonfinite'] });
        assert.equal(r.body.breakpoints[0].verified, true);
        await s.req('configurationDone', {});

        const { event, frames } = await s.stopped('exception');
        assert.match(event.body.description, new RegExp(`${hook.replace(/\./g, '\\.')}.*NaN`), event.body.description);
        assert.equal(frames[0].line, L.lineOf(hook));
        const info = await s.req('exceptionInfo', { threadId: 1 });
        assert.equal(info.body.exceptionId, 'nonfinite');
        assert.match(info.body.description, new RegExp(hook.replace(/\./g, '\\.')));
        const activation = await s.scopeVariables(frames[0].id, 'Activation');
        assert.match(activation[0].value, /NaN/);
    } finally {
        await s.close();
        fs.rmSync(poisoned.dir, { recursive: true, force: true });
    }
});

test('7. malformed input: bad launch, unknown request, broken frame; the adapter stays up', { timeout: TEST_MS }, async () => {
    const s = await AdapterSession.start();
    try {
        await s.req('initialize', { adapterID: 'llm', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
        const missing = path.join(work, 'no-such-model');
        const r = await s.request('launch', launchArgs({ model: missing }));
        assert.equal(r.success, false);
        assert.ok(r.message.includes(missing), `the error names the path: ${r.message}`);

        const noModel = await s.request('launch', { prompt: PROMPT });
        assert.equal(noModel.success, false);
        assert.match(noModel.message, /model/);

        const unknown = await s.request('fooBar', {});
        assert.equal(unknown.success, false);
        assert.match(unknown.message, /fooBar/);

        const notLaunched = await s.request('stackTrace', { threadId: 1 });
        assert.equal(notLaunched.success, false, 'stackTrace before any launch is an error');

        // a frame that is not JSON: skipped, the stream stays in sync
        const junk = Buffer.from('{ not json');
        s.proc.stdin.write(`Content-Length: ${junk.length}\r\n\r\n`);
        s.proc.stdin.write(junk);

        const threads = await s.req('threads');
        assert.deepEqual(threads.body.threads.map(t => t.id), [1]);

        // and it still launches a good model after all that
        await s.req('launch', launchArgs({ maxNewTokens: 1 }));
        await s.next('initialized');
        await s.req('configurationDone', {});
        await s.next('terminated');
        assert.equal(s.outputs('stdout').length, 1);
    } finally {
        const exit = await s.close();
        assert.deepEqual(exit, { code: 0, signal: null });
    }
});

test('8. disconnect while stopped: the adapter exits with code 0', { timeout: TEST_MS }, async () => {
    const s = await launchWith({ functionBreakpoints: [`blocks.${LAYER}.attn.hook_pattern`] });
    await s.stopped('breakpoint');
    const started = Date.now();
    const r = await s.request('disconnect', { terminateDebuggee: true });
    assert.equal(r.success, true);
    const exit = await s.close(5_000);
    assert.deepEqual(exit, { code: 0, signal: null }, `exit within 5 s (stderr: ${s.stderr.slice(-1000)})`);
    assert.ok(Date.now() - started < 5_000);
});

test('9. TCP mode (--port 0) with a protocol trace', { timeout: TEST_MS }, async () => {
    const trace = path.join(work, 'trace.jsonl');
    const s = await AdapterSession.startTcp(['--trace', trace]);
    try {
        await s.launch(launchArgs({ maxNewTokens: 2 }), async () => {
            await s.req('setFunctionBreakpoints', { breakpoints: [{ name: `blocks.${LAYER}` }] });
        });
        const { frames } = await s.stopped('breakpoint');
        assert.equal(frames[0].line, L.lineOf(`blocks.${LAYER}`));
        await s.req('setFunctionBreakpoints', { breakpoints: [] });
        await s.req('continue', { threadId: 1 });
        await s.next('terminated');
        assert.equal(s.outputs('stdout').length, 2);
    } finally {
        const exit = await s.close();
        assert.deepEqual(exit, { code: 0, signal: null });
    }
    assert.equal(s.stdout, '', 'in TCP mode nothing is written to stdout');
    const lines = fs.readFileSync(trace, 'utf8').trim().split('\n');
    assert.ok(lines.length > 10, 'the trace has the session');
    assert.ok(lines.some(l => l.includes('"launch"')) && lines.some(l => l.includes('"terminated"')), 'requests and events are traced');
});

test('10. an experiment file as program: its expectations are checked and reported when generation ends', { timeout: TEST_MS }, async () => {
    const file = path.join(work, 'expectations.llmdebug');
    fs.writeFileSync(file, [
        `model ${path.resolve(MODEL)}`,
        'prompt "In the beginning God created"',
        '  expect rank "," <= 50257            # every token ranks within the vocabulary: passes',
        '  expect text " qqqq never generated" # fails on any model',
        'tokens 2',
        '',
    ].join('\n'));
    const s = await AdapterSession.start();
    try {
        await s.launch({ type: 'llm', request: 'launch', name: 'experiment', program: file, listing: listingPath });
        await s.next('terminated');
        const consoleText = s.outputs('console').map(e => e.body.output).join('');
        assert.match(consoleText, /PASS line 3: expect rank/);
        assert.match(consoleText, /FAIL line 4: expect text/);
        assert.match(consoleText, /FAILED: 1 of 2 expectation\(s\)/);
        const report = s.log.find(e => e.event === 'output' && /FAIL line 4/.test(e.body.output));
        const terminated = s.log.find(e => e.event === 'terminated');
        assert.ok(s.log.indexOf(report) < s.log.indexOf(terminated), 'the report comes before terminated');
    } finally {
        await s.close();
    }
});
