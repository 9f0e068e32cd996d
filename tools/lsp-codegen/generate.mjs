#!/usr/bin/env node
// Generates the C# LSP types the language server uses from the official LSP meta model (metaModel.json).
// Output is committed (src/LlmDebug.LanguageServer/Protocol/Generated/); the build never reads the meta model.
//
//   node tools/lsp-codegen/generate.mjs [path/to/lsp-metaModel.json]
//
// Only the structures named in ROOTS and what they reference are generated. See README.md for the mapping rules.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const metaPath = process.argv[2] ?? resolve(repo, '../shared/specs/lsp-metaModel.json');
const outDir = resolve(repo, 'src/LlmDebug.LanguageServer/Protocol/Generated');
const ns = 'LlmDebug.LanguageServer.Protocol';

const ROOTS = [
  'InitializeParams', 'InitializeResult', 'ServerCapabilities', 'TextDocumentSyncOptions', 'InitializedParams',
  'DidOpenTextDocumentParams', 'DidChangeTextDocumentParams', 'DidCloseTextDocumentParams', 'DidSaveTextDocumentParams',
  'PublishDiagnosticsParams', 'Diagnostic',
  'CompletionParams', 'CompletionList', 'CompletionItem',
  'HoverParams', 'Hover', 'MarkupContent',
  'InlayHintParams', 'InlayHint',
  'DocumentSymbolParams', 'DocumentSymbol',
  'CodeLensParams', 'CodeLens', 'Command',
  'CodeActionParams', 'CodeAction', 'WorkspaceEdit', 'TextEdit',
  'DefinitionParams', 'Location', 'LocationLink',
  'SemanticTokensParams', 'SemanticTokens', 'SemanticTokensLegend',
  'ExecuteCommandParams', 'ShowMessageParams', 'LogMessageParams', 'SetTraceParams',
];
// Referenced but not needed field by field: kept as raw JSON (object? holding a JsonElement).
const OPAQUE = new Set(['ClientCapabilities', 'LSPAny', 'LSPObject', 'LSPArray']);

const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
const structs = new Map(meta.structures.map(s => [s.name, s]));
const enums = new Map(meta.enumerations.map(e => [e.name, e]));
const aliases = new Map(meta.typeAliases.map(a => [a.name, a]));

