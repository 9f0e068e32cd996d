#!/usr/bin/env node
// Generates the C# DAP message types from the official debugAdapterProtocol.json schema.
// Usage (from the repo root):  node tools/dap-codegen/generate.mjs [path/to/debugAdapterProtocol.json]
// Output: src/LlmDebug.DebugAdapter/Protocol/Generated/*.g.cs (committed, so the build never needs the schema).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const schemaPath = path.resolve(process.argv[2] ?? path.join(repoRoot, '..', 'shared', 'specs', 'debugAdapterProtocol.json'));
const outDir = path.join(repoRoot, 'src', 'LlmDebug.DebugAdapter', 'Protocol', 'Generated');
const defs = JSON.parse(fs.readFileSync(schemaPath, 'utf8')).definitions;

// The envelopes are hand-written (Protocol/ProtocolMessage.cs); everything else comes from here.
const ENVELOPES = new Set(['ProtocolMessage', 'Request', 'Response', 'Event']);

// ---------- naming ----------
const pascal = (name) => {
  const trimmed = name.replace(/^_+/, '');
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
};
const constantName = (value) => {
  const joined = String(value).split(/[^A-Za-z0-9]+/).filter(Boolean).map(pascal).join('');
  return /^[0-9]/.test(joined) ? `_${joined}` : joined || 'Empty';
};
const plural = (word) => (/[^aeiou]y$/.test(word) ? word.slice(0, -1) + 'ies' : /(s|x|ch|sh)$/.test(word) ? word + 'es' : word + 's');
const refName = (ref) => ref.split('/').pop();

// ---------- doc comments ----------
const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
function firstSentence(description) {
  if (!description) return null;
  const firstLine = description.split('\n')[0].trim();
  const match = firstLine.match(/^(.*?(?<!\be\.g|\bi\.e|\betc)\.)(\s|$)/);
  return (match ? match[1] : firstLine).trim();
}
function docComment(description, indent) {
  const sentence = firstSentence(description);
  return sentence ? [`${indent}/// <summary>${xmlEscape(sentence)}</summary>`] : [];
}

// ---------- schema helpers ----------
const isStringEnumDef = (def) => def.type === 'string';
const baseOf = (def) => (def.allOf && def.allOf[0].$ref ? refName(def.allOf[0].$ref) : null);

// Flattens allOf inheritance into one property map and one required list.
function flatten(def) {
  if (!def.allOf) return { description: def.description, properties: { ...(def.properties ?? {}) }, required: [...(def.required ?? [])] };
  const result = { description: undefined, properties: {}, required: [] };
  for (const part of def.allOf) {
    const piece = part.$ref ? flatten(defs[refName(part.$ref)]) : flatten(part);
    Object.assign(result.properties, piece.properties);
    result.required.push(...piece.required);
    result.description = piece.description ?? result.description;
  }
  return result;
}

// ---------- model building ----------
// Each generated class: { name, group, description, props: [{ jsonName, csName, csType, doc, init, alwaysWrite }] }
const classes = [];
const constantClasses = []; // { name, doc, values: [string] }
const commands = [];
const events = [];
const takenNames = new Set();

function claimName(name, what) {
  if (takenNames.has(name)) throw new Error(`Generated name collision: ${name} (${what})`);
  takenNames.add(name);
}

function addConstants(name, doc, values) {
  claimName(name, 'constants');
  constantClasses.push({ name, doc, values });
}

const enumValuesOf = (schema) => schema.enum ?? schema._enum;

// Maps a property schema to a C# type. Nested inline objects become their own classes.
function csTypeOf(schema, ownerName, propName, group) {
  if (schema.$ref) {
    const target = refName(schema.$ref);
    return isStringEnumDef(defs[target]) ? 'string' : target;
  }
  if (schema.oneOf) return 'JsonElement';
  let type = schema.type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    if (nonNull.length !== 1) return 'JsonElement';
    type = nonNull[0];
  }
  switch (type) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return 'double';
    case 'integer': return schema.format === 'int32' ? 'int' : 'long'; // uint32/uint64/int64 do not fit an int
    case 'array': return `List<${csTypeOf(schema.items ?? {}, ownerName, propName, group)}>`;
    case 'object':
      if (schema.properties) {
        const nestedName = ownerName + pascal(propName);
        addClass(nestedName, group, { description: schema.description, properties: schema.properties, required: schema.required ?? [] });
        return nestedName;
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        const valueType = csTypeOf(schema.additionalProperties, ownerName, propName, group);
        const valueNullable = Array.isArray(schema.additionalProperties.type) && schema.additionalProperties.type.includes('null');
        return `Dictionary<string, ${valueType}${valueNullable && valueType !== 'JsonElement' ? '?' : ''}>`;
      }
      return 'JsonElement';
    default: return 'JsonElement';
  }
}

const VALUE_TYPES = new Set(['int', 'long', 'double', 'bool', 'JsonElement']);

