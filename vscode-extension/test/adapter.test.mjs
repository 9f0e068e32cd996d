// The adapter's custom requests for the webview (llm/*), against the real adapter and a 12-layer model.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DapClient } from './dap-client.mjs';
import { repoProgram, testModel } from './fixtures.mjs';

const INJECTION = 'a<b & "q" </script><img src=x onerror=alert(1)>';
let dap, tmp, listing;

function floats(b64) {
  const buf = Buffer.from(b64, 'base64');
  return Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'llmdebug adapter ✓ '));
  listing = path.join(tmp, 'listing dir', 'model.llmlisting');
  dap = new DapClient('dotnet', ['exec', repoProgram('LlmDebug.DebugAdapter', 'llmdebug-dap')]);
  await dap.request('initialize', { adapterID: 'llm', linesStartAt1: true, columnsStartAt1: true });
  const initialized = dap.waitFor('initialized');
  await dap.request('launch', { model: testModel(), prompt: INJECTION, maxNewTokens: 2, listing });
  await initialized;
  const text = readFileSync(listing, 'utf8').split('\n');
  const line = text.findIndex(l => l.trim().startsWith('blocks.11.attn.hook_pattern')) + 1;
  const bps = await dap.request('setBreakpoints', { source: { path: listing }, breakpoints: [{ line }] });
  assert.equal(bps.breakpoints[0].verified, true);
  const stopped = dap.waitFor('stopped');
  await dap.request('configurationDone');
  await stopped;
});

after(async () => {
  try { await dap?.request('disconnect', { terminateDebuggee: true }); } catch { /* gone */ }
  dap?.kill();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('llm/modelInfo describes the stop', async () => {
  const info = await dap.request('llm/modelInfo');
  assert.equal(info.loaded, true);
  assert.equal(info.layers, 12);
  assert.equal(info.stop.location, 'blocks.11.attn.hook_pattern');
  assert.equal(info.stop.layer, 11);
  assert.deepEqual(info.stop.attentionLayers, [...Array(12).keys()]);
  assert.equal(info.stop.tokens.join(''), INJECTION.replaceAll(' ', '␣'), 'tokens render like the Variables pane');
});

test('llm/attention returns one head as float32 with token labels', async () => {
  const info = await dap.request('llm/modelInfo');
  const n = info.stop.tokens.length;
  const a = await dap.request('llm/attention', { layer: 11, head: 1 });
  assert.equal(a.rows, n);
  assert.equal(a.cols, n);
  assert.equal(a.rowLabels.length, n);
  assert.deepEqual(a.colLabels, info.stop.tokens);
  const v = floats(a.data);
  assert.equal(v.length, n * n);
  for (let r = 0; r < n; r++) {
    const row = v.slice(r * n, (r + 1) * n);
    assert.ok(Math.abs(row.reduce((s, x) => s + x, 0) - 1) < 1e-4, `row ${r} sums to 1`);
    for (let c = r + 1; c < n; c++) assert.equal(row[c], 0, 'causal mask');
  }
  const thumb = await dap.request('llm/attention', { layer: 3, head: 0, thumbnail: 4 });
  assert.ok(thumb.rows <= 4 && thumb.cols <= 4);
  await assert.rejects(dap.request('llm/attention', { layer: 12, head: 0 }), /no layer 12/);
});

test('llm/tensor windows and bins a tensor', async () => {
  const t = await dap.request('llm/tensor', { expression: 'blocks.11.mlp.hook_pre', maxRows: 4, maxCols: 32 }).catch(e => e);
  assert.match(String(t.message ?? ''), /not run yet/);
  const { dModel, heads } = await dap.request('llm/modelInfo');   // the test model's width (random 64, sample 128)
  const r = await dap.request('llm/tensor', { expression: 'blocks.11.hook_resid_pre', maxRows: 256, maxCols: 16 });
  assert.deepEqual(r.shape.length, 2);
  assert.equal(r.totalCols, dModel);
  assert.equal(r.cols, 16);
  assert.equal(r.colBin, dModel / 16);
  assert.equal(floats(r.data).length, r.rows * r.cols);
  assert.match(r.summary, /^f32\[/);
  const q = await dap.request('llm/tensor', { expression: 'attn.hook_q' });
  assert.equal(q.totalCols, dModel, '[seq, heads, d_head] → positions × channels');
  const dHead = dModel / heads;
  assert.equal(q.colLabels[dHead + 1], '1·1', 'column labels are head·channel');
  const head = await dap.request('llm/tensor', { expression: 'blocks.11.attn.hook_pattern[2]' });
  const info = await dap.request('llm/modelInfo');
  assert.equal(head.totalRows, info.stop.tokens.length);
  assert.equal(head.rowLabels[0], `"${info.stop.tokens[0]}" @0`, 'a head slice keeps token labels');
});

test('llm/prediction says where the prediction appears, then gives top-k', async () => {
  const p = await dap.request('llm/prediction');
  assert.equal(p.available, false);
  assert.match(p.reason, /logits/);
  await dap.request('setFunctionBreakpoints', { breakpoints: [{ name: 'logits' }] });
  const stopped = dap.waitFor('stopped');
  await dap.request('continue', { threadId: 1 });
  await stopped;
  const q = await dap.request('llm/prediction', { k: 5 });
  assert.equal(q.available, true);
  assert.equal(q.items.length, 5);
  const total = q.items.reduce((s, i) => s + i.probability, 0);
  assert.ok(total > 0 && total <= 1.0001);
  assert.ok(q.items[0].probability >= q.items[4].probability);
});
