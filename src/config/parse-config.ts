import { LineCounter, parseDocument, isMap, isSeq, type Node } from "yaml";
import type { z } from "zod";
import { formatIssues, formatPath, type ConfigProblem } from "./format-issues.js";
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
  const def = node?._zod.def as unknown as { type: string; shape?: Record<string, AnySchema> } | undefined;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/** Checks that need the whole (merged) file: references between sections. */
function crossFieldProblems(raw: Record<string, unknown>, config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const groups = Object.keys(config.reviewers);
  const rawRouting = (raw.routing ?? {}) as Record<string, unknown>;
  for (const level of LEVELS) {
    // Only steps the user wrote are checked: the built-in routing names `lead` and `seniors`,
    // and a repository that defines other groups should not be told off for our defaults.
    if (!Array.isArray(rawRouting[level]) || groups.length === 0) continue;
    config.routing[level].forEach((step, i) => {
      if (!groups.includes(step.from)) {
        problems.push({
          path: formatPath(["routing", level, i, "from"]),
          expected: groups.length ? `a group defined under reviewers (${groups.join(", ")})` : "a group defined under reviewers (none are defined)",
          found: JSON.stringify(step.from),
        });
      }
    });
  }
  const rawGovernance = (raw.governance ?? {}) as Record<string, unknown>;
  if (rawGovernance.lead_group !== undefined && groups.length && !groups.includes(config.governance.lead_group)) {
    problems.push({
      path: "governance.lead_group",
      expected: `a group defined under reviewers (${groups.join(", ")})`,
      found: JSON.stringify(config.governance.lead_group),
    });
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
  if (!result.success) {
    return { ok: false, problems: formatIssues(result.error.issues, raw, knownKeysAt) };
  }
  const cross = crossFieldProblems(raw as Record<string, unknown>, result.data);
  return cross.length ? { ok: false, problems: cross } : { ok: true, config: result.data };
}

function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: string): number | undefined {
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  // Walk down as far as the document goes: an unknown or missing key points at its parent.
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
  for (const key of keys) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : counter.linePos(offset).line;
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
