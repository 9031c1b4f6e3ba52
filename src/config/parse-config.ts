import { LineCounter, parseDocument, isMap, isSeq, type Node } from "yaml";
import type { z } from "zod";
import { formatIssues, formatPath, suggestValue, type ConfigProblem } from "./format-issues.js";
import { configSchema, LEVELS, type Config } from "./schema.js";

export const CONFIG_PATH = ".github/review-triage.yml";
export const CONFIG_FILE_NAME = "review-triage.yml";
export const DOCS_URL = "https://github.com/review-triage/review-triage#configuration";

/** Largest config file accepted, before parsing: a guard against hostile files. */
export const MAX_CONFIG_BYTES = 256 * 1024;

export type ParseResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

type AnySchema = z.core.$ZodType;

/** Walk the schema along a path to list the keys allowed there (for typo suggestions). */
export function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  let node: AnySchema | undefined = configSchema as unknown as AnySchema;
  const unwrap = (s: AnySchema | undefined): AnySchema | undefined => {
    let current = s;
    for (let i = 0; i < 10 && current; i++) {
      const def = current._zod.def as unknown as { type: string; innerType?: AnySchema; in?: AnySchema; options?: AnySchema[] };
      if (def.innerType) current = def.innerType;
      else if (def.type === "pipe" && def.in) current = def.in;
      else if (def.type === "union" && def.options) current = def.options.find((o) => (o._zod.def as { type: string }).type === "object");
      else break;
    }
    return current;
  };
  for (const key of path) {
    node = unwrap(node);
    if (!node) return [];
    const def = node._zod.def as unknown as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema; valueType?: AnySchema };
    if (def.type === "object" && def.shape) node = def.shape[String(key)];
    else if (def.type === "array") node = def.element;
    else if (def.type === "record") node = def.valueType;
    else return [];
  }
  node = unwrap(node);
  const def = node?._zod.def as unknown as { type: string; shape?: Record<string, AnySchema>; keyType?: AnySchema } | undefined;
  if (def?.type === "object" && def.shape) return Object.keys(def.shape);
  // A record keyed by an enum (analysis.rules) knows its keys too.
  const keyDef = def?.type === "record" ? (def.keyType?._zod.def as unknown as { type: string; entries?: Record<string, string> } | undefined) : undefined;
  return keyDef?.type === "enum" && keyDef.entries ? Object.values(keyDef.entries) : [];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a reference to an undefined group should have named, with the likeliest one. */
export function expectedGroup(name: string, groups: readonly string[]): string {
  const suggestion = suggestValue(name, groups);
  const listed = groups.length ? `one of the groups under reviewers: ${groups.join(", ")}` : "a group defined under reviewers (none are defined)";
  return suggestion ? `${listed} (did you mean "${suggestion}"?)` : listed;
}

/**
 * References between sections, read from the raw file so that they are reported together
 * with the schema's problems rather than only once those are fixed. Only references the
 * user wrote are errors: the built-in routing names `lead` and `seniors`, and a repository
 * that defines other groups is warned about those (see config-warnings.ts), not refused. A
 * file that defines no groups at all is not checked: its groups may come from `_extends`.
 */
function crossFieldProblems(raw: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isMapping(raw.reviewers)) return problems;
  const groups = Object.keys(raw.reviewers);
  if (groups.length === 0) return problems;
  const routing = isMapping(raw.routing) ? raw.routing : {};
  for (const level of LEVELS) {
    const steps = routing[level];
    if (!Array.isArray(steps)) continue;
    steps.forEach((step: unknown, i) => {
      const from = isMapping(step) ? step.from : undefined;
      if (typeof from === "string" && !groups.includes(from)) {
        problems.push({ path: formatPath(["routing", level, i, "from"]), expected: expectedGroup(from, groups), found: JSON.stringify(from) });
      }
    });
  }
  const lead = isMapping(raw.governance) ? raw.governance.lead_group : undefined;
  if (typeof lead === "string" && !groups.includes(lead)) {
    problems.push({ path: "governance.lead_group", expected: expectedGroup(lead, groups), found: JSON.stringify(lead) });
  }
  return problems;
}

/** Validate an already-parsed (and `_extends`-merged) config object. */
export function parseConfig(raw: unknown): ParseResult {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return {
      ok: false,
      problems: [{ path: "", expected: "a mapping of keys (reviewers, routing, risk, …)", found: Array.isArray(raw) ? "a list" : typeof raw }],
    };
  }
  const result = configSchema.safeParse(raw);
  const schemaProblems = result.success ? [] : formatIssues(result.error.issues, raw, knownKeysAt);
  // Every problem in one run: a reference the schema already refused is not reported twice.
  const taken = new Set(schemaProblems.map((p) => p.path));
  const problems = [...schemaProblems, ...crossFieldProblems(raw as Record<string, unknown>).filter((p) => !taken.has(p.path))];
  return result.success && problems.length === 0 ? { ok: true, config: result.data } : { ok: false, problems };
}

function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: string, exact = false): number | undefined {
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  // Walk down as far as the document goes: an unknown or missing key points at its parent.
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
  for (const key of keys) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) {
        if (exact) return undefined;
        break;
      }
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as Node | undefined;
      if (!item) {
        if (exact) return undefined;
        break;
      }
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      if (exact) return undefined;
      break;
    }
  }
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

/**
 * The line of each path the file itself writes, or undefined for one it leaves to the defaults
 * (a warning about the built-in routing has no line to point at).
 */
export function linesOfWrittenPaths(text: string, paths: readonly string[]): Array<number | undefined> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  return paths.map((path) => lineOf(doc, counter, path, true));
}

/**
 * Parse and validate the text of a config file, with line numbers. Used by the CLI and for
 * the dry run on a PR that edits the config. `_extends` is not followed here.
 */
export function parseConfigText(text: string): ParseResult & { extends?: string } {
  if (Buffer.byteLength(text, "utf8") > MAX_CONFIG_BYTES) {
    return {
      ok: false,
      problems: [{ path: "", expected: `a file of at most ${MAX_CONFIG_BYTES / 1024} KiB`, found: `${Math.ceil(Buffer.byteLength(text, "utf8") / 1024)} KiB` }],
    };
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: "",
        line: e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line,
        expected: "valid YAML",
        found: e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""),
      })),
    };
  }
  const raw = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as Record<string, unknown>;
  const ext = typeof raw === "object" && raw && "_extends" in raw ? raw._extends : undefined;
  if (raw && typeof raw === "object") delete raw._extends;
  const result = parseConfig(raw);
  if (!result.ok) {
    for (const problem of result.problems) problem.line = lineOf(doc, counter, problem.path);
    result.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  }
  return typeof ext === "string" ? { ...result, extends: ext } : result;
}
