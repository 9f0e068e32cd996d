// End-to-end in a real VS Code (code-server, installed once into a cache folder outside the repo by
// vscode-extension/scripts/install-code-server.sh), driven through Debian's chromium by playwright-core like a person would:
// open the forward listing, click the gutter on a layer-11 line, F5, inspect, Show as Heatmap, step, continue
// through 3 tokens, stop. Screenshots of each moment go to test-artifacts/e2e/.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { DapClient } from '../dap-client.mjs';
import { extDir, repoDir, repoProgram, testModel } from '../fixtures.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VSIX = path.join(repoDir, 'artifacts', 'llm-debug-linux-x64.vsix');
const artifacts = path.join(repoDir, 'test-artifacts', 'e2e');
const PROMPT = 'In the beginning God created';
const TOKENS = 3;

let tmp, ws, server, browser, page, serverLog = '', modelName, listingPath, breakLine, expectedText;
let shot = 0;
const snap = async name => page?.screenshot({ path: path.join(artifacts, `${String(++shot).padStart(2, '0')}-${name}.png`) }).catch(() => {});

function freePort() {
  return new Promise(resolve => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

async function waitHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { const r = await fetch(url); if (r.ok) return; } catch { /* not yet */ }
    await new Promise(r => setTimeout(r, 300));
  }
  throw new Error(`code-server did not answer ${url} within ${ms} ms:\n${serverLog.slice(-3000)}`);
}

/** The generated text, from the same adapter headless (greedy decoding is deterministic). */
async function expectedGeneration(model) {
  const dap = new DapClient('dotnet', ['exec', repoProgram('LlmDebug.DebugAdapter', 'llmdebug-dap')]);
  try {
    await dap.request('initialize', { adapterID: 'llm' });
    const init = dap.waitFor('initialized');
    await dap.request('launch', { model, prompt: PROMPT, maxNewTokens: TOKENS, listing: path.join(tmp, 'headless.llmlisting') });
    await init;
    const done = dap.waitFor('terminated', 120000);
    await dap.request('configurationDone');
    await done;
    return dap.events.filter(e => e.event === 'output' && e.body.category === 'stdout').map(e => e.body.output).join('');
  } finally {
    dap.kill();
  }
}

before(async () => {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const launcher = execFileSync('bash', [path.join(extDir, 'scripts', 'install-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  assert.ok(existsSync(VSIX), `${VSIX} is missing: run npm run package first`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'llmdebug-e2e-'));
  const home = path.join(tmp, 'home'), userData = path.join(tmp, 'user-data'), extensions = path.join(tmp, 'extensions');
  for (const d of [home, userData, extensions, path.join(userData, 'User')]) mkdirSync(d, { recursive: true });
  // a workspace whose path has a space and non-ASCII characters
  ws = path.join(tmp, 'Genesis wörkspace');
  const model = testModel();
  modelName = path.basename(model);
  mkdirSync(path.join(ws, 'models'), { recursive: true });
  symlinkSync(model, path.join(ws, 'models', modelName));
  listingPath = path.join(ws, '.vscode', 'llmdebug', `${modelName}.llmlisting`);
  mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  writeFileSync(path.join(ws, '.vscode', 'launch.json'), JSON.stringify({
    version: '0.2.0',
    configurations: [{
      type: 'llm', request: 'launch', name: 'Debug sample', model: `\${workspaceFolder}/models/${modelName}`, prompt: PROMPT, maxNewTokens: TOKENS + 2,
      listing: `\${workspaceFolder}/.vscode/llmdebug/${modelName}.llmlisting`,
    }],
  }, null, 2));
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
    'chat.disableAIFeatures': true, 'chat.commandCenter.enabled': false, 'chat.agent.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden', 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false, 'typescript.disableAutomaticTypeAcquisition': true,
    'security.workspace.trust.enabled': false, 'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false,
    'telemetry.telemetryLevel': 'off', 'editor.minimap.enabled': false, 'debug.toolBarLocation': 'floating',
    'debug.internalConsoleOptions': 'openOnSessionStart', 'window.commandCenter': false, 'update.mode': 'none',
    'workbench.enableExperiments': false, 'extensions.ignoreRecommendations': true,
  }, null, 2));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), XDG_CACHE_HOME: path.join(home, '.cache') };
  // the NuGet cache stays the machine's (libtorch restored once per user, as for a real user)
  env.NUGET_PACKAGES = process.env.NUGET_PACKAGES ?? path.join(os.homedir(), '.nuget', 'packages');
  execFileSync(launcher, ['--install-extension', VSIX, '--extensions-dir', extensions, '--user-data-dir', userData], { env, stdio: 'inherit' });
  expectedText = await expectedGeneration(model);
  const port = await freePort();
  server = spawn(launcher, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--extensions-dir', extensions, '--user-data-dir', userData, ws], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  server.stdout.on('data', d => { serverLog += d; });
  server.stderr.on('data', d => { serverLog += d; });
  await waitHttp(`http://127.0.0.1:${port}/healthz`, 60000);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], headless: true });
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
  await page.locator('.explorer-folders-view, .part.sidebar').first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(2000);
});