const wantedStructs = new Set();
const wantedEnums = new Set();
const nested = []; // generated classes for inline literals and merged literal unions
const pascal = s => s.replace(/(^|[_$/\-])([a-zA-Z])/g, (_, __, c) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');

function visitStruct(name) {
  if (OPAQUE.has(name) || wantedStructs.has(name)) return;
  wantedStructs.add(name);
  for (const p of allProperties(structs.get(name))) visitType(p.type);
}
function visitType(t) {
  switch (t.kind) {
    case 'reference':
      if (structs.has(t.name)) visitStruct(t.name);
      else if (enums.has(t.name)) wantedEnums.add(t.name);
      else if (aliases.has(t.name) && !OPAQUE.has(t.name)) visitType(aliases.get(t.name).type);
      break;
    case 'array': visitType(t.element); break;
    case 'map': visitType(t.value); break;
    case 'or': case 'and': case 'tuple': t.items.forEach(visitType); break;
    case 'literal': t.value.properties.forEach(p => visitType(p.type)); break;
  }
}
function allProperties(s) {
  const props = [];
  for (const ref of [...(s.extends ?? []), ...(s.mixins ?? [])]) props.push(...allProperties(structs.get(ref.name)));
  for (const p of s.properties) {
    const i = props.findIndex(q => q.name === p.name);
    if (i >= 0) props[i] = p; else props.push(p);
  }
  return props;
}

// C# type for a meta-model type; owner/prop name inline literal classes.
function cs(t, owner, prop) {
  switch (t.kind) {
    case 'base':
      return { string: 'string', URI: 'string', DocumentUri: 'string', RegExp: 'string', integer: 'int', uinteger: 'int', decimal: 'double', boolean: 'bool', null: 'object' }[t.name];
    case 'reference':
      if (OPAQUE.has(t.name)) return 'object';
      if (structs.has(t.name)) return t.name;
      if (enums.has(t.name)) return enums.get(t.name).type.name === 'string' ? 'string' : t.name;
      if (aliases.has(t.name)) return cs(aliases.get(t.name).type, t.name, '');
      throw new Error(`unknown reference ${t.name}`);
    case 'array': return `List<${cs(t.element, owner, prop + 'Item')}>`;
    case 'map': return `Dictionary<string, ${cs(t.value, owner, prop + 'Value')}>`;
    case 'stringLiteral': return 'string';
    case 'integerLiteral': return 'int';
    case 'booleanLiteral': return 'bool';
    case 'literal': {
      const name = `${owner}${pascal(prop)}`;
      if (!nested.some(n => n.name === name)) nested.push({ name, properties: t.value.properties, documentation: `Inline literal of ${owner}.${prop}.` });
      return name;
    }
    case 'or': {
      const items = t.items.filter(i => !(i.kind === 'base' && i.name === 'null'));
      if (items.length === 1) return cs(items[0], owner, prop);
      if (items.every(i => i.kind === 'stringLiteral')) return 'string';
      if (owner && !prop && items.every(i => i.kind === 'reference' && structs.has(i.name))) {
        // an alias over structures (TextDocumentContentChangeEvent = Partial | WholeDocument): one class, all optional
        if (!nested.some(n => n.name === owner))
          nested.push({ name: owner, properties: mergeOptional(items.map(i => allProperties(structs.get(i.name)))), documentation: `One of ${items.map(i => i.name).join(', ')}; properties of every alternative, all optional.` });
        return owner;
      }
      if (items.every(i => i.kind === 'literal')) {
        // e.g. TextDocumentContentChangeEvent: one class with every property, all optional
        const name = owner && !prop ? owner : `${owner}${pascal(prop)}`;
        const properties = [];
        for (const l of items) for (const p of l.value.properties) if (!properties.some(q => q.name === p.name)) properties.push({ ...p, optional: true });
        if (!nested.some(n => n.name === name)) nested.push({ name, properties, documentation: `Union of object literals (${owner}${prop ? '.' + prop : ''}); properties of every alternative, all optional.` });
        return name;
      }
      return 'object';
    }
    default: return 'object';
  }
}
function mergeOptional(lists) {
  const properties = [];
  for (const list of lists) for (const p of list) if (!properties.some(q => q.name === p.name)) properties.push({ ...p, optional: true });
  return properties;
}
const valueTypes = new Set(['int', 'double', 'bool']);
const isValueType = (type, name) => valueTypes.has(type) || (enums.has(type) && enums.get(type).type.name !== 'string');

function doc(text, indent) {
  if (!text) return '';
  const first = text.split('\n\n')[0].replace(/\s+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').trim();
  return `${indent}/// <summary>${first}</summary>\n`;
}

function classText(name, properties, documentation) {
  let out = doc(documentation, '') + `public sealed partial class ${name}\n{\n`;
  for (const p of properties) {
    let type = cs(p.type, name, p.name);
    let prop = pascal(p.name);
    if (prop === name) prop += 'Value';
    const nullable = p.optional || type === 'object' || (p.type.kind === 'or' && p.type.items.some(i => i.kind === 'base' && i.name === 'null'));
    const suffix = nullable ? '?' : '';
    const init = nullable || isValueType(type) ? '' : (type === 'string' ? ' = "";' : ' = null!;');
    out += doc(p.documentation, '    ');
    out += `    [JsonPropertyName("${p.name}")] public ${type}${suffix} ${prop} { get; set; }${init}\n`;
  }
  return out + '}\n';
}

for (const r of ROOTS) { if (!structs.has(r)) throw new Error(`no structure ${r}`); visitStruct(r); }

const header = `// <auto-generated>\n// Generated by tools/lsp-codegen/generate.mjs from the LSP meta model ${meta.metaData.version}. Do not edit.\n// </auto-generated>\n#nullable enable\nusing System.Text.Json.Serialization;\n\nnamespace ${ns};\n\n`;
let types = header;
for (const name of [...wantedStructs].sort()) {
  const s = structs.get(name);
  types += classText(name, allProperties(s), s.documentation) + '\n';
}
// inline literal classes may reference further literals: generate until none are added
for (let i = 0; i < nested.length; i++) types += classText(nested[i].name, nested[i].properties, nested[i].documentation) + '\n';

let enumText = header;
for (const name of [...wantedEnums].sort()) {
  const e = enums.get(name);
  if (e.type.name === 'string') {
    enumText += doc(e.documentation, '') + `public static class ${name}\n{\n`;
    for (const v of e.values) enumText += `    public const string ${pascal(v.name)} = ${JSON.stringify(v.value)};\n`;
  } else {
    enumText += doc(e.documentation, '') + `public enum ${name}\n{\n`;
    for (const v of e.values) enumText += `    ${pascal(v.name)} = ${v.value},\n`;
  }
  enumText += '}\n\n';
}

let methods = header + '/// <summary>Every LSP method name of the meta model.</summary>\npublic static class LspMethods\n{\n';
for (const m of [...meta.requests, ...meta.notifications].sort((a, b) => a.method.localeCompare(b.method)))
  methods += `    public const string ${pascal(m.method.replace('$/', 'Dollar/'))} = ${JSON.stringify(m.method)};\n`;
methods += '}\n';

mkdirSync(outDir, { recursive: true });
writeFileSync(resolve(outDir, 'Types.g.cs'), types);
writeFileSync(resolve(outDir, 'Enums.g.cs'), enumText);
writeFileSync(resolve(outDir, 'Methods.g.cs'), methods);
console.log(`wrote ${wantedStructs.size} structures, ${nested.length} literal classes, ${wantedEnums.size} enumerations to ${outDir}`);
