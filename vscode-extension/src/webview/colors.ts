// Colour helpers: theme colours read from VS Code's CSS variables, per-head hues, a clipped diverging scale.

export type RGB = [number, number, number];

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour → RGB (via a 1×1 canvas, so named/hex/rgb()/var-resolved values all work). */
export function parseColor(css: string, fallback: RGB): RGB {
  if (!css.trim()) return fallback;
  probe ??= document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!probe) return fallback;
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = '#000';
  probe.fillStyle = css.trim();
  probe.fillRect(0, 0, 1, 1);
  const d = probe.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2]];
}

export interface Theme { bg: RGB; fg: RGB; dark: boolean; neg: RGB; pos: RGB; fgCss: string; bgCss: string; mutedCss: string; font: string }

export function readTheme(): Theme {
  const cs = getComputedStyle(document.documentElement);
  const bgCss = cs.getPropertyValue('--vscode-editor-background').trim() || '#ffffff';
  const fgCss = cs.getPropertyValue('--vscode-editor-foreground').trim() || cs.getPropertyValue('--vscode-foreground').trim() || '#1f1f1f';
  const mutedCss = cs.getPropertyValue('--vscode-descriptionForeground').trim() || '#6b6b6b';
  const bg = parseColor(bgCss, [255, 255, 255]);
  const fg = parseColor(fgCss, [31, 31, 31]);
  const dark = luminance(bg) < 0.4;
  const font = cs.getPropertyValue('--vscode-editor-font-family').trim() || 'monospace';
  // RdBu ends; a touch brighter on dark backgrounds
  return { bg, fg, dark, neg: dark ? [80, 150, 230] : [33, 102, 172], pos: dark ? [235, 90, 80] : [178, 24, 43], fgCss, bgCss, mutedCss, font };
}

export function luminance([r, g, b]: RGB): number {
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

/** Distinct hue per head (BertViz-style), as RGB. */
export function headColor(head: number, heads: number, dark: boolean): RGB {
  const h = (head * 360) / Math.max(1, heads);
  return hslToRgb(h, 0.7, dark ? 0.6 : 0.45);
}

export function cssRgb([r, g, b]: RGB): string { return `rgb(${r},${g},${b})`; }

function hslToRgb(h: number, s: number, l: number): RGB {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

export function mix(a: RGB, b: RGB, t: number, out: Uint8ClampedArray, i: number): void {
  out[i] = a[0] + (b[0] - a[0]) * t;
  out[i + 1] = a[1] + (b[1] - a[1]) * t;
  out[i + 2] = a[2] + (b[2] - a[2]) * t;
  out[i + 3] = 255;
}

/** Diverging colour of value v with the scale clipped at ±clip (zero = background). NaN/Inf: the foreground colour. */
export function diverging(v: number, clip: number, theme: Theme, out: Uint8ClampedArray, i: number): void {
  if (!Number.isFinite(v)) { mix(theme.fg, theme.fg, 0, out, i); return; }
  const t = clip > 0 ? Math.min(1, Math.abs(v) / clip) : 0;
  mix(theme.bg, v < 0 ? theme.neg : theme.pos, t, out, i);
}

/** The p-quantile of |x| over finite values (sampled for large arrays), used to clip the colour scale. */
export function absQuantile(x: Float32Array, p: number): number {
  const step = Math.max(1, Math.floor(x.length / 20000));
  const vals: number[] = [];
  for (let i = 0; i < x.length; i += step) if (Number.isFinite(x[i])) vals.push(Math.abs(x[i]));
  if (!vals.length) return 0;
  vals.sort((a, b) => a - b);
  return vals[Math.min(vals.length - 1, Math.floor(p * (vals.length - 1)))];
}

export function decodeFloats(b64: string): Float32Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  // the adapter sends little-endian float32; DataView reads it right on any host
  const n = bytes.length >> 2;
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}
