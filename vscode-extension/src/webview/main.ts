// The companion webview: attention (head view + model view), activation heatmap, top-k prediction.
// Safety: every piece of model-derived text (tokens, hook names, errors) goes in via textContent or canvas
// fillText — never innerHTML — and the page runs under a nonce CSP with no remote resources.
import { Theme, RGB, absQuantile, cssRgb, decodeFloats, diverging, headColor, mix, readTheme } from './colors';
import type { HostToWebview, MatrixBody, ModelInfoBody, PredictionBody, TensorBody } from './protocol';

interface VsCodeApi { postMessage(m: unknown): void; getState(): any; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const api = acquireVsCodeApi();

type Tab = 'attention' | 'model' | 'activations' | 'prediction';
const WINDOW = 48; // tokens shown at readable size; longer prompts get a window + overview

const saved = api.getState() ?? {};
const state = {
  tab: (saved.tab ?? 'attention') as Tab,
  layer: (saved.layer ?? -1) as number,
  head: (saved.head ?? 0) as number,
  tensor: saved.tensor as { expression: string; frameId?: number } | undefined,
  follow: saved.follow ?? true,
  clip: (saved.clip ?? 0.99) as number,
  qStart: -1, kStart: -1,
  info: undefined as ModelInfoBody | undefined,
  running: false, ended: false,
  generation: 0,
};
const persist = () => api.setState({ tab: state.tab, layer: state.layer, head: state.head, tensor: state.tensor, follow: state.follow, clip: state.clip });

// ---------- requests through the host ----------
let nextId = 1;
const pending = new Map<number, { resolve: (b: any) => void; reject: (e: Error) => void }>();
function request<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    api.postMessage({ type: 'request', id, command, args });
  });
}

// ---------- tiny DOM helpers (text only) ----------
function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}
function clear(e: Element) { while (e.firstChild) e.firstChild.remove(); }

// ---------- layout ----------
const app = document.getElementById('app')!;
const status = el('div', { class: 'status', id: 'status', 'aria-live': 'polite' }, 'waiting for the debugger to stop…');
const tabs: Record<Tab, HTMLButtonElement> = {
  attention: el('button', { role: 'tab', id: 'tab-attention' }, 'Attention'),
  model: el('button', { role: 'tab', id: 'tab-model' }, 'Model view'),
  activations: el('button', { role: 'tab', id: 'tab-activations' }, 'Activations'),
  prediction: el('button', { role: 'tab', id: 'tab-prediction' }, 'Prediction'),
};
const pngButton = el('button', { id: 'export-png', title: 'Save the current view as PNG' }, 'PNG');
const svgButton = el('button', { id: 'export-svg', title: 'Save the current view as SVG' }, 'SVG');
const view = el('main', { id: 'view' });
const tip = el('div', { class: 'tip', id: 'tip', role: 'tooltip' });
app.append(el('header', {}, status, el('div', { class: 'tabs', role: 'tablist' }, ...Object.values(tabs)), pngButton, svgButton), view, tip);
for (const [name, b] of Object.entries(tabs) as [Tab, HTMLButtonElement][]) b.addEventListener('click', () => { state.tab = name; persist(); render(); });

