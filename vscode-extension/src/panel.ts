// The companion webview: one panel per debug session, following its stops (a DebugAdapterTracker sees the
// adapter's `stopped` events). The webview asks for data through the host, which relays llm/* custom requests.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from './webview/protocol';

export function webviewHtml(template: string, opts: { cspSource: string; nonce: string; scriptUri: string; styleUri: string; title: string }): string {
  return template
    .replaceAll('{{cspSource}}', opts.cspSource)
    .replaceAll('{{nonce}}', opts.nonce)
    .replaceAll('{{scriptUri}}', opts.scriptUri)
    .replaceAll('{{styleUri}}', opts.styleUri)
    .replaceAll('{{title}}', opts.title.replace(/[<>&"']/g, c => `&#${c.charCodeAt(0)};`));
}

class SessionPanel {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private queue: HostToWebview[] = [];
  stops = 0;

  ended = false;

  constructor(public session: vscode.DebugSession, private readonly context: vscode.ExtensionContext, private readonly onDispose: () => void) {}

  /** A restarted configuration reuses the ended session's panel instead of stacking a new one. */
  rebind(session: vscode.DebugSession): void {
    this.session = session;
    this.ended = false;
    this.stops = 0;
    if (this.panel) this.panel.title = `LLM: ${session.name}`;
  }

  get visible() { return !!this.panel; }

  reveal(preserveFocus: boolean): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const root = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel('llmDebug.view', `LLM: ${this.session.name}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [root] });
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.svg');
    const template = fs.readFileSync(path.join(root.fsPath, 'index.html'), 'utf8');
    panel.webview.html = webviewHtml(template, {
      cspSource: panel.webview.cspSource,
      nonce: crypto.randomBytes(18).toString('base64'),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
      title: this.session.name,
    });
    panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m));
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
      this.onDispose();
    });
    this.panel = panel;
  }

  post(m: HostToWebview): void {
    if (!this.panel) return;
    if (!this.ready && m.type !== 'response') {
      // keep only the latest state message; a showTensor survives
      this.queue = this.queue.filter(q => q.type === 'showTensor' || q.type === 'showAttention');
      this.queue.push(m);
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        for (const q of this.queue.splice(0)) void this.panel?.webview.postMessage(q);
        if (this.stops > 0) void this.panel?.webview.postMessage({ type: 'stopped', sessionName: this.session.name } satisfies HostToWebview);
        return;
      case 'request': {
        if (!/^llm\/[a-zA-Z]+$/.test(m.command)) {
          this.post({ type: 'response', id: m.id, ok: false, error: `not an LLM Debug request: ${m.command}` });
          return;
        }
        try {
          const body = await this.session.customRequest(m.command, m.args);
          this.post({ type: 'response', id: m.id, ok: true, body });
        } catch (e) {
          this.post({ type: 'response', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
        }
        return;
      }
      case 'export':
        await exportFile(m.format, m.name, m.data);
        return;
    }
  }

  dispose(): void { this.panel?.dispose(); }
}

async function exportFile(format: 'png' | 'svg', name: string, data: string): Promise<void> {
  const safe = name.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'llm-view';
  const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(require('os').homedir());
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(base, `${safe}.${format}`), filters: format === 'png' ? { 'PNG image': ['png'] } : { 'SVG image': ['svg'] } });
  if (!target) return;
  const bytes = format === 'png' ? Buffer.from(data.replace(/^data:image\/png;base64,/, ''), 'base64') : Buffer.from(data, 'utf8');
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(`Saved ${target.fsPath}`);
}

export class PanelManager implements vscode.DebugAdapterTrackerFactory, vscode.Disposable {
  private readonly panels = new Map<string, SessionPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.disposables.push(vscode.debug.onDidTerminateDebugSession(s => this.ended(s)));
  }

  private forSession(session: vscode.DebugSession): SessionPanel {
    let p = this.panels.get(session.id);
    if (!p) {
      const [oldId, reusable] = [...this.panels.entries()].find(([, q]) => q.ended && q.visible && q.session.name === session.name) ?? [];
      if (reusable && oldId) {
        this.panels.delete(oldId);
        reusable.rebind(session);
        p = reusable;
      } else {
        p = new SessionPanel(session, this.context, () => { /* panel closed; keep the tracker state */ });
      }
      this.panels.set(session.id, p);
    }
    return p;
  }

  private ended(session: vscode.DebugSession): void {
    const p = this.panels.get(session.id);
    if (!p) return;
    p.ended = true;
    if (p.visible) p.post({ type: 'ended' });
    else this.panels.delete(session.id);
  }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      onDidSendMessage: (m: any) => {
        if (m?.type !== 'event') return;
        if (m.event === 'stopped') {
          const p = this.forSession(session);
          p.stops++;
          if (!p.visible && p.stops === 1 && vscode.workspace.getConfiguration('llmDebug').get<boolean>('openViewOnStop', true)) p.reveal(true);
          p.post({ type: 'stopped', sessionName: session.name });
        } else if (m.event === 'continued') {
          this.panels.get(session.id)?.post({ type: 'running' });
        } else if (m.event === 'terminated' || m.event === 'exited') {
          this.ended(session);
        }
      },
      onWillReceiveMessage: (m: any) => {
        if (m?.type === 'request' && ['continue', 'next', 'stepIn', 'stepOut', 'reverseContinue', 'stepBack'].includes(m.command))
          this.panels.get(session.id)?.post({ type: 'running' });
      },
      onExit: () => this.ended(session),
    };
  }

  show(session: vscode.DebugSession, then?: HostToWebview): void {
    const p = this.forSession(session);
    p.reveal(false);
    if (then) p.post(then);
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
    for (const d of this.disposables) d.dispose();
  }
}
