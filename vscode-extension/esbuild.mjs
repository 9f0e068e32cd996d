// Bundles the extension host code (CommonJS for Node, `vscode` external) and the webview (one IIFE for the
// browser, no imports at run time), and copies the webview's HTML template and CSS and the experiment grammar.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: watch, logLevel: 'info', minify: !watch };
const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview/main.js', platform: 'browser', format: 'iife', target: 'chrome120' },
];
mkdirSync('dist/webview', { recursive: true });
copyFileSync('src/webview/index.html', 'dist/webview/index.html');
copyFileSync('src/webview/main.css', 'dist/webview/main.css');
// Experiment files' grammar and language configuration live with the language server (one copy, no twins).
const grammars = '../src/LlmDebug.LanguageServer/grammars';
mkdirSync('dist/grammars', { recursive: true });
copyFileSync(`${grammars}/llmdebug.tmLanguage.json`, 'dist/grammars/llmdebug.tmLanguage.json');
copyFileSync(`${grammars}/language-configuration.json`, 'dist/grammars/llmdebug.language-configuration.json');
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map(b => esbuild.build(b)));
}
