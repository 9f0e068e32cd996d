// Publishes the C# debug adapter, CLI and language server (framework-dependent, linux-x64) into dist/server for the
// .vsix (one folder: they share the engine library and its dependencies), then
// removes libtorch's native libraries (~600 MB): the extension restores the libtorch NuGet package named in the
// adapter's deps.json into the user's NuGet cache on first use (see src/libtorch.ts and the README).
// LibTorchSharp's own small native shim (patched for older libstdc++) stays in the package.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ext = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(ext, '..');
const out = path.join(ext, 'dist', 'server');
const rid = process.env.LLMDEBUG_RID ?? 'linux-x64';

rmSync(out, { recursive: true, force: true });
for (const project of ['LlmDebug.DebugAdapter', 'LlmDebug.Cli', 'LlmDebug.LanguageServer']) {
  execFileSync('dotnet', ['publish', path.join(repo, 'src', project, `${project}.csproj`), '-c', 'Release', '-r', rid, '--self-contained', 'false',
    '-p:DebugType=none', '-p:GenerateDocumentationFile=false', '-o', out, '-nologo', '-v', 'q'], { stdio: 'inherit' });
}

// the libtorch package's files, as listed in the adapter's deps.json
const deps = JSON.parse(readFileSync(path.join(out, 'llmdebug-dap.deps.json'), 'utf8'));
const libtorchFiles = new Set();
for (const target of Object.values(deps.targets))
  for (const [key, lib] of Object.entries(target))
    if (/^libtorch-/.test(key)) for (const f of Object.keys({ ...(lib.native ?? {}), ...(lib.runtimeTargets ?? {}) })) libtorchFiles.add(path.basename(f));
// Three programs in one folder: a shared assembly must be the same version for all of them (else one would
// silently run with another's copy).
const versions = new Map();
for (const f of readdirSync(out).filter(f => f.endsWith('.deps.json'))) {
  const d = JSON.parse(readFileSync(path.join(out, f), 'utf8'));
  for (const target of Object.values(d.targets))
    for (const [key, lib] of Object.entries(target))
      for (const dll of Object.keys(lib.runtime ?? {})) {
        const name = path.basename(dll), v = lib.runtime[dll].assemblyVersion ?? key;
        const seen = versions.get(name);
        if (seen && seen.v !== v) throw new Error(`${name}: ${seen.f} wants ${seen.v}, ${f} wants ${v}; publish them into separate folders`);
        versions.set(name, { v, f });
      }
}
let removed = 0;
for (const f of readdirSync(out)) {
  if (libtorchFiles.has(f)) {
    removed += statSync(path.join(out, f)).size;
    unlinkSync(path.join(out, f));
  }
}
const kept = readdirSync(out).reduce((s, f) => s + statSync(path.join(out, f)).size, 0);
console.log(`dist/server: ${(kept / 1e6).toFixed(1)} MB kept, ${(removed / 1e6).toFixed(0)} MB of libtorch removed (${libtorchFiles.size} files; restored on first use)`);