after(async () => {
  await snap('final');
  await browser?.close().catch(() => {});
  if (server?.pid) { try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ } }
  writeFileSync(path.join(artifacts, 'code-server.log'), serverLog);
  if (tmp && !process.env.KEEP_E2E_TMP) rmSync(tmp, { recursive: true, force: true });
});

/** Runs a command from the palette; retries because extension commands can show up a moment late. */
async function runCommand(title) {
  for (let attempt = 0; attempt < 8; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10000 });
    await input.fill('>' + title);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 2500 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      await page.waitForTimeout(1500);
    }
  }
  throw new Error(`command "${title}" never appeared in the palette`);
}

const callStackRows = () => page.locator('.debug-call-stack .monaco-list-row');
async function topFrameText() { return (await callStackRows().filter({ hasText: /blocks|step|hook|logits/ }).first().textContent()) ?? ''; }
async function waitTopFrame(re, ms = 60000) {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    last = await topFrameText().catch(() => '');
    if (re.test(last)) return last;
    await page.waitForTimeout(300);
  }
  throw new Error(`top frame never matched ${re}; last: ${last}`);
}

/** The webview's document (two iframes deep in VS Code). */
const webview = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

test('debug a model in VS Code: breakpoint on layer 11, variables, heatmap, step, continue, stop', async () => {
  // 1. open the forward listing
  await runCommand('LLM Debug: Open Forward Listing');
  const tab = page.locator('.tabs-container .tab', { hasText: `${modelName}.llmlisting` });
  await tab.waitFor({ timeout: 30000 });
  const lines = readFileSync(listingPath, 'utf8').split('\n');
  breakLine = lines.findIndex(l => l.trim().startsWith('blocks.11.attn.hook_pattern')) + 1;
  assert.ok(breakLine > 0);
  // syntax colouring: the grammar gives hook names their own token class
  await page.keyboard.press('Control+g');
  await page.keyboard.type(String(breakLine));
  await page.keyboard.press('Enter');
  const line = page.locator('.monaco-editor .view-line', { hasText: 'blocks.11.attn.hook_pattern' }).first();
  await line.waitFor({ timeout: 10000 });
  const spans = await line.locator('span span').evaluateAll(ss => new Set(ss.map(s => s.className)).size);
  assert.ok(spans >= 3, `the listing is coloured (${spans} token classes on the line)`);
  await snap('listing-open');

  // 2. click the gutter on that line
  const lineBox = await line.boundingBox();
  const glyph = await page.locator('.monaco-editor .glyph-margin').first().boundingBox();
  await page.mouse.move(glyph.x + glyph.width / 2, lineBox.y + lineBox.height / 2);
  await page.mouse.click(glyph.x + glyph.width / 2, lineBox.y + lineBox.height / 2);
  await page.locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 10000 });
  await snap('breakpoint-set');

  // 3. start debugging (F5 with the workspace's launch.json)
  await line.click();
  await page.keyboard.press('F5');
  const top = await waitTopFrame(/blocks\.11\.attn\.hook_pattern/, 120000);
  assert.match(top, /blocks\.11\.attn\.hook_pattern/);
  const frames = await callStackRows().allTextContents();
  assert.ok(frames.some(f => /^\s*blocks\.11\b/.test(f) || f.includes('blocks.11 ')), `a blocks.11 frame: ${frames.join(' | ')}`);
  // paused on that very line: the current-line decoration sits on the breakpoint's line
  const current = page.locator('.monaco-editor .view-overlays .debug-top-stack-frame-line').first();
  await current.waitFor({ timeout: 10000 });
  const lineNow = await page.locator('.monaco-editor .view-line', { hasText: 'blocks.11.attn.hook_pattern' }).first().boundingBox();
  const curBox = await current.boundingBox();
  assert.ok(Math.abs(curBox.y - lineNow.y) < 3, `current line highlight at y=${curBox.y}, breakpoint line at y=${lineNow.y}`);
  await snap('paused-on-layer-11');

  // 4. the Attention scope: expand it and read a tensor summary
  const varRows = page.locator('.debug-variables .monaco-list-row');
  const attentionScope = varRows.filter({ hasText: /^Attention$/ }).first();
  await attentionScope.waitFor({ timeout: 20000 });
  if ((await attentionScope.getAttribute('aria-expanded')) !== 'true') await attentionScope.click();
  const pattern = varRows.filter({ hasText: 'attn.hook_pattern' }).first();
  await pattern.waitFor({ timeout: 20000 });
  const summary = await pattern.textContent();
  assert.match(summary, /f32\[4,\d+,\d+\] min [\d.e-]+ max [\d.e-]+/);
  await snap('attention-scope');

  // 5. Show as Heatmap from the Variables context menu → the webview draws tokens and a canvas
  await pattern.click({ button: 'right' });
  const item = page.locator('.context-view .action-item', { hasText: 'Show as Heatmap' }).first();
  await item.waitFor({ timeout: 10000 });
  await snap('context-menu');
  await item.click();
  const view = webview();
  await view.locator('body[data-attention-rendered]').waitFor({ timeout: 30000 });
  const keyLabels = await view.locator('#key-labels .label').allTextContents();
  assert.ok(keyLabels.length >= 4, `token labels: ${keyLabels.join(' ')}`);
  assert.equal(keyLabels[0], 'In');
  assert.ok(keyLabels.includes('␣God'), keyLabels.join(' '));
  const painted = await view.locator('#attention-canvas').evaluate(c => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) > 30) n++;
    return n;
  });
  assert.ok(painted > 0, 'the attention canvas is not empty');
  await snap('webview-attention');

  // 6. step over (debug toolbar) → the next hook of blocks.11
  await page.locator('.debug-toolbar .codicon-debug-step-over, .debug-toolbar [aria-label^="Step Over"]').first().click();
  await waitTopFrame(/blocks\.11\.attn\.hook_z/);
  await snap('stepped-over');

  // 7. continue through 3 generated tokens: each continue stops at the breakpoint in the next token step
  const cont = page.locator('.debug-toolbar .codicon-debug-continue, .debug-toolbar [aria-label^="Continue"]').first();
  for (let step = 1; step <= TOKENS; step++) {
    await cont.click();
    await page.waitForFunction(s => [...document.querySelectorAll('.debug-call-stack .monaco-list-row')].some(r => r.textContent.includes(`step ${s} `)), step, { timeout: 60000 });
    await waitTopFrame(/blocks\.11\.attn\.hook_pattern/);
  }
  const consoleText = async () => (await page.locator('.repl .monaco-list-rows').textContent()) ?? '';
  const squash = s => s.replace(/\s+/g, '');
  await page.waitForFunction(() => !!document.querySelector('.repl .monaco-list-rows'), null, { timeout: 10000 });
  const end = Date.now() + 20000;
  while (!squash(await consoleText()).includes(squash(expectedText)) && Date.now() < end) await page.waitForTimeout(300);
  assert.ok(squash(expectedText).length > 0, 'the model generated text');
  assert.ok(squash(await consoleText()).includes(squash(expectedText)), `Debug Console shows the 3 generated tokens ${JSON.stringify(expectedText)}; console: ${(await consoleText()).slice(-500)}`);
  await snap('three-tokens-in-console');

  // the webview followed the stops: its status names the current step
  assert.match((await view.locator('#status').textContent()) ?? '', new RegExp(`step ${TOKENS} `));

  // 8. stop
  await page.locator('.debug-toolbar .codicon-debug-stop, .debug-toolbar [aria-label^="Stop"]').first().click();
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30000 });
  await view.locator('#status', { hasText: 'session ended' }).waitFor({ timeout: 10000 });
  await snap('stopped');

  // 9. the gutter breakpoint survives a restart: F5 again stops on the same listing line
  await page.keyboard.press('Escape');
  await page.locator('.part.sidebar .codicon-debug-start, .part.sidebar [aria-label^="Start Debugging"]').first().click();
  await waitTopFrame(/blocks\.11\.attn\.hook_pattern/, 120000);
  assert.equal(readFileSync(listingPath, 'utf8').split('\n')[breakLine - 1].trim().split(/\s+/)[0], 'blocks.11.attn.hook_pattern');
  // the companion view of the ended session is reused, not stacked
  await page.locator('.tab', { hasText: 'LLM: Debug sample' }).first().waitFor({ timeout: 10000 });
  assert.equal(await page.locator('.tabs-container .tab', { hasText: 'LLM: Debug sample' }).count(), 1);
  await snap('restarted-same-breakpoint');
  await page.locator('.debug-toolbar .codicon-debug-stop, .debug-toolbar [aria-label^="Stop"]').first().click();
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30000 });

  // 10. without a launch.json: F5 on the listing picks its model and asks for the prompt
  rmSync(path.join(ws, '.vscode', 'launch.json'));
  await page.waitForTimeout(1500);
  await page.locator('.tabs-container .tab', { hasText: `${modelName}.llmlisting` }).click();
  await page.keyboard.press('F5');
  const promptBox = page.locator('.quick-input-widget', { hasText: `Prompt for ${modelName}` });
  await promptBox.waitFor({ timeout: 20000 });
  await snap('asks-for-prompt');
  await promptBox.locator('input').fill('Let there be light');
  await page.keyboard.press('Enter');
  await waitTopFrame(/blocks\.11\.attn\.hook_pattern/, 120000);
  await page.waitForFunction(() => (document.querySelector('.repl .monaco-list-rows')?.textContent ?? '').includes('Let␣there␣be␣light'), null, { timeout: 20000 });
  await snap('no-launch-json-session');
  await page.locator('.debug-toolbar .codicon-debug-stop, .debug-toolbar [aria-label^="Stop"]').first().click();
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30000 });
});

