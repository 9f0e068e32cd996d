// Fast webview test: the built webview bundle (dist/webview) in headless Chromium (Debian's chromium driven by
// playwright-core), under the same nonce CSP template as in VS Code, with a fake acquireVsCodeApi that answers
// the llm/* requests the way the extension host relays them from the adapter.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { extDir, repoDir } from './fixtures.mjs';

const INJECTION = 'a<b & "q" </script><img src=x onerror=alert(1)>';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = path.join(repoDir, 'test-artifacts', 'webview');
const distDir = path.join(extDir, 'dist', 'webview');

let server, origin, browser;

before(async () => {
  assert.ok(existsSync(path.join(distDir, 'main.js')), 'build the extension first (npm run build)');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  mkdirSync(artifacts, { recursive: true });
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      const nonce = randomBytes(16).toString('base64');
      const html = readFileSync(path.join(distDir, 'index.html'), 'utf8')
        .replaceAll('{{cspSource}}', origin).replaceAll('{{nonce}}', nonce)
        .replaceAll('{{scriptUri}}', `${origin}/main.js`).replaceAll('{{styleUri}}', `${origin}/main.css`)
        .replaceAll('{{title}}', 'test');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const file = path.join(distDir, path.basename(url.pathname));
    if (!existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/css' }).end(readFileSync(file));
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], headless: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Causal attention rows (softmax of random scores) for n tokens, as base64 float32 LE. */
function attention(n, seed) {
  const buf = Buffer.alloc(n * n * 4);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let r = 0; r < n; r++) {
    const e = [];
    for (let c = 0; c <= r; c++) e.push(Math.exp(3 * rnd() + (c === r ? 2 : 0)));
    const z = e.reduce((a, b) => a + b, 0);
    for (let c = 0; c <= r; c++) buf.writeFloatLE(e[c] / z, (r * n + c) * 4);
  }
  return buf.toString('base64');
}

function activations(rows, cols) {
  const buf = Buffer.alloc(rows * cols * 4);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) buf.writeFloatLE(Math.sin(r * 0.7 + c * 0.3) * (1 + (c % 7)), (r * cols + c) * 4);
  return buf.toString('base64');
}

/** Opens the webview with a fake host serving `fixture`; returns the page. */
async function openView(fixture, { dark = false } = {}) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('pageerror', e => { throw e; });
  await page.addInitScript(({ fx, dark }) => {
    window.__sent = [];
    window.__alerts = 0;
    window.__cspViolations = [];
    window.alert = () => { window.__alerts++; };
    document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    const reply = m => setTimeout(() => window.postMessage(m, '*'), 0);
    window.acquireVsCodeApi = () => ({
      getState: () => undefined,
      setState: () => {},
      postMessage: m => {
        window.__sent.push(m);
        if (m.type === 'ready') reply({ type: 'stopped', sessionName: 'test' });
        if (m.type !== 'request') return;
        const body = fx[m.command];
        if (m.command === 'llm/attention') {
          const a = fx.attention;
          if (m.args.thumbnail) reply({ type: 'response', id: m.id, ok: true, body: { ...a.thumb } });
          else reply({ type: 'response', id: m.id, ok: true, body: { ...a.full, head: m.args.head } });
        } else if (body) reply({ type: 'response', id: m.id, ok: true, body });
        else reply({ type: 'response', id: m.id, ok: false, error: `no fixture for ${m.command}` });
      },
    });
    if (dark) {
      document.addEventListener('DOMContentLoaded', () => {
        document.body.classList.add('vscode-dark');
        const s = document.documentElement.style;
        s.setProperty('--vscode-editor-background', '#1e1e1e');
        s.setProperty('--vscode-editor-foreground', '#d4d4d4');
        s.setProperty('--vscode-foreground', '#cccccc');
        s.setProperty('--vscode-descriptionForeground', '#9d9d9d');
      });
    }
  }, { fx: fixture, dark });
  await page.goto(origin + '/');
  return page;
}