let theme: Theme = readTheme();
new MutationObserver(() => { theme = readTheme(); render(); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function showTip(ev: MouseEvent, text: string | null) {
  if (text === null) { tip.style.display = 'none'; return; }
  tip.textContent = text;
  tip.style.display = 'block';
  const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
  const y = Math.min(ev.clientY + 14, window.innerHeight - tip.offsetHeight - 4);
  tip.style.left = `${Math.max(0, x)}px`;
  tip.style.top = `${Math.max(0, y)}px`;
}

/** What the export buttons save, set by the view on screen. */
let exporter: { name: string; png: () => HTMLCanvasElement | null; svg?: () => string | null } | null = null;

function message(text: string, cls = 'message') { clear(view); view.append(el('div', { class: cls }, text)); exporter = null; }

function setStatus() {
  const s = state.info?.stop;
  status.classList.toggle('running', state.running || state.ended);
  if (state.ended) status.textContent = 'session ended — showing the last stop';
  else if (state.running) status.textContent = 'running…';
  else if (!s) status.textContent = state.info?.loaded ? 'not stopped' : 'waiting for the debugger to stop…';
  else status.textContent = `${state.info!.name} · step ${s.step} · ${s.location} (line ${s.line}, ${s.reason}) · ${s.tokens.length} tokens`;
}

async function refresh() {
  const gen = ++state.generation;
  try {
    const info = await request<ModelInfoBody>('llm/modelInfo');
    if (gen !== state.generation) return;
    state.info = info;
    state.running = false;
    const s = info.stop;
    // follow the stop: show the layer execution is in once its attention exists, else keep a still-valid choice
    if (s && s.layer != null && s.attentionLayers.includes(s.layer)) state.layer = s.layer;
    else if (s && (state.layer < 0 || !s.attentionLayers.includes(state.layer)))
      state.layer = s.attentionLayers.length ? s.attentionLayers[s.attentionLayers.length - 1] : (s.layer ?? 0);
    if (state.head >= (info.heads ?? 1)) state.head = 0;
    state.qStart = state.kStart = -1;
    if (state.follow) state.tensor = s?.hook ? { expression: s.hook } : undefined;
    persist();
  } catch (e) {
    if (gen !== state.generation) return;
    state.info = undefined;
    status.textContent = `cannot read the stop: ${errorText(e)}`;
    return;
  }
  setStatus();
  await render();
}

function errorText(e: unknown) { return e instanceof Error ? e.message : String(e); }

async function render() {
  for (const [name, b] of Object.entries(tabs) as [Tab, HTMLButtonElement][]) b.setAttribute('aria-selected', String(name === state.tab));
  const info = state.info;
  if (!info?.stop) { setStatus(); message(state.ended ? 'The session has ended.' : 'Nothing to show until the debugger stops (set a breakpoint in the forward listing).'); return; }
  const gen = state.generation;
  try {
    if (state.tab === 'attention') await renderAttention(gen);
    else if (state.tab === 'model') await renderModelView(gen);
    else if (state.tab === 'activations') await renderActivations(gen);
    else await renderPrediction(gen);
  } catch (e) {
    if (gen === state.generation) message(errorText(e), 'message error');
  }
}

// ---------- attention: head view ----------
interface Attn { m: MatrixBody; values: Float32Array }
const attnCache = new Map<string, Attn>();

async function fetchAttention(layer: number, head: number, gen: number): Promise<Attn> {
  const key = `${gen}:${layer}:${head}`;
  const hit = attnCache.get(key);
  if (hit) return hit;
  const m = await request<MatrixBody>('llm/attention', { layer, head });
  const a = { m, values: decodeFloats(m.data) };
  if (attnCache.size > 32) attnCache.clear();
  attnCache.set(key, a);
  return a;
}

async function renderAttention(gen: number) {
  const info = state.info!, s = info.stop!;
  const heads = info.heads ?? 1;
  const layerSelect = el('select', { id: 'layer', 'aria-label': 'Layer' });
  for (let l = 0; l < (info.layers ?? 0); l++) {
    const ok = s.attentionLayers.includes(l);
    const o = el('option', { value: String(l) }, ok ? `layer ${l}` : `layer ${l} (not run yet)`);
    if (!ok) o.disabled = true;
    if (l === state.layer) o.selected = true;
    layerSelect.append(o);
  }
  layerSelect.addEventListener('change', () => { state.layer = Number(layerSelect.value); persist(); render(); });
  const headBar = el('div', { class: 'heads', role: 'group', 'aria-label': 'Head' });
  for (let h = 0; h < heads; h++) {
    const b = el('button', { 'data-head': String(h), title: `head ${h}` }, `H${h}`);
    b.style.borderBottomColor = cssRgb(headColor(h, heads, theme.dark));
    if (h === state.head) b.classList.add('active');
    b.addEventListener('click', () => { state.head = h; persist(); render(); });
    headBar.append(b);
  }
  const controls = el('div', { class: 'controls' }, el('label', {}, 'Layer'), layerSelect, el('label', {}, 'Head'), headBar);
  if (!s.attentionLayers.includes(state.layer)) {
    clear(view);
    view.append(controls, el('div', { class: 'message' }, `No attention weights yet at this stop: attention of layer ${state.layer} has not run in token step ${s.step} (or was not captured). Step to a later hook point.`));
    exporter = null;
    return;
  }
  const t0 = performance.now();
  const { m, values } = await fetchAttention(state.layer, state.head, gen);
  if (gen !== state.generation) return;
  const rows = m.rows, cols = m.cols;
  if (state.qStart < 0) state.qStart = Math.max(0, rows - WINDOW);
  if (state.kStart < 0) state.kStart = Math.max(0, cols - WINDOW);
  const qn = Math.min(WINDOW, rows), kn = Math.min(WINDOW, cols);
  const q0 = Math.min(state.qStart, rows - qn), k0 = Math.min(state.kStart, cols - kn);
  const cell = Math.max(6, Math.min(22, Math.floor(720 / Math.max(qn, kn))));
  const hc = headColor(state.head, heads, theme.dark);
  // colour ∝ weight / (largest weight of this head): single-row steps spread weight thinly; the tooltip has the exact value
  let peak = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > peak) peak = values[i];
  const norm = (v: number) => clamp01(peak > 0 ? v / peak : 0);

  // the window at readable size
  const canvas = el('canvas', { id: 'attention-canvas', 'aria-label': `attention weights, layer ${state.layer} head ${state.head}` });
  canvas.width = kn * cell; canvas.height = qn * cell;
  const ctx = canvas.getContext('2d')!;
  const small = new ImageData(kn, qn);
  for (let r = 0; r < qn; r++)
    for (let c = 0; c < kn; c++) mix(theme.bg, hc, norm(values[(q0 + r) * cols + k0 + c]), small.data, (r * kn + c) * 4);
  const tmp = el('canvas'); tmp.width = kn; tmp.height = qn; tmp.getContext('2d')!.putImageData(small, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, kn * cell, qn * cell);

  const rowLabels = el('div', { class: 'row-labels', id: 'query-labels' });
  const colLabels = el('div', { class: 'col-labels', id: 'key-labels' });
  const promptLen = s.promptLength;
  const qLabels: HTMLElement[] = [], kLabels: HTMLElement[] = [];
  for (let r = 0; r < qn; r++) {
    const pos = s.inputStart + q0 + r;
    const d = el('div', { class: 'label' + (pos >= promptLen ? ' generated' : ''), title: `query @${pos}` }, m.rowLabels[q0 + r] ?? '');
    d.style.height = d.style.lineHeight = `${cell}px`;
    if (cell < 10) d.style.fontSize = `${Math.max(6, cell - 1)}px`;
    rowLabels.append(d); qLabels.push(d);
  }
  for (let c = 0; c < kn; c++) {
    const pos = k0 + c;
    const d = el('div', { class: 'label' + (pos >= promptLen ? ' generated' : ''), title: `key @${pos}` }, m.colLabels[k0 + c] ?? '');
    d.style.width = d.style.lineHeight = `${cell}px`;
    if (cell < 10) d.style.fontSize = `${Math.max(6, cell - 1)}px`;
    colLabels.append(d); kLabels.push(d);
  }
  let hot: HTMLElement[] = [];
  canvas.addEventListener('mousemove', ev => {
    const r = Math.floor(ev.offsetY / cell), c = Math.floor(ev.offsetX / cell);
    if (r < 0 || c < 0 || r >= qn || c >= kn) { showTip(ev, null); return; }
    for (const h of hot) h.classList.remove('hot');
    hot = [qLabels[r], kLabels[c]]; for (const h of hot) h.classList.add('hot');
    const w = values[(q0 + r) * cols + k0 + c];
    showTip(ev, `layer ${state.layer} head ${state.head}\nquery @${s.inputStart + q0 + r} ${JSON.stringify(m.rowLabels[q0 + r])}\nkey   @${k0 + c} ${JSON.stringify(m.colLabels[k0 + c])}\nweight ${w.toPrecision(6)}`);
  });
  canvas.addEventListener('mouseleave', ev => { showTip(ev, null); for (const h of hot) h.classList.remove('hot'); });

  const corner = el('div', { class: 'corner label', title: `colour: weight ÷ ${peak.toPrecision(3)} (this head's largest weight)` }, `query ↓ key →\nmax ${peak.toPrecision(3)}`);
  corner.style.color = theme.mutedCss;
  const matrix = el('div', { class: 'matrix' }, corner, colLabels, rowLabels, el('div', { class: 'plot' }, canvas));
  const side = el('div', { class: 'side' }, matrix);

  // the whole matrix as an overview when it does not fit; click to move the window
  if (rows > qn || cols > kn) {
    const ov = el('canvas', { id: 'attention-overview', title: 'Click to move the window' });
    ov.width = cols; ov.height = rows;
    const img = new ImageData(cols, rows);
    for (let i = 0; i < rows * cols; i++) mix(theme.bg, hc, Math.sqrt(norm(values[i])), img.data, i * 4);
    const octx = ov.getContext('2d')!;
    octx.putImageData(img, 0, 0);
    octx.strokeStyle = theme.fgCss; octx.lineWidth = Math.max(1, cols / 200);
    octx.strokeRect(k0 + 0.5, q0 + 0.5, kn - 1, qn - 1);
    const scale = Math.min(1, 256 / Math.max(rows, cols)) || 1;
    ov.style.width = `${Math.max(64, cols * scale)}px`; ov.style.height = `${Math.max(rows * scale, 8)}px`;
    ov.addEventListener('click', ev => {
      const k = Math.floor(ev.offsetX / ov.clientWidth * cols), q = Math.floor(ev.offsetY / ov.clientHeight * rows);
      state.kStart = clampInt(k - Math.floor(kn / 2), 0, cols - kn);
      state.qStart = rows > qn ? clampInt(q - Math.floor(qn / 2), 0, rows - qn) : 0;
      render();
    });
    const nav = el('div', { class: 'controls' });
    const mk = (label: string, dq: number, dk: number) => {
      const b = el('button', { title: `move the window ${label}` }, label);
      b.addEventListener('click', () => { state.qStart = clampInt(q0 + dq, 0, rows - qn); state.kStart = clampInt(k0 + dk, 0, cols - kn); render(); });
      return b;
    };
    nav.append(mk('◀', 0, -WINDOW / 2), mk('▶', 0, WINDOW / 2), mk('▲', -WINDOW / 2, -WINDOW / 2), mk('▼', WINDOW / 2, WINDOW / 2));
    side.append(el('div', { class: 'overview' }, el('span', {}, `all ${rows}×${cols}; window: queries ${s.inputStart + q0}–${s.inputStart + q0 + qn - 1}, keys ${k0}–${k0 + kn - 1}`), ov, nav));
  }
  clear(view);
  view.append(controls, side);
  const ms = performance.now() - t0;
  document.body.dataset.attentionRendered = `${state.layer}:${state.head}:${rows}x${cols}`;
  document.body.dataset.renderMs = ms.toFixed(1);

  exporter = {
    name: `attention-L${state.layer}-H${state.head}`,
    png: () => composeLabelled(canvas, m.rowLabels.slice(q0, q0 + qn), m.colLabels.slice(k0, k0 + kn), cell, cell, `layer ${state.layer} head ${state.head} — attention`),
    svg: () => matrixSvg(qn, kn, (r, c) => rgbOf(values[(q0 + r) * cols + k0 + c], v => mixRgb(theme.bg, hc, norm(v))), m.rowLabels.slice(q0, q0 + qn), m.colLabels.slice(k0, k0 + kn), `layer ${state.layer} head ${state.head} — attention`, (r, c) => values[(q0 + r) * cols + k0 + c]),
  };
}

// ---------- attention: model view (layers × heads thumbnails, one request at a time) ----------
async function renderModelView(gen: number) {
  const info = state.info!, s = info.stop!;
  const layers = info.layers ?? 0, heads = info.heads ?? 0;
  const grid = el('div', { class: 'grid', id: 'model-grid' });
  grid.style.gridTemplateColumns = `auto repeat(${heads}, 58px)`;
  grid.append(el('div', {}));
  for (let h = 0; h < heads; h++) grid.append(el('div', { class: 'axis' }, `H${h}`));
  const thumbs: { layer: number; head: number; canvas: HTMLCanvasElement }[] = [];
  for (let l = 0; l < layers; l++) {
    grid.append(el('div', { class: 'axis' }, `L${l}`));
    for (let h = 0; h < heads; h++) {
      const c = el('canvas', { class: 'thumb', tabindex: '0', 'data-layer': String(l), 'data-head': String(h), title: `layer ${l} head ${h}` });
      c.width = c.height = 32;
      const open = () => { state.tab = 'attention'; state.layer = l; state.head = h; state.qStart = state.kStart = -1; persist(); render(); };
      c.addEventListener('click', open);
      c.addEventListener('keydown', ev => { if (ev.key === 'Enter' || ev.key === ' ') open(); });
      grid.append(c);
      if (s.attentionLayers.includes(l)) thumbs.push({ layer: l, head: h, canvas: c });
      else { const x = c.getContext('2d')!; x.fillStyle = theme.mutedCss; x.globalAlpha = 0.15; x.fillRect(0, 0, 32, 32); c.title += ' (not run yet at this stop)'; }
    }
  }
  clear(view);
  view.append(el('div', { class: 'message' }, `Attention of every layer and head at this stop (click one to open it). Layers not run yet in token step ${s.step} are greyed.`), grid);
  exporter = { name: 'attention-model-view', png: () => composeGrid(thumbs, layers, heads) };
  for (const t of thumbs) {
    if (gen !== state.generation || state.tab !== 'model') return;
    try {
      const m = await request<MatrixBody>('llm/attention', { layer: t.layer, head: t.head, thumbnail: 32 });
      const v = decodeFloats(m.data);
      t.canvas.width = m.cols; t.canvas.height = m.rows;
      const img = new ImageData(m.cols, m.rows);
      const hc = headColor(t.head, heads, theme.dark);
      let peak = 0;
      for (let i = 0; i < v.length; i++) if (v[i] > peak) peak = v[i];
      for (let i = 0; i < m.rows * m.cols; i++) mix(theme.bg, hc, Math.sqrt(clamp01(peak > 0 ? v[i] / peak : 0)), img.data, i * 4);
      t.canvas.getContext('2d')!.putImageData(img, 0, 0);
      t.canvas.dataset.loaded = '1';
    } catch (e) {
      t.canvas.title += ` — ${errorText(e)}`;
    }
  }
  document.body.dataset.modelViewRendered = String(thumbs.length);
}

// ---------- activations heatmap ----------
async function renderActivations(gen: number) {
  const s = state.info!.stop!;
  const follow = el('input', { type: 'checkbox', id: 'follow' }) as HTMLInputElement;
  follow.checked = state.follow;
  follow.addEventListener('change', () => { state.follow = follow.checked; if (state.follow && s.hook) state.tensor = { expression: s.hook }; persist(); render(); });
  const clip = el('input', { type: 'range', id: 'clip', min: '0.5', max: '1', step: '0.005', value: String(state.clip), title: 'Clip the colour scale at this quantile of |x|' }) as HTMLInputElement;
  const clipText = el('span', { class: 'label' }, `${(state.clip * 100).toFixed(1)}%`);
  const controls = el('div', { class: 'controls' }, el('label', {}, 'Follow the current hook point'), follow, el('label', {}, 'Clip at |x| quantile'), clip, clipText);
  const expr = state.tensor?.expression;
  if (!expr) {
    clear(view);
    view.append(controls, el('div', { class: 'message' }, `No activation at ${s.location}: a block line has no tensor of its own. Step into the block, or right-click a tensor in the Variables pane → Show as Heatmap.`));
    exporter = null;
    return;
  }
  const t = await request<TensorBody>('llm/tensor', { expression: expr, frameId: state.tensor?.frameId, maxRows: 256, maxCols: 768 });
  if (gen !== state.generation) return;
  const values = decodeFloats(t.data);
  const draw = () => {
    const c = absQuantile(values, state.clip);
    const cw = Math.max(1, Math.min(24, Math.floor(900 / t.cols)));
    const ch = Math.max(2, Math.min(20, Math.floor(480 / t.rows)));
    const small = new ImageData(t.cols, t.rows);
    for (let i = 0; i < t.rows * t.cols; i++) diverging(values[i], c, theme, small.data, i * 4);
    const tmp = el('canvas'); tmp.width = t.cols; tmp.height = t.rows; tmp.getContext('2d')!.putImageData(small, 0, 0);
    const canvas = el('canvas', { id: 'heatmap-canvas', 'aria-label': `heatmap of ${expr}` });
    canvas.width = t.cols * cw; canvas.height = t.rows * ch;
    const ctx = canvas.getContext('2d')!;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
    const rowLabels = el('div', { class: 'row-labels', id: 'heatmap-row-labels' });
    for (let r = 0; r < t.rows; r++) {
      const d = el('div', { class: 'label' }, t.rowLabels[r] ?? '');
      d.style.height = d.style.lineHeight = `${ch}px`;
      if (ch < 10) d.style.fontSize = `${Math.max(1, ch - 1)}px`;
      if (ch < 6) d.style.visibility = 'hidden';
      rowLabels.append(d);
    }
    canvas.addEventListener('mousemove', ev => {
      const r = Math.floor(ev.offsetY / ch), col = Math.floor(ev.offsetX / cw);
      if (r < 0 || col < 0 || r >= t.rows || col >= t.cols) { showTip(ev, null); return; }
      const v = values[r * t.cols + col];
      const bins = t.rowBin > 1 || t.colBin > 1 ? `\n(mean of ${t.rowBin}×${t.colBin} cells)` : '';
      showTip(ev, `${t.dims?.[0] ?? 'row'} ${t.rowStart + r * t.rowBin}: ${t.rowLabels[r] ?? ''}\n${t.dims && t.dims.length > 1 ? t.dims.slice(1).join('·') : 'column'} ${t.colStart + col * t.colBin}: ${t.colLabels[col] ?? ''}\nvalue ${Number.isFinite(v) ? v.toPrecision(6) : String(v)}${bins}`);
    });
    canvas.addEventListener('mouseleave', ev => showTip(ev, null));
    const legend = el('canvas', { id: 'legend' }); legend.width = 160; legend.height = 10;
    const limg = new ImageData(160, 10);
    for (let x = 0; x < 160; x++) for (let y = 0; y < 10; y++) diverging((x / 159) * 2 - 1, 1, theme, limg.data, (y * 160 + x) * 4);
    legend.getContext('2d')!.putImageData(limg, 0, 0);
    const title = el('div', { class: 'summary', id: 'heatmap-title' }, `${expr} — ${t.summary}`);
    const shapeNote = el('div', { class: 'summary' }, `shape [${t.shape.join(', ')}]${t.dims ? ` (${t.dims.join(', ')})` : ''} shown as ${t.totalRows} × ${t.totalCols}` +
      (t.rowBin > 1 || t.colBin > 1 ? `, binned ${t.rowBin}×${t.colBin} to ${t.rows} × ${t.cols}` : ''));
    const corner = el('div', { class: 'corner' });
    const matrix = el('div', { class: 'matrix' }, corner, el('div', { class: 'col-labels' }), rowLabels, el('div', { class: 'plot' }, canvas));
    clear(view);
    view.append(controls, title, shapeNote,
      el('div', { class: 'legend' }, el('span', {}, `−${fmt(c)}`), legend, el('span', {}, `+${fmt(c)}`), el('span', {}, `(clipped; min ${fmt(t.min)}, max ${fmt(t.max)})`)),
      matrix);
    document.body.dataset.heatmapRendered = expr;
    exporter = {
      name: `heatmap-${expr}`,
      png: () => composeLabelled(canvas, t.rowLabels, [], cw, ch, `${expr}  (±${fmt(c)})`),
      svg: () => t.rows * t.cols > 40000 ? null : matrixSvg(t.rows, t.cols, (r, col) => rgbOf(values[r * t.cols + col], v => divergingRgb(v, c)), t.rowLabels, [], `${expr} (±${fmt(c)})`, (r, col) => values[r * t.cols + col]),
    };
  };
  clip.addEventListener('input', () => { state.clip = Number(clip.value); clipText.textContent = `${(state.clip * 100).toFixed(1)}%`; persist(); draw(); });
  draw();
}

// ---------- prediction ----------
async function renderPrediction(gen: number) {
  const p = await request<PredictionBody>('llm/prediction', { k: 10 });
  if (gen !== state.generation) return;
  clear(view);
  if (!p.available) { view.append(el('div', { class: 'message' }, p.reason ?? 'No prediction at this stop.')); exporter = null; return; }
  const table = el('table', { class: 'prediction', id: 'prediction-table' },
    el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'token'), el('th', {}, 'probability'), el('th', {}, ''), el('th', {}, 'logit'), el('th', {}, 'id'))));
  const body = el('tbody');
  p.items.forEach((it, i) => {
    const bar = el('div', { class: 'bar' });
    bar.style.width = `${Math.max(1, it.probability * 200)}px`;
    body.append(el('tr', {}, el('td', {}, String(i + 1)), el('td', { class: 'token' }, it.text), el('td', {}, bar), el('td', {}, `${(it.probability * 100).toFixed(2)}%`), el('td', {}, fmt(it.logit)), el('td', {}, String(it.id))));
  });
  table.append(body);
  view.append(el('div', { class: 'message' }, `Next token after position ${p.position} (step ${p.step}):`), table);
  exporter = {
    name: `prediction-step${p.step}`,
    png: () => {
      const c = document.createElement('canvas'); c.width = 460; c.height = 24 + p.items.length * 20;
      const x = c.getContext('2d')!; x.fillStyle = theme.bgCss; x.fillRect(0, 0, c.width, c.height);
      x.font = `12px ${theme.font}`; x.fillStyle = theme.fgCss; x.fillText(`top-${p.items.length} next tokens, step ${p.step}`, 6, 14);
      p.items.forEach((it, i) => {
        const y = 24 + i * 20;
        x.fillStyle = theme.fgCss; x.fillText(it.text, 6, y + 13);
        x.fillStyle = '#3794ff'; x.fillRect(170, y + 3, Math.max(1, it.probability * 200), 12);
        x.fillStyle = theme.fgCss; x.fillText(`${(it.probability * 100).toFixed(2)}%`, 380, y + 13);
      });
      return c;
    },
    svg: () => {
      const h = 24 + p.items.length * 20;
      let out = `<svg xmlns="http://www.w3.org/2000/svg" width="460" height="${h}" font-family="monospace" font-size="12"><rect width="460" height="${h}" fill="${xml(theme.bgCss)}"/>`;
      out += `<text x="6" y="14" fill="${xml(theme.fgCss)}">${xml(`top-${p.items.length} next tokens, step ${p.step}`)}</text>`;
      p.items.forEach((it, i) => {
        const y = 24 + i * 20;
        out += `<text x="6" y="${y + 13}" fill="${xml(theme.fgCss)}" xml:space="preserve">${xml(it.text)}</text><rect x="170" y="${y + 3}" width="${Math.max(1, it.probability * 200).toFixed(1)}" height="12" fill="#3794ff"/>`;
        out += `<text x="380" y="${y + 13}" fill="${xml(theme.fgCss)}">${(it.probability * 100).toFixed(2)}%</text>`;
      });
      return out + '</svg>';
    },
  };
  document.body.dataset.predictionRendered = String(p.items.length);
}

