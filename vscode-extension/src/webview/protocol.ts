// Messages between the extension host and the companion webview. Data always comes from the adapter's custom
// requests (llm/*); the host only relays them for the debug session the panel belongs to.

export type HostToWebview =
  | { type: 'stopped'; sessionName: string }
  | { type: 'running' }
  | { type: 'ended' }
  | { type: 'showTensor'; expression: string; frameId?: number }
  | { type: 'showAttention'; layer?: number; head?: number }
  | { type: 'response'; id: number; ok: true; body: any }
  | { type: 'response'; id: number; ok: false; error: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'request'; id: number; command: string; args: Record<string, unknown> }
  | { type: 'export'; format: 'png' | 'svg'; name: string; data: string };

export interface MatrixBody {
  rows: number;
  cols: number;
  /** base64 of rows×cols little-endian float32, row-major */
  data: string;
  rowLabels: string[];
  colLabels: string[];
  min?: number;
  max?: number;
}

export interface TensorBody extends MatrixBody {
  expression: string;
  shape: number[];
  summary: string;
  dims?: string[];
  totalRows: number;
  totalCols: number;
  rowStart: number;
  colStart: number;
  rowBin: number;
  colBin: number;
}

export interface ModelInfoBody {
  loaded: boolean;
  name?: string;
  layers?: number;
  heads?: number;
  dModel?: number;
  stopped?: boolean;
  stop?: {
    step: number;
    location: string;
    layer?: number | null;
    hook?: string | null;
    shape?: string | null;
    line: number;
    reason: string;
    tokens: string[];
    promptLength: number;
    inputStart: number;
    inputLength: number;
    attentionLayers: number[];
    hasLogits: boolean;
  } | null;
}

export interface PredictionBody {
  available: boolean;
  reason?: string;
  step: number;
  position?: number;
  items: { text: string; id: number; probability: number; logit: number }[];
}
