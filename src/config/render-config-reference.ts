import { DEFAULT_WEIGHTS } from "../core/score-risk.js";
import { buildJsonSchema } from "./json-schema.js";
import { BANDS, FACTOR_NAMES, LEVELS } from "./schema.js";

/**
 * The configuration reference in README.md, generated from the JSON Schema that is itself
 * generated from the zod schema, so the documented keys, types and defaults cannot drift
 * from what `review-triage validate` and the app accept.
 */

export const CONFIG_REFERENCE_START = "<!-- config-reference:start -->";
export const CONFIG_REFERENCE_END = "<!-- config-reference:end -->";

type JsonSchema = {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  /** Set on a merged schema where same-shaped siblings default a key differently (per level). */
  perKeyDefault?: string;
};

interface Row {
  path: string;
  type: string;
  default: string;
  description: string;
}

/** Kinds of text the schema reuses, named once in a legend instead of in every row. */
const TEXT_KINDS: ReadonlyArray<{ match: RegExp; name: string }> = [
  { match: /^A glob pattern/, name: "glob" },
  { match: /^A GitHub login/, name: "login" },
];

/** Placeholders for keys the user chooses (`reviewers.<group>`), by the path of the mapping. */
const KEY_PLACEHOLDERS: Readonly<Record<string, string>> = {
  reviewers: "group",
  "analysis.rules": "rule",
};

/**
 * Descriptions for the few keys the schema leaves undescribed (array items and union
 * members, which zod cannot describe without changing the generated JSON Schema). A
 * description in the schema always wins over these.
 */
const FALLBACK_DESCRIPTIONS: Readonly<Record<string, string>> = {
  "risk.impact[].paths": "Files the rule applies to.",
  "risk.impact[].impact": "Impact of a changed file that matches.",
  "checklists[].items": "The items of the task list.",
  "checklists[].items[]": "A plain text (the same as `{ text: …, required: false, by: author }`), or a mapping with the keys below.",
};

/** Values the app falls back to when a key is left out and the schema has no default for it. */
function builtInDefault(path: string): string | undefined {
  const weight = /^risk\.weights\.(\w+)$/.exec(path)?.[1];
  if (weight && (FACTOR_NAMES as readonly string[]).includes(weight)) {
    return `built-in \`${DEFAULT_WEIGHTS[weight as keyof typeof DEFAULT_WEIGHTS]}\``;
  }
  if (/^risk\.matrix\.<band>\.\w+$/.test(path)) return "built-in table";
  return undefined;
}

/** A value as the user would write it in YAML flow style. */
export function yamlFlow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(yamlFlow).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length ? `{ ${entries.map(([k, v]) => `${k}: ${yamlFlow(v)}`).join(", ")} }` : "{}";
  }
  if (typeof value === "string") {
    return /^[A-Za-z][A-Za-z0-9_-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(value)
      ? value
      : JSON.stringify(value);
  }
  return String(value);
}

function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replaceAll("|", "\\|");
}

function textKind(schema: JsonSchema): string | undefined {
  return TEXT_KINDS.find((k) => schema.description !== undefined && k.match.test(schema.description))?.name;
}

function bounds(min: number | undefined, max: number | undefined, unit = ""): string {
  if (min !== undefined && max !== undefined) return `${min}–${max}${unit}`;
  if (max !== undefined) return `≤ ${max}${unit}`;
  if (min !== undefined) return `≥ ${min}${unit}`;
  return "";
}

function isObject(schema: JsonSchema): boolean {
  return schema.type === "object" && schema.properties !== undefined;
}

function isRecord(schema: JsonSchema): boolean {
  return schema.type === "object" && schema.properties === undefined && typeof schema.additionalProperties === "object";
}