// ---------- export ----------
function composeLabelled(plot: HTMLCanvasElement, rowLabels: string[], colLabels: string[], cw: number, ch: number, title: string): HTMLCanvasElement {
  const fontPx = Math.max(8, Math.min(12, Math.min(cw, ch) - 2));
  const meas = document.createElement('canvas').getContext('2d')!;
  meas.font = `${fontPx}px ${theme.font}`;
  const left = rowLabels.length && ch >= 6 ? Math.min(180, Math.ceil(Math.max(...rowLabels.map(l => meas.measureText(l).width))) + 8) : 4;
  const top = 22 + (colLabels.length && cw >= 6 ? Math.min(140, Math.ceil(Math.max(...colLabels.map(l => meas.measureText(l).width))) + 8) : 0);
  const c = document.createElement('canvas');
  c.width = left + plot.width + 8; c.height = top + plot.height + 8;
  const x = c.getContext('2d')!;
  x.fillStyle = theme.bgCss; x.fillRect(0, 0, c.width, c.height);
  x.fillStyle = theme.fgCss; x.font = `12px ${theme.font}`; x.fillText(title, 4, 14);
  x.font = `${fontPx}px ${theme.font}`;
  if (ch >= 6) { x.textAlign = 'right'; x.textBaseline = 'middle'; rowLabels.forEach((l, r) => x.fillText(l, left - 4, top + r * ch + ch / 2)); }
  if (cw >= 6) colLabels.forEach((l, k) => { x.save(); x.translate(left + k * cw + cw / 2, top - 4); x.rotate(-Math.PI / 2); x.textAlign = 'left'; x.textBaseline = 'middle'; x.fillText(l, 0, 0); x.restore(); });
  x.drawImage(plot, left, top);
  return c;
}