test('experiment file: diagnostic squiggle on a layer that does not exist, hover, Run lens, fix, F5 stops at its break line', async () => {
  // no launch.json: F5 on the experiment must launch it by itself
  rmSync(path.join(ws, '.vscode', 'launch.json'), { force: true });
  const file = path.join(ws, 'e2e.llmdebug');
  writeFileSync(file, [
    '# end-to-end experiment on the 12-layer test model',
    `model models/${modelName}`,
    '',
    'prompt "In the beginning God created"',
    'tokens 2',
    '',
    'break blocks.5.hook_resid_pre',
    'watch topk(logits, 3)',
    'ablate blocks.12.attn head 0',
    '',
  ].join('\n'));
  const BAD_LINE = 9;
  await page.keyboard.press('Escape');

  // 1. open it (quick open) — the language server starts with the extension
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10000 });
    await input.fill('e2e.llmdebug');
    try {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'e2e.llmdebug' }).first().waitFor({ timeout: 5000 });
      await page.keyboard.press('Enter');
      break;
    } catch { await page.waitForTimeout(1000); }
  }
  await page.locator('.tabs-container .tab.active', { hasText: 'e2e.llmdebug' }).waitFor({ timeout: 20000 });
  // the TextMate grammar colours it (keyword, hook, string, number: several token classes on a line)
  const breakLineEl = page.locator('.monaco-editor .view-line', { hasText: 'break blocks.5.hook_resid_pre' }).first();
  await breakLineEl.waitFor({ timeout: 10000 });
  let classes = 0;   // tokenization runs a moment after the editor shows
  for (const until = Date.now() + 15000; classes < 2 && Date.now() < until; await page.waitForTimeout(300))
    classes = await breakLineEl.locator('span span').evaluateAll(ss => new Set(ss.map(s => s.className)).size);
  assert.ok(classes >= 2, `the experiment is coloured (${classes} token classes on the break line)`);

  // 2. the diagnostic squiggle on the out-of-range layer, and its message (with the valid range) in Problems
  const squiggle = page.locator('.monaco-editor .squiggly-error').first();
  await squiggle.waitFor({ timeout: 90000 });   // the server reads the model's config and tokenizer first
  await snap('experiment-squiggle');
  await page.locator('.statusbar-item[id="status.problems"], #status\\.problems').first().click();
  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'layer 12 does not exist' }).first();
  await problem.waitFor({ timeout: 15000 });
  const problemText = (await problem.textContent()) ?? '';
  assert.match(problemText, /layer 12 does not exist: this model has layers 0…11/);
  await snap('experiment-problems');

  // 3. code lenses above the prompt: "▶ Run" and "Debug"
  const lenses = page.locator('.monaco-editor .codelens-decoration');
  await lenses.filter({ hasText: 'Debug' }).first().waitFor({ timeout: 30000 });
  assert.match((await lenses.first().textContent()) ?? '', /Run/);

  // 4. hover a hook name: its shape for this model and prompt
  const hook = breakLineEl.locator('span span', { hasText: 'blocks.5.hook_resid_pre' }).first();
  const hb = await hook.boundingBox();
  await page.mouse.move(hb.x + 5, hb.y + hb.height / 2);
  await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  const hover = page.locator('.monaco-hover:visible', { hasText: 'blocks.5.hook_resid_pre' }).first();
  await hover.waitFor({ timeout: 20000 });
  const hoverText = (await hover.textContent()) ?? '';
  assert.match(hoverText, /blocks\.5\.hook_resid_pre\s*\[seq=\d+, d_model=\d+\]/, `hover: ${hoverText}`);
  await snap('experiment-hover');
  await page.mouse.move(5, 500);
  await page.keyboard.press('Escape');

  // 5. fix the bad line (layer 11 exists) and save: the squiggle goes away
  await breakLineEl.click();
  await page.keyboard.press('Control+g');
  await page.keyboard.type(String(BAD_LINE));
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type('ablate blocks.11.attn head 0');
  await page.keyboard.press('Control+s');
  await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .squiggly-error').length === 0, null, { timeout: 30000 });
  const saved = () => readFileSync(file, 'utf8').includes('ablate blocks.11.attn head 0');
  for (const until = Date.now() + 3000; !saved() && Date.now() < until;) await page.waitForTimeout(200);
  if (!saved()) await runCommand('File: Save');
  for (const until = Date.now() + 10000; !saved() && Date.now() < until;) await page.waitForTimeout(200);
  assert.match(readFileSync(file, 'utf8'), /^ablate blocks\.11\.attn head 0$/m);
  await snap('experiment-fixed');

  // 6. "▶ Run": llmdebug run prints the report (prediction with and without the ablation) in an output channel
  await lenses.filter({ hasText: 'Run' }).locator('a', { hasText: 'Run' }).first().click();
  const report = page.locator('.panel .monaco-editor .view-line', { hasText: 'without interventions' }).first();
  await report.waitFor({ timeout: 90000 });
  await page.locator('.panel .monaco-editor .view-line', { hasText: 'intervention: ' }).first().waitFor({ timeout: 10000 });
  await snap('experiment-run-report');

  // 7. F5 on the experiment (no launch.json): stops at its break line, with the experiment's scopes
  await breakLineEl.click();
  await page.keyboard.press('F5');
  const top = await waitTopFrame(/blocks\.5\.hook_resid_pre/, 120000);
  assert.match(top, /blocks\.5\.hook_resid_pre/);
  const varRows = page.locator('.debug-variables .monaco-list-row');
  await varRows.filter({ hasText: /^Interventions/ }).first().waitFor({ timeout: 20000 });
  await snap('experiment-paused-at-break-line');
  // the listing's gutter breakpoint (set in the first test, same model) applies too: continue → blocks.11
  await page.locator('.debug-toolbar .codicon-debug-continue, .debug-toolbar [aria-label^="Continue"]').first().click();
  await waitTopFrame(/blocks\.11\.attn\.hook_pattern/, 60000);
  await snap('experiment-paused-at-listing-breakpoint');
  await page.locator('.debug-toolbar .codicon-debug-stop, .debug-toolbar [aria-label^="Stop"]').first().click();
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30000 });
});