function fixtureFor(tokens, { layers = 12, heads = 4, hook = 'blocks.11.attn.hook_pattern' } = {}) {
  const n = tokens.length;
  const thumbN = Math.min(n, 32);
  return {
    'llm/modelInfo': {
      loaded: true, name: 'tiny-gpt2', family: 'gpt2', layers, heads, dModel: 64, stopped: true,
      stop: { step: 0, location: hook, layer: 11, hook, shape: '[heads, query, key]', line: 200, reason: 'breakpoint', tokens, promptLength: n, inputStart: 0, inputLength: n, attentionLayers: [...Array(layers).keys()], hasLogits: false },
    },
    attention: {
      full: { layer: 11, rows: n, cols: n, data: attention(n, 7), rowLabels: tokens, colLabels: tokens, min: 0, max: 1 },
      thumb: { rows: thumbN, cols: thumbN, data: attention(thumbN, 3), rowLabels: tokens.slice(0, thumbN), colLabels: tokens.slice(0, thumbN) },
    },
    'llm/tensor': {
      expression: 'blocks.11.hook_resid_pre', shape: [n, 64], summary: 'f32[' + n + ',64] min -7 max 7', dims: ['seq', 'd_model'], totalRows: n, totalCols: 64,
      rowStart: 0, colStart: 0, rowBin: 1, colBin: 1, rows: n, cols: 64, data: activations(n, 64), rowLabels: tokens, colLabels: [...Array(64).keys()].map(String), min: -7, max: 7,
    },
    'llm/prediction': { available: true, step: 0, position: n - 1, items: [{ text: INJECTION, id: 27, probability: 0.5, logit: 3.2 }, { text: '␣the', id: 262, probability: 0.25, logit: 2.5 }] },
  };
}

const injectionTokens = ['a', '<', 'b', '␣&', '␣"', 'q', '"', '␣</', 'script', '><', 'img', '␣src', '=', 'x', '␣on', 'error', '=', 'alert', '(', '1', ')>'];

async function nonBackgroundPixels(page, selector) {
  return page.$eval(selector, c => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 30) n++;
    return n;
  });
}

test('HTML-looking prompt text shows literally and executes nothing', async () => {
  assert.equal(injectionTokens.join(''), INJECTION.replaceAll(' ', '␣'));
  const page = await openView(fixtureFor(injectionTokens));
  await page.waitForSelector('body[data-attention-rendered]');
  const keys = await page.$$eval('#key-labels .label', ls => ls.map(l => l.textContent));
  const queries = await page.$$eval('#query-labels .label', ls => ls.map(l => l.textContent));
  assert.deepEqual(keys, injectionTokens);
  assert.deepEqual(queries, injectionTokens);
  assert.ok((await nonBackgroundPixels(page, '#attention-canvas')) > 0, 'attention canvas drew something');
  // hover shows the exact weight, with the tokens as text
  const box = await page.$eval('#attention-canvas', c => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  const cell = box.w / injectionTokens.length;
  await page.mouse.move(box.x + cell * 7.5, box.y + box.h - cell / 2);
  const tipText = await page.$eval('#tip', t => t.textContent);
  assert.ok(tipText.includes('key   @7 "␣</"'), tipText);
  assert.match(tipText, /weight 0\.\d+/);
  await page.screenshot({ path: path.join(artifacts, 'injection-attention.png') });
  // prediction list: token text literally
  await page.click('#tab-prediction');
  await page.waitForSelector('#prediction-table');
  assert.equal(await page.$eval('#prediction-table tbody tr td.token', td => td.textContent), INJECTION);
  // nothing was parsed as markup or executed
  assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0);
  assert.equal(await page.evaluate(() => document.querySelectorAll('script').length), 1);
  assert.equal(await page.evaluate(() => window.__alerts), 0);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  // exports: SVG escapes the text; PNG is a PNG
  await page.click('#export-svg');
  await page.click('#tab-attention');
  await page.waitForSelector('#attention-canvas');
  await page.click('#export-png');
  const sent = await page.evaluate(() => window.__sent.filter(m => m.type === 'export'));
  assert.equal(sent.length, 2);
  assert.equal(sent[0].format, 'svg');
  assert.ok(sent[0].data.includes('a&lt;b &amp; &quot;q&quot; &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!sent[0].data.includes('<img'));
  assert.match(sent[1].data, /^data:image\/png;base64,/);
  await page.close();
});

test('a 512-token prompt: the attention view stays responsive', async () => {
  const tokens = [...Array(512).keys()].map(i => (i % 2 ? '␣tok' : 'w') + i);
  const page = await openView(fixtureFor(tokens));
  await page.waitForSelector('body[data-attention-rendered="11:0:512x512"]', { timeout: 10000 });
  const first = Number(await page.evaluate(() => document.body.dataset.renderMs));
  // switching heads re-renders (new data, decode, window, overview) — measure wall time in the page
  const ms = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('.heads button[data-head="2"]').click();
    while (document.body.dataset.attentionRendered !== '11:2:512x512') await new Promise(r => setTimeout(r, 5));
    await new Promise(r => requestAnimationFrame(() => r()));
    return performance.now() - t0;
  });
  // the window shows readable labels; the overview holds all 512 positions
  const labels = await page.$$eval('#key-labels .label', ls => ls.length);
  assert.ok(labels > 0 && labels <= 64, `windowed key labels (${labels})`);
  assert.equal(await page.$eval('#attention-overview', c => c.width), 512);
  // the main thread answers quickly after the render
  const frame = await page.evaluate(() => new Promise(r => { const t = performance.now(); requestAnimationFrame(() => r(performance.now() - t)); }));
  console.log(`512 tokens: first render ${first.toFixed(1)} ms, head switch ${ms.toFixed(1)} ms, next frame ${frame.toFixed(1)} ms`);
  assert.ok(first < 1500, `first render took ${first} ms`);
  assert.ok(ms < 1500, `head switch took ${ms} ms`);
  assert.ok(frame < 250, `next frame after ${frame} ms`);
  // clicking the overview moves the window
  await page.click('#attention-overview', { position: { x: 5, y: 5 } });
  await page.waitForFunction(() => document.querySelector('#key-labels .label')?.textContent === 'w0');
  await page.screenshot({ path: path.join(artifacts, 'attention-512.png') });
  await page.close();
});