function composeGrid(thumbs: { layer: number; head: number; canvas: HTMLCanvasElement }[], layers: number, heads: number): HTMLCanvasElement {
  const size = 48, gap = 4, left = 30, top = 20;
  const c = document.createElement('canvas');
  c.width = left + heads * (size + gap); c.height = top + layers * (size + gap);
  const x = c.getContext('2d')!;
  x.fillStyle = theme.bgCss; x.fillRect(0, 0, c.width, c.height);
  x.fillStyle = theme.fgCss; x.font = `11px ${theme.font}`;
  for (let h = 0; h < heads; h++) x.fillText(`H${h}`, left + h * (size + gap) + 12, 14);
  for (let l = 0; l < layers; l++) x.fillText(`L${l}`, 2, top + l * (size + gap) + size / 2 + 4);
  x.imageSmoothingEnabled = false;
  for (const t of thumbs) x.drawImage(t.canvas, left + t.head * (size + gap), top + t.layer * (size + gap), size, size);
  return c;
}

function matrixSvg(rows: number, cols: number, color: (r: number, c: number) => string, rowLabels: string[], colLabels: string[], title: string, value: (r: number, c: number) => number): string {
  const cell = 14, left = rowLabels.length ? 160 : 4, top = colLabels.length ? 150 : 24;
  const w = left + cols * cell + 8, h = top + rows * cell + 8;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="monospace" font-size="10">`,
    `<rect width="${w}" height="${h}" fill="${xml(theme.bgCss)}"/>`, `<text x="4" y="14" font-size="12" fill="${xml(theme.fgCss)}">${xml(title)}</text>`];
  rowLabels.forEach((l, r) => parts.push(`<text x="${left - 4}" y="${top + r * cell + cell - 3}" text-anchor="end" fill="${xml(theme.fgCss)}" xml:space="preserve">${xml(l)}</text>`));
  colLabels.forEach((l, c) => parts.push(`<text transform="translate(${left + c * cell + cell - 3},${top - 4}) rotate(-90)" fill="${xml(theme.fgCss)}" xml:space="preserve">${xml(l)}</text>`));
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      parts.push(`<rect x="${left + c * cell}" y="${top + r * cell}" width="${cell}" height="${cell}" fill="${color(r, c)}"><title>${xml(String(value(r, c)))}</title></rect>`);
  parts.push('</svg>');
  return parts.join('');
}

function doExport(format: 'png' | 'svg') {
  if (!exporter) return;
  if (format === 'png') {
    const c = exporter.png();
    if (c) api.postMessage({ type: 'export', format, name: exporter.name, data: c.toDataURL('image/png') });
  } else {
    const s = exporter.svg?.();
    if (s) api.postMessage({ type: 'export', format, name: exporter.name, data: s });
  }
}
pngButton.addEventListener('click', () => doExport('png'));
svgButton.addEventListener('click', () => doExport('svg'));

// ---------- helpers ----------
function clamp01(v: number) { return Number.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0; }
function clampInt(v: number, lo: number, hi: number) { return Math.max(lo, Math.min(hi, Math.round(v))); }
function fmt(v: number | undefined | null) { return v === undefined || v === null ? '—' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toPrecision(4); }
function xml(s: string) { return s.replace(/[<>&"']/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]!)); }
function mixRgb(a: RGB, b: RGB, t: number): RGB { return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t].map(Math.round) as RGB; }
function divergingRgb(v: number, clip: number): RGB { const o = new Uint8ClampedArray(4); diverging(v, clip, theme, o, 0); return [o[0], o[1], o[2]]; }
function rgbOf(v: number, f: (v: number) => RGB) { return cssRgb(f(v)); }

// ---------- messages from the host ----------
window.addEventListener('message', (ev: MessageEvent<HostToWebview>) => {
  const m = ev.data;
  switch (m?.type) {
    case 'response': {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.body); else p.reject(new Error(m.error));
      return;
    }
    case 'stopped': state.ended = false; void refresh(); return;
    case 'running': state.running = true; state.generation++; setStatus(); return;
    case 'ended': state.ended = true; state.generation++; setStatus(); return;
    case 'showTensor': {
      // a whole attention pattern is best read in the head view (token × token, per head)
      const attn = /^(?:blocks\.(\d+)\.)?attn\.hook_pattern$/.exec(m.expression.trim());
      if (attn) {
        state.tab = 'attention';
        if (attn[1] !== undefined) state.layer = Number(attn[1]);
        else if (state.info?.stop?.layer != null) state.layer = state.info.stop.layer;
        persist();
        if (state.info?.stop) void render(); else void refresh();
        return;
      }
    }
      state.tab = 'activations'; state.follow = false; state.tensor = { expression: m.expression, frameId: m.frameId }; persist();
      if (state.info?.stop) void render(); else void refresh();
      return;
    case 'showAttention':
      state.tab = 'attention';
      if (m.layer !== undefined) state.layer = m.layer;
      if (m.head !== undefined) state.head = m.head;
      persist();
      if (state.info?.stop) void render(); else void refresh();
      return;
  }
});

api.postMessage({ type: 'ready' });
render();
