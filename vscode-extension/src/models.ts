// Model folders, forward listings and the link between them.
import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { SetupError, locateCli } from './locate';

export const LISTING_EXT = '.llmlisting';
const MAP_KEY = 'llmDebug.listingModels';

/** A Hugging Face model folder: config.json plus weights. */
export function isModelFolder(dir: string): boolean {
  try {
    if (!fs.statSync(path.join(dir, 'config.json')).isFile()) return false;
    return fs.readdirSync(dir).some(f => f.endsWith('.safetensors') || f === 'model.safetensors.index.json');
  } catch {
    return false;
  }
}

/** Where the listing of a model goes: the workspace's .vscode/llmdebug folder (never inside the model folder). */
export function defaultListingPath(model: string, folder: vscode.WorkspaceFolder | undefined, storage: vscode.Uri): string {
  const name = path.basename(path.resolve(model)) || 'model';
  const ws = folder ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(model)) ?? vscode.workspace.workspaceFolders?.[0];
  if (ws && ws.uri.scheme === 'file') return path.join(ws.uri.fsPath, '.vscode', 'llmdebug', name + LISTING_EXT);
  const hash = crypto.createHash('sha256').update(path.resolve(model)).digest('hex').slice(0, 10);
  return path.join(storage.fsPath, 'listings', `${name}-${hash}${LISTING_EXT}`);
}

export class ModelRegistry {
  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.OutputChannel) {}

  remember(listing: string, model: string): void {
    const map = this.context.workspaceState.get<Record<string, string>>(MAP_KEY, {});
    map[path.resolve(listing)] = path.resolve(model);
    void this.context.workspaceState.update(MAP_KEY, map);
  }

  modelOfListing(listing: string): string | undefined {
    const map = this.context.workspaceState.get<Record<string, string>>(MAP_KEY, {});
    const known = map[path.resolve(listing)];
    if (known && isModelFolder(known)) return known;
    return undefined;
  }

  /** Model folders in the workspace (config.json + safetensors), for pickers. */
  async workspaceModels(): Promise<string[]> {
    const configs = await vscode.workspace.findFiles('**/config.json', '{**/node_modules/**,**/.git/**,**/bin/**,**/obj/**}', 200);
    const dirs = configs.map(u => path.dirname(u.fsPath)).filter(isModelFolder);
    for (const ws of vscode.workspace.workspaceFolders ?? []) if (isModelFolder(ws.uri.fsPath)) dirs.unshift(ws.uri.fsPath);
    return [...new Set(dirs)].sort();
  }

  /** The model the user most likely means: the active listing's, the folder of the active file, the only one in the workspace, or a pick. */
  async guessModel(ask: boolean): Promise<string | undefined> {
    const doc = vscode.window.activeTextEditor?.document;
    if (doc?.uri.scheme === 'file') {
      if (doc.fileName.endsWith(LISTING_EXT)) {
        const m = this.modelOfListing(doc.fileName) ?? (await this.byListingName(doc.fileName));
        if (m) return m;
      }
      for (let d = path.dirname(doc.fileName), i = 0; i < 4 && d !== path.dirname(d); d = path.dirname(d), i++)
        if (isModelFolder(d)) return d;
    }
    const models = await this.workspaceModels();
    if (models.length === 1) return models[0];
    if (!ask) return undefined;
    if (models.length > 1) {
      const pick = await vscode.window.showQuickPick(models.map(m => ({ label: path.basename(m), description: vscode.workspace.asRelativePath(m), model: m })), { title: 'Which model?', placeHolder: 'A Hugging Face model folder (config.json + model.safetensors)' });
      return pick?.model;
    }
    const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Choose a model folder (config.json + model.safetensors)' });
    const dir = chosen?.[0]?.fsPath;
    if (dir && !isModelFolder(dir)) {
      void vscode.window.showErrorMessage(`${dir} is not a model folder: it needs config.json and a .safetensors file.`);
      return undefined;
    }
    return dir;
  }

  /** .vscode/llmdebug/NAME.llmlisting → a workspace model folder named NAME. */
  private async byListingName(listing: string): Promise<string | undefined> {
    const name = path.basename(listing, LISTING_EXT);
    const hits = (await this.workspaceModels()).filter(m => path.basename(m) === name);
    return hits.length === 1 ? hits[0] : undefined;
  }

  /** Writes the forward listing of <model> with the CLI (config.json only, no weights) and returns its path. */
  async writeListing(model: string, folder?: vscode.WorkspaceFolder): Promise<string> {
    const out = defaultListingPath(model, folder, this.context.globalStorageUri);
    const modelDir = path.resolve(model) + path.sep;
    if (path.resolve(out).startsWith(modelDir)) throw new SetupError(`The listing would go inside the model folder (${out}); open the model's parent folder as the workspace instead.`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // `llmdebug listing` reads config.json only: it needs neither the weights nor libtorch
    const cli = locateCli(this.context.extensionPath);
    const args = [...cli.args, 'listing', '--model', model, '--out', out];
    this.log.appendLine(`[listing] ${cli.command} ${args.map(a => JSON.stringify(a)).join(' ')}`);
    await new Promise<void>((resolve, reject) =>
      execFile(cli.command, args, { timeout: 60_000 }, (err, stdout, stderr) => {
        if (stdout) this.log.append(stdout);
        if (stderr) this.log.append(stderr);
        if (err) reject(new SetupError(`Could not write the forward listing of ${model}: ${(stderr || err.message).trim()}`));
        else resolve();
      }));
    this.remember(out, model);
    return out;
  }
}