function typeOf(schema: JsonSchema, path: string): string {
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  if (schema.enum) {
    return schema.enum.length > 8 ? `one of ${schema.enum.length} names` : schema.enum.map((v) => `\`${String(v)}\``).join(" | ");
  }
  if (schema.anyOf) return schema.anyOf.map((s) => typeOf(s, path)).join(" or ");
  switch (schema.type) {
    case "string": {
      const kind = textKind(schema);
      if (kind) return kind;
      const size = bounds(schema.minLength && schema.minLength > 1 ? schema.minLength : undefined, schema.maxLength, " chars");
      return size ? `text (${size})` : "text";
    }
    case "integer":
    case "number": {
      const range = bounds(schema.minimum, schema.maximum);
      return range ? `${schema.type} ${range}` : schema.type;
    }
    case "boolean":
      return "boolean";
    case "array": {
      const count = bounds(schema.minItems, schema.maxItems);
      const item = schema.items ? typeOf(schema.items, `${path}[]`) : "anything";
      const items = schema.items && isObject(schema.items) ? "mappings" : schema.items && textKind(schema.items) ? `${item}s` : item;
      return `list${count ? ` (${count})` : ""} of ${items}`;
    }
    case "object": {
      if (isRecord(schema)) {
        const key = KEY_PLACEHOLDERS[path] ?? "name";
        return `mapping of \`<${key}>\` → ${typeOf(schema.additionalProperties as JsonSchema, `${path}.<${key}>`)}`;
      }
      return "mapping";
    }
    default:
      return schema.type ?? "any";
  }
}

function defaultOf(schema: JsonSchema, path: string, required: boolean): string {
  if (schema.perKeyDefault) return `the \`${schema.perKeyDefault}\`'s (above)`;
  if (schema.default !== undefined) {
    // A section's `{}` only means "every default below"; the rows below show them.
    const emptySection = isObject(schema) && typeof schema.default === "object" && schema.default !== null && !Object.keys(schema.default).length;
    if (!emptySection) return `\`${yamlFlow(schema.default)}\``;
  }
  return builtInDefault(path) ?? (required ? "*required*" : "—");
}

/** A schema without what only describes one key (defaults and wording, at any depth), to compare shapes. */
function shape(schema: JsonSchema): string {
  return JSON.stringify(schema, (key, value: unknown) => (key === "default" || key === "description" ? undefined : value));
}

/**
 * The first member with each nested default that the members do not share marked as
 * per-key (approvals default `lead` differently per level), so shared child rows do not
 * show one level's default as everyone's.
 */
function mergeMembers(members: readonly JsonSchema[], placeholder: string): JsonSchema {
  const [first, ...rest] = members;
  const merged: JsonSchema = { ...first };
  if (rest.some((m) => JSON.stringify(m.default) !== JSON.stringify(first!.default))) {
    delete merged.default;
    merged.perKeyDefault = placeholder;
  }
  if (first!.properties) {
    merged.properties = Object.fromEntries(
      Object.entries(first!.properties).map(([k, child]) => [k, mergeMembers([child, ...rest.map((m) => m.properties?.[k] ?? child)], placeholder)]),
    );
  }
  return merged;
}

/** Placeholder for a set of sibling keys with the same shape: levels, bands, or any key. */
function placeholderFor(keys: readonly string[]): string {
  if (keys.every((k) => (LEVELS as readonly string[]).includes(k))) return "<level>";
  if (keys.every((k) => (BANDS as readonly string[]).includes(k))) return "<band>";
  return "<key>";
}

function hasChildren(schema: JsonSchema): boolean {
  if (isObject(schema) || isRecord(schema)) return true;
  if (schema.type === "array" && schema.items) return hasChildren(schema.items) || schema.items.anyOf !== undefined;
  return (schema.anyOf ?? []).some(hasChildren);
}

function row(rows: Row[], path: string, schema: JsonSchema, required: boolean, extra = ""): void {
  const description = schema.description ?? FALLBACK_DESCRIPTIONS[path] ?? "";
  rows.push({
    path,
    type: typeOf(schema, path),
    default: defaultOf(schema, path, required),
    description: [description, extra].filter(Boolean).join(" "),
  });
}

/** Rows for what is inside `schema` (its own row is written by the caller). */
function walkChildren(rows: Row[], path: string, schema: JsonSchema): void {
  if (isObject(schema)) {
    walkProperties(rows, path, schema);
    return;
  }
  if (isRecord(schema)) {
    const key = KEY_PLACEHOLDERS[path] ?? "name";
    walkChildren(rows, `${path}.<${key}>`, schema.additionalProperties as JsonSchema);
    return;
  }
  if (schema.type === "array" && schema.items && hasChildren(schema.items)) {
    const items = schema.items;
    if (items.anyOf) {
      row(rows, `${path}[]`, items, false);
      for (const member of items.anyOf) walkChildren(rows, `${path}[]`, member);
    } else if (isObject(items) && items.description !== undefined) {
      row(rows, `${path}[]`, items, false);
      walkProperties(rows, `${path}[]`, items);
    } else {
      walkChildren(rows, `${path}[]`, items);
    }
  }
}