function addClass(name, group, shape) {
  claimName(name, `class in ${group}`);
  const cls = { name, group, description: shape.description, props: [] };
  classes.push(cls);
  const required = new Set(shape.required);
  const csNames = new Set();
  const constantsOwner = name.replace(/Body$/, '');
  for (const [jsonName, schema] of Object.entries(shape.properties)) {
    let csName = pascal(jsonName);
    if (csName === name) csName += 'Value'; // C# forbids a member named like its class
    if (csNames.has(csName)) throw new Error(`Property collision ${name}.${csName}`);
    csNames.add(csName);

    const baseType = csTypeOf(schema, name, jsonName, group);
    const isRequired = required.has(jsonName);
    const allowsNull = Array.isArray(schema.type) && schema.type.includes('null');
    // JsonElement is always nullable: default(JsonElement) cannot be serialized.
    const nullable = !isRequired || allowsNull || baseType === 'JsonElement';
    const csType = nullable ? `${baseType}?` : baseType;
    let init = null;
    if (!nullable && !VALUE_TYPES.has(baseType)) init = baseType === 'string' ? '""' : 'new()';

    const values = enumValuesOf(schema) ?? (schema.items && !schema.items.$ref ? enumValuesOf(schema.items) : undefined);
    if (values && !['type', 'event', 'command'].includes(jsonName)) {
      addConstants(constantsOwner + (schema.type === 'array' ? csName : plural(csName)), `Known values of <see cref="${name}.${csName}"/>.`, values);
    }
    cls.props.push({ jsonName, csName, csType, doc: schema.description, init, alwaysWrite: isRequired && allowsNull });
  }
  return cls;
}

for (const [name, def] of Object.entries(defs)) {
  if (ENVELOPES.has(name)) continue;
  if (isStringEnumDef(def)) {
    addConstants(name, firstSentence(def.description) ? xmlEscape(firstSentence(def.description)) : null, enumValuesOf(def) ?? []);
    continue;
  }
  const base = baseOf(def);
  const own = def.allOf ? def.allOf[def.allOf.length - 1] : def;
  if (base === 'Request') {
    commands.push({ value: own.properties.command.enum[0], doc: own.description });
  } else if (base === 'Event' || base === 'Response' || base === 'ErrorResponse') {
    if (base === 'Event') events.push({ value: own.properties.event.enum[0], doc: own.description });
    const body = own.properties?.body;
    if (body?.properties) {
      addClass(`${name}Body`, base === 'Event' ? 'EventBodies' : 'ResponseBodies',
        { description: `Body of ${name}: ${own.description ?? ''}`, properties: body.properties, required: body.required ?? [] });
    }
  } else {
    addClass(name, name.endsWith('Arguments') ? 'Arguments' : 'Types', flatten(def));
  }
}

// ---------- rendering ----------
const HEADER = [
  '// <auto-generated>',
  '// generated by tools/dap-codegen/generate.mjs from debugAdapterProtocol.json — do not edit.',
  '// Regenerate with: node tools/dap-codegen/generate.mjs [path/to/debugAdapterProtocol.json]',
  '// </auto-generated>',
  '#nullable enable',
  'using System.Collections.Generic;',
  'using System.Text.Json;',
  'using System.Text.Json.Serialization;',
  '',
  'namespace LlmDebug.DebugAdapter.Protocol;',
  '',
];

function renderClass(cls) {
  const lines = [...docComment(cls.description, ''), `public partial class ${cls.name}`, '{'];
  cls.props.forEach((prop, index) => {
    if (index > 0) lines.push('');
    lines.push(...docComment(prop.doc, '    '));
    lines.push(`    [JsonPropertyName("${prop.jsonName}")]`);
    if (prop.alwaysWrite) lines.push('    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] // required even when null');
    lines.push(`    public ${prop.csType} ${prop.csName} { get; set; }${prop.init ? ` = ${prop.init};` : ''}`);
  });
  lines.push('}', '');
  return lines;
}

function renderConstants(name, doc, entries) {
  const lines = [];
  if (doc) lines.push(`/// <summary>${doc}</summary>`);
  lines.push(`public static class ${name}`, '{');
  const seen = new Set();
  for (const { value, doc: entryDoc } of entries) {
    let member = constantName(value);
    if (member === name) member += 'Value';
    if (seen.has(member)) throw new Error(`Constant collision ${name}.${member}`);
    seen.add(member);
    lines.push(...docComment(entryDoc, '    '));
    lines.push(`    public const string ${member} = ${JSON.stringify(value)};`);
  }
  lines.push('}', '');
  return lines;
}

function writeFile(fileName, bodyLines) {
  fs.writeFileSync(path.join(outDir, fileName), [...HEADER, ...bodyLines].join('\n'));
  console.log(`wrote ${path.relative(repoRoot, path.join(outDir, fileName))}`);
}

fs.mkdirSync(outDir, { recursive: true });
for (const stale of fs.readdirSync(outDir).filter((f) => f.endsWith('.g.cs'))) fs.rmSync(path.join(outDir, stale));

for (const group of ['Types', 'Arguments', 'ResponseBodies', 'EventBodies']) {
  writeFile(`${group}.g.cs`, classes.filter((c) => c.group === group).flatMap(renderClass));
}
writeFile('Constants.g.cs', [
  ...renderConstants('Commands', 'Request command names.', commands),
  ...renderConstants('EventNames', 'Event names.', events),
  ...constantClasses.flatMap((c) => renderConstants(c.name, c.doc, c.values.map((value) => ({ value })))),
]);
console.log(`${classes.length} classes, ${constantClasses.length + 2} constant classes, ${commands.length} commands, ${events.length} events`);