test('model view, activation heatmap (Show as Heatmap) and dark theme', async () => {
  const tokens = ['In', '␣the', '␣beginning', '␣God', '␣created'];
  const page = await openView(fixtureFor(tokens), { dark: true });
  await page.waitForSelector('body[data-attention-rendered]');
  await page.click('#tab-model');
  await page.waitForSelector('body[data-model-view-rendered="48"]');
  assert.equal(await page.$$eval('#model-grid canvas[data-loaded]', cs => cs.length), 48);
  const requests = await page.evaluate(() => window.__sent.filter(m => m.command === 'llm/attention').map(m => m.args));
  assert.ok(requests.every(a => Number.isInteger(a.layer) && Number.isInteger(a.head)), 'one layer/head per request');
  assert.equal(requests.filter(a => a.thumbnail === 32).length, 48);
  await page.screenshot({ path: path.join(artifacts, 'model-view-dark.png') });
  await page.click('#model-grid canvas[data-layer="5"][data-head="3"]');
  await page.waitForSelector('body[data-attention-rendered="5:3:5x5"]');
  // the host's "Show as Heatmap" message
  await page.evaluate(() => window.postMessage({ type: 'showTensor', expression: 'blocks.11.hook_resid_pre', frameId: 2 }, '*'));
  await page.waitForSelector('body[data-heatmap-rendered="blocks.11.hook_resid_pre"]');
  assert.deepEqual(await page.$$eval('#heatmap-row-labels .label', ls => ls.map(l => l.textContent)), tokens);
  assert.ok((await nonBackgroundPixels(page, '#heatmap-canvas')) > 100);
  const req = await page.evaluate(() => window.__sent.filter(m => m.command === 'llm/tensor').pop().args);
  assert.equal(req.frameId, 2);
  const box = await page.$eval('#heatmap-canvas', c => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y }; });
  await page.mouse.move(box.x + 3, box.y + 3);
  assert.match(await page.$eval('#tip', t => t.textContent), /seq 0: In\nd_model 0: 0\nvalue 0\.0+/);
  await page.screenshot({ path: path.join(artifacts, 'heatmap-dark.png') });
  await page.close();
});
