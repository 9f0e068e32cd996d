// Finds dotnet, the debug adapter, the CLI and the language server: a setting, else what the extension bundles (dist/server, a
// framework-dependent `dotnet publish`), else a build of the repository this extension sits in (development).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

export class SetupError extends Error {
  constructor(message: string, readonly actions: { title: string; run: () => void }[] = []) {
    super(message);
  }
}

export interface DotnetProgram {
  /** The executable to spawn (dotnet, or an apphost) and the arguments before the program's own. */
  command: string;
  args: string[];
  /** The folder holding the program's files (to read deps.json, find native libraries). */
  folder: string;
  /** True for the copy bundled in the extension (libtorch restored separately). */
  bundled: boolean;
}

const exe = process.platform === 'win32' ? '.exe' : '';

export function findOnPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  if (process.env.DOTNET_ROOT && name === 'dotnet') dirs.push(process.env.DOTNET_ROOT);
  for (const extra of ['/usr/share/dotnet', '/usr/lib/dotnet', '/usr/local/share/dotnet', path.join(os.homedir(), '.dotnet')])
    if (name === 'dotnet') dirs.push(extra);
  for (const d of dirs) {
    const p = path.join(d, name + exe);
    try {
      if (fs.statSync(p).isFile()) return p;
    } catch { /* not here */ }
  }
  return undefined;
}

export function dotnetPath(): string {
  const configured = vscode.workspace.getConfiguration('llmDebug').get<string>('dotnetPath')?.trim();
  if (configured) {
    if (!fs.existsSync(configured)) throw new SetupError(`The setting llmDebug.dotnetPath points to "${configured}", which does not exist.`, [openSettings('llmDebug.dotnetPath')]);
    return configured;
  }
  const found = findOnPath('dotnet');
  if (!found)
    throw new SetupError(
      'LLM Debug needs the .NET 10 runtime (or SDK) to run its debug adapter, and "dotnet" was not found on PATH. ' +
        'Install .NET 10 (https://dotnet.microsoft.com/download) and restart VS Code, or set llmDebug.dotnetPath.',
      [openSettings('llmDebug.dotnetPath'), { title: 'Download .NET', run: () => vscode.env.openExternal(vscode.Uri.parse('https://dotnet.microsoft.com/download')) }],
    );
  return found;
}

export function openSettings(id: string) {
  return { title: 'Open Settings', run: () => void vscode.commands.executeCommand('workbench.action.openSettings', id) };
}

/** Repository build folders, newest first, for a dev checkout (the extension folder is <repo>/vscode-extension). */
function repoBuilds(extensionPath: string, project: string, assembly: string): string[] {
  const repo = path.resolve(extensionPath, '..');
  const found: { file: string; mtime: number }[] = [];
  for (const config of ['Release', 'Debug']) {
    const bin = path.join(repo, 'src', project, 'bin', config);
    let tfms: string[] = [];
    try { tfms = fs.readdirSync(bin); } catch { continue; }
    for (const tfm of tfms)
      for (const rid of ['', 'linux-x64', 'osx-arm64', 'osx-x64', 'win-x64']) {
        const file = path.join(bin, tfm, rid, assembly + '.dll');
        try { found.push({ file, mtime: fs.statSync(file).mtimeMs }); } catch { /* none */ }
      }
  }
  return found.sort((a, b) => b.mtime - a.mtime).map(f => f.file);
}

function fromFile(file: string, bundled: boolean): DotnetProgram {
  if (file.toLowerCase().endsWith('.dll')) return { command: dotnetPath(), args: ['exec', file], folder: path.dirname(file), bundled };
  return { command: file, args: [], folder: path.dirname(file), bundled };
}

function locate(extensionPath: string, setting: string, project: string, assembly: string, what: string): DotnetProgram {
  const configured = vscode.workspace.getConfiguration('llmDebug').get<string>(setting)?.trim();
  if (configured) {
    if (!fs.existsSync(configured)) throw new SetupError(`The setting llmDebug.${setting} points to "${configured}", which does not exist.`, [openSettings(`llmDebug.${setting}`)]);
    return fromFile(configured, false);
  }
  const bundled = path.join(extensionPath, 'dist', 'server', assembly + '.dll');
  if (fs.existsSync(bundled)) return fromFile(bundled, true);
  const dev = repoBuilds(extensionPath, project, assembly)[0];
  if (dev) return fromFile(dev, false);
  throw new SetupError(
    `The LLM Debug ${what} (${assembly}.dll) is missing: it is neither bundled in the extension (${bundled}) nor built in a repository checkout. ` +
      `Reinstall the extension's .vsix, build the repository (dotnet build), or set llmDebug.${setting}.`,
    [openSettings(`llmDebug.${setting}`)],
  );
}

export const locateAdapter = (extensionPath: string) => locate(extensionPath, 'adapterPath', 'LlmDebug.DebugAdapter', 'llmdebug-dap', 'debug adapter');
export const locateCli = (extensionPath: string) => locate(extensionPath, 'cliPath', 'LlmDebug.Cli', 'llmdebug', 'command-line tool');
export const locateLanguageServer = (extensionPath: string) => locate(extensionPath, 'languageServerPath', 'LlmDebug.LanguageServer', 'llmdebug-lsp', 'language server');

export async function reportSetupError(e: unknown): Promise<void> {
  if (e instanceof SetupError) {
    const pick = await vscode.window.showErrorMessage(e.message, ...e.actions.map(a => a.title));
    e.actions.find(a => a.title === pick)?.run();
  } else {
    void vscode.window.showErrorMessage(`LLM Debug: ${e instanceof Error ? e.message : String(e)}`);
  }
}