/**
 * Rows for each property. Siblings of the same shape that have keys of their own (the four
 * levels of `routing`, of `governance.approvals`, the bands of `risk.matrix`) share one set of
 * child rows under a placeholder (`routing.<level>[].from`) instead of repeating it.
 */
function walkProperties(rows: Row[], path: string, schema: JsonSchema): void {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const prefix = path ? `${path}.` : "";
  const done = new Set<string>();
  for (const [key, child] of properties) {
    if (done.has(key)) continue;
    const same = hasChildren(child) ? properties.filter(([k, s]) => !done.has(k) && shape(s) === shape(child)).map(([k]) => k) : [key];
    for (const k of same) done.add(k);
    if (same.length < 2) {
      row(rows, `${prefix}${key}`, child, required.has(key));
      walkChildren(rows, `${prefix}${key}`, child);
      continue;
    }
    const placeholder = placeholderFor(same);
    const members = same.map((k) => schema.properties![k]!);
    const identical = members.every((m) => JSON.stringify(m) === JSON.stringify(child));
    if (identical) {
      row(rows, `${prefix}${placeholder}`, child, false, `\`${placeholder}\` is ${same.map((k) => `\`${k}\``).join(", ")}.`);
    } else {
      for (const k of same) row(rows, `${prefix}${k}`, schema.properties![k]!, required.has(k));
    }
    // The members' own rows above carry their defaults; the shared child rows must not.
    const children = mergeMembers(members, placeholder);
    delete children.perKeyDefault;
    walkChildren(rows, `${prefix}${placeholder}`, children);
  }
}

function table(rows: Row[]): string[] {
  return [
    "| key | type | default | description |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| \`${r.path}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`),
  ];
}

/** Every text kind used, with what the schema says about it. */
function legend(schema: JsonSchema): string[] {
  const found = new Map<string, string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      const s = node as JsonSchema;
      const kind = s.type === "string" ? textKind(s) : undefined;
      if (kind && !found.has(kind)) {
        const limit = s.maxLength !== undefined ? ` At most ${s.maxLength} characters.` : "";
        found.set(kind, `${s.description}${limit}`);
      }
      Object.values(node).forEach(visit);
    }
  };
  visit(schema);
  return [...found].map(([kind, text]) => `- *${kind}*: ${text}`);
}

/** The Markdown between the README's config-reference markers (markers excluded). */
export function renderConfigReference(): string {
  const schema = buildJsonSchema() as JsonSchema;
  const out: string[] = [
    "<!-- Generated by scripts/write-config-reference.ts from src/config/schema.ts; do not edit by hand. -->",
    "",
    "Keys marked *required* must be given within their entry; every other key may be left out. `[]` marks the",
    "entries of a list; `<group>`, `<rule>`, `<level>` and `<band>` stand for a key you choose or one of the listed",
    "keys. Types:",
    "",
    ...legend(schema),
  ];
  for (const [key, section] of Object.entries(schema.properties ?? {})) {
    const rows: Row[] = [];
    row(rows, key, section, false);
    walkChildren(rows, key, section);
    out.push("", `#### \`${key}\``, "", ...table(rows));
  }
  return `${out.join("\n")}\n`;
}

/** The generated text currently between the markers, or undefined when the markers are missing. */
export function extractConfigReference(readme: string): string | undefined {
  const start = readme.indexOf(CONFIG_REFERENCE_START);
  const end = readme.indexOf(CONFIG_REFERENCE_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + CONFIG_REFERENCE_START.length, end).replace(/^\n/, "");
}

/** The README with `reference` between the markers; throws when the markers are missing. */
export function replaceConfigReference(readme: string, reference: string): string {
  const start = readme.indexOf(CONFIG_REFERENCE_START);
  const end = readme.indexOf(CONFIG_REFERENCE_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md needs the markers ${CONFIG_REFERENCE_START} and ${CONFIG_REFERENCE_END}, in that order`);
  }
  return `${readme.slice(0, start + CONFIG_REFERENCE_START.length)}\n${reference}${readme.slice(end)}`;
}
