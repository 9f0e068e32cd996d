// Experiment files (*.llmdebug): the language server's "▶ Run" and "Debug" code lenses, and reading the model
// line so F5 on an experiment can put its forward listing where gutter breakpoints already are.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { ensureLibtorch } from './libtorch';
import { locateCli, reportSetupError } from './locate';

export const EXPERIMENT_EXT = '.llmdebug';

export const isExperiment = (file: string | undefined): file is string => !!file && file.toLowerCase().endsWith(EXPERIMENT_EXT);

/** The command arguments the server puts on its code lenses: [uri (string), promptIndex]; a Uri works too. */
function fileOf(uri: unknown): string | undefined {
  if (uri instanceof vscode.Uri) return uri.scheme === 'file' ? uri.fsPath : undefined;
  if (typeof uri === 'string') {
    const u = vscode.Uri.parse(uri);
    return u.scheme === 'file' ? u.fsPath : undefined;
  }
  const doc = vscode.window.activeTextEditor?.document;
  return doc && isExperiment(doc.fileName) ? doc.fileName : undefined;
}

/** Saves an open, modified experiment first: the run and the debugger read the file from disk. */
async function saveIfDirty(file: string): Promise<void> {
  const doc = vscode.workspace.textDocuments.find(d => d.uri.scheme === 'file' && d.uri.fsPath === file);
  if (doc?.isDirty) await doc.save();
}

/**
 * The experiment's model folder, absolute, from its `model` line (relative to the file; may be quoted; `#` starts
 * a comment). Undefined when there is none — the adapter then reports the file's errors itself.
 */
export function experimentModel(file: string): string | undefined {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return undefined; }
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*model\s+(?:"((?:[^"\\]|\\.)*)"|([^#]*?))\s*(?:#.*)?$/.exec(line);
    if (!m) continue;
    const value = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
    return value ? path.resolve(path.dirname(file), value) : undefined;
  }
  return undefined;
}

export class ExperimentCommands {
  private readonly output = vscode.window.createOutputChannel('LLM Debug: Experiments');

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.OutputChannel) {
    context.subscriptions.push(
      this.output,
      vscode.commands.registerCommand('llmdebug.runExperiment', (uri?: unknown, promptIndex?: number) => this.run(uri, promptIndex)),
      vscode.commands.registerCommand('llmdebug.debugExperiment', (uri?: unknown, promptIndex?: number) => this.debug(uri, promptIndex)),
    );
  }

  /** "▶ Run": `llmdebug run FILE --prompt N` without stopping; the report (and the exit status) in an output channel. */
  async run(uri: unknown, promptIndex?: number): Promise<number | undefined> {
    const file = fileOf(uri);
    if (!file) {
      void vscode.window.showWarningMessage('LLM Debug: open an experiment file (.llmdebug) to run it.');
      return undefined;
    }
    try {
      await saveIfDirty(file);
      const cli = locateCli(this.context.extensionPath);
      const native = await ensureLibtorch(cli, this.context.globalStorageUri, this.log);
      const args = [...cli.args.slice(0, 1), ...native.hostArgs, ...cli.args.slice(1), 'run', file];
      if (typeof promptIndex === 'number') args.push('--prompt', String(promptIndex + 1));
      this.output.clear();
      this.output.show(true);
      this.output.appendLine(`$ llmdebug run ${JSON.stringify(path.basename(file))}${typeof promptIndex === 'number' ? ` --prompt ${promptIndex + 1}` : ''}`);
      this.log.appendLine(`[run] ${cli.command} ${args.map(a => JSON.stringify(a)).join(' ')}`);
      const code = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Running ${path.basename(file)}` }, () =>
        new Promise<number>((resolve, reject) => {
          // an argument array, never a shell line
          const child = spawn(cli.command, args, {
            cwd: path.dirname(file),
            env: { ...process.env, ...native.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
          });
          child.stdout.on('data', (b: Buffer) => this.output.append(b.toString()));
          child.stderr.on('data', (b: Buffer) => this.output.append(b.toString()));
          child.on('error', reject);
          child.on('close', c => resolve(c ?? -1));
        }));
      const verdict = code === 0 ? 'all expectations passed' : code === 1 ? 'an expectation failed' : `errors in the file or the model (exit ${code})`;
      this.output.appendLine(`\n[${verdict}]`);
      if (code === 0) void vscode.window.setStatusBarMessage(`LLM Debug: ${path.basename(file)}: ${verdict}`, 5000);
      else void vscode.window.showWarningMessage(`LLM Debug: ${path.basename(file)}: ${verdict} — see the "LLM Debug: Experiments" output.`);
      return code;
    } catch (e) {
      await reportSetupError(e);
      return undefined;
    }
  }

  /** "Debug": the debug adapter with the file as the program (its break lines and listing breakpoints apply). */
  async debug(uri: unknown, promptIndex?: number): Promise<boolean> {
    const file = fileOf(uri);
    if (!file) {
      void vscode.window.showWarningMessage('LLM Debug: open an experiment file (.llmdebug) to debug it.');
      return false;
    }
    await saveIfDirty(file);
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
    const config: vscode.DebugConfiguration = {
      type: 'llm', request: 'launch', name: `Debug ${path.basename(file)}`, program: file,
      ...(typeof promptIndex === 'number' ? { promptIndex } : {}),
    };
    return vscode.debug.startDebugging(folder, config);
  }
}
