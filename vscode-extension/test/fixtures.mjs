// Shared test fixtures: the C# programs (repository build) and a 12-layer GPT-2 model folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const extDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.resolve(extDir, '..');

/** Newest build of <assembly>.dll in the repository (Release or Debug); builds it when there is none. */
export function repoProgram(project, assembly) {
  const find = () => {
    const hits = [];
    for (const config of ['Release', 'Debug']) {
      const bin = path.join(repoDir, 'src', project, 'bin', config);
      if (!existsSync(bin)) continue;
      for (const tfm of readdirSync(bin))
        for (const rid of ['linux-x64', '']) {
          const f = path.join(bin, tfm, rid, assembly + '.dll');
          if (existsSync(f)) hits.push({ f, t: statSync(f).mtimeMs });
        }
    }
    return hits.sort((a, b) => b.t - a.t)[0]?.f;
  };
  let dll = find();
  if (!dll) {
    execFileSync('dotnet', ['build', path.join(repoDir, 'src', project, project + '.csproj'), '-c', 'Release', '-v', 'q', '-nologo'], { stdio: 'inherit' });
    dll = find();
  }
  if (!dll) throw new Error(`cannot build ${project}`);
  return dll;
}

/**
 * The model the tests debug: the trained sample model when the repository has it, else a random 12-layer GPT-2
 * made once by `llmdebug make-model` into a cache folder (weights are random: generated tokens are arbitrary).
 */
export function testModel() {
  const sample = path.join(repoDir, 'samples', 'models', 'gpt2-kjv-12L');
  if (existsSync(path.join(sample, 'config.json')) && existsSync(path.join(sample, 'model.safetensors'))) return sample;
  const dir = path.join(process.env.LLMDEBUG_TEST_CACHE ?? path.join(os.tmpdir(), 'llmdebug-test-cache'), 'tiny-gpt2-12L');
  if (!existsSync(path.join(dir, 'model.safetensors'))) {
    mkdirSync(path.dirname(dir), { recursive: true });
    const cli = repoProgram('LlmDebug.Cli', 'llmdebug');
    execFileSync('dotnet', ['exec', cli, 'make-model', '--out', dir, '--layers', '12', '--heads', '4', '--d-model', '64'], { stdio: 'inherit' });
  }
  return dir;
}
