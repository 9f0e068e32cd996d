// libtorch's native libraries (~600 MB per platform) are not in the .vsix (the Marketplace caps package size).
// The bundled adapter's deps.json names the exact NuGet package (e.g. libtorch-cpu-linux-x64/2.10.0); on first
// use we restore that package with the user's .NET SDK into the NuGet global packages folder — a per-user cache
// shared with every .NET build on the machine, so a developer who built the repository already has it — and
// point the adapter's process at it (library search path). Offline with a warm NuGet cache
// this needs no network at all.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { DotnetProgram, SetupError, dotnetPath, openSettings } from './locate';

export interface NativeRuntime {
  /** Extra `dotnet exec` options (before the .dll). */
  hostArgs: string[];
  env: Record<string, string>;
}

interface LibtorchPackage { id: string; version: string; rid: string; nativeFiles: string[] }

export function nugetRoot(): string {
  return process.env.NUGET_PACKAGES || path.join(os.homedir(), '.nuget', 'packages');
}

function readPackage(folder: string): LibtorchPackage | undefined {
  const deps = fs.readdirSync(folder).find(f => f.endsWith('.deps.json'));
  if (!deps) return undefined;
  const json = JSON.parse(fs.readFileSync(path.join(folder, deps), 'utf8'));
  for (const target of Object.values<Record<string, any>>(json.targets ?? {})) {
    for (const [key, lib] of Object.entries<any>(target)) {
      const m = /^(libtorch-[^/]+)\/(.+)$/.exec(key);
      if (!m || !m[1].match(/-(linux|osx|win)-/)) continue;
      const assets = { ...(lib.native ?? {}), ...(lib.runtimeTargets ?? {}) };
      const nativeFiles = Object.keys(assets);
      const rid = /runtimes\/([^/]+)\/native/.exec(nativeFiles[0] ?? '')?.[1] ?? m[1].replace(/^libtorch-(cpu|cuda-[\d.]+)-/, '');
      return { id: m[1], version: m[2], rid, nativeFiles };
    }
  }
  return undefined;
}

const mainLibrary = process.platform === 'win32' ? 'torch_cpu.dll' : process.platform === 'darwin' ? 'libtorch_cpu.dylib' : 'libtorch_cpu.so';

function nativeDirOf(pkg: LibtorchPackage): string {
  return path.join(nugetRoot(), pkg.id.toLowerCase(), pkg.version.toLowerCase(), 'runtimes', pkg.rid, 'native');
}

function libraryPathEnv(dir: string): Record<string, string> {
  const name = process.platform === 'win32' ? 'PATH' : process.platform === 'darwin' ? 'DYLD_LIBRARY_PATH' : 'LD_LIBRARY_PATH';
  const current = process.env[name];
  return { [name]: current ? `${dir}${path.delimiter}${current}` : dir };
}

/** Makes sure the adapter can load libtorch; restores it through NuGet (with progress) the first time. */
export async function ensureLibtorch(program: DotnetProgram, storage: vscode.Uri, log: vscode.OutputChannel): Promise<NativeRuntime> {
  const configured = vscode.workspace.getConfiguration('llmDebug').get<string>('libtorchPath')?.trim();
  if (configured) {
    if (!fs.existsSync(path.join(configured, mainLibrary)))
      throw new SetupError(`llmDebug.libtorchPath is "${configured}", but ${mainLibrary} is not in it.`, [openSettings('llmDebug.libtorchPath')]);
    return { hostArgs: [], env: libraryPathEnv(configured) };
  }
  // A repository build or a platform-complete package carries libtorch next to the adapter: nothing to do.
  if (fs.existsSync(path.join(program.folder, mainLibrary))) return { hostArgs: [], env: {} };
  const pkg = readPackage(program.folder);
  if (!pkg) return { hostArgs: [], env: {} };
  const native = nativeDirOf(pkg);
  if (!fs.existsSync(path.join(native, mainLibrary))) await restore(pkg, storage, log);
  if (!fs.existsSync(path.join(native, mainLibrary)))
    throw new SetupError(`Restoring ${pkg.id} ${pkg.version} finished but ${path.join(native, mainLibrary)} is still missing; see the "LLM Debug" output.`);
  // The .NET host does not insist on the missing native files; TorchSharp's loader finds them through the
  // platform's library search path (verified: LD_LIBRARY_PATH alone is enough, a host probing path is not).
  return { hostArgs: [], env: libraryPathEnv(native) };
}

/**
 * The library search path for a program that may need libtorch but must never wait for it (the language server:
 * it reads configs and tokenizers, and weights only for listing hovers): libtorch when it is already there, else
 * nothing — never a restore.
 */
export function libtorchEnvIfPresent(program: DotnetProgram): Record<string, string> {
  try {
    const configured = vscode.workspace.getConfiguration('llmDebug').get<string>('libtorchPath')?.trim();
    if (configured) return fs.existsSync(path.join(configured, mainLibrary)) ? libraryPathEnv(configured) : {};
    if (fs.existsSync(path.join(program.folder, mainLibrary))) return {};
    const pkg = readPackage(program.folder);
    const native = pkg && nativeDirOf(pkg);
    return native && fs.existsSync(path.join(native, mainLibrary)) ? libraryPathEnv(native) : {};
  } catch {
    return {};
  }
}

async function restore(pkg: LibtorchPackage, storage: vscode.Uri, log: vscode.OutputChannel): Promise<void> {
  const dotnet = dotnetPath();
  const dir = path.join(storage.fsPath, 'libtorch-restore', `${pkg.id}-${pkg.version}`);
  fs.mkdirSync(dir, { recursive: true });
  // A project that only references the package: `dotnet restore` downloads it into the NuGet packages folder.
  fs.writeFileSync(path.join(dir, 'restore.csproj'),
    `<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup><TargetFramework>net10.0</TargetFramework><RuntimeIdentifier>${pkg.rid}</RuntimeIdentifier></PropertyGroup>\n` +
    `  <ItemGroup><PackageReference Include="${pkg.id}" Version="${pkg.version}" /></ItemGroup>\n</Project>\n`);
  log.appendLine(`[libtorch] restoring ${pkg.id} ${pkg.version} into ${nugetRoot()} (once per user; about 600 MB)`);
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `LLM Debug: downloading libtorch (${pkg.id} ${pkg.version}, ~600 MB, once)`, cancellable: true },
    (progress, token) => new Promise<void>((resolve, reject) => {
      const child = spawn(dotnet, ['restore', path.join(dir, 'restore.csproj'), '--nologo', '-v', 'minimal'], { cwd: dir, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' } });
      let tail = '';
      const onData = (b: Buffer) => {
        const s = b.toString();
        tail = (tail + s).slice(-4000);
        log.append(s);
        const last = s.trim().split('\n').pop();
        if (last) progress.report({ message: last.slice(0, 120) });
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      token.onCancellationRequested(() => child.kill());
      child.on('error', e => reject(new SetupError(`Could not run "${dotnet} restore": ${e.message}`)));
      child.on('close', code => {
        if (code === 0) resolve();
        else reject(new SetupError(
          `LLM Debug could not restore libtorch (${pkg.id} ${pkg.version}) through NuGet (exit ${code}). It needs the .NET SDK and access to a NuGet feed ` +
          `once; offline, copy the package into ${nugetRoot()} or set llmDebug.libtorchPath to a folder with libtorch's libraries. ` +
          `Last output: ${tail.trim().split('\n').slice(-3).join(' | ')}`,
          [openSettings('llmDebug.libtorchPath')]));
      });
    }));
}
