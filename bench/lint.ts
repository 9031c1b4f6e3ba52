/**
 * Benchmark for SPEC §7: static analysis of a 100-file PR. Generates 100 realistic modules
 * (200–400 lines each, half TypeScript, a few real bugs), then runs them through analyzeFiles
 * with an in-memory fetchContents and the production lint pool (one worker process), with the
 * production bounds (so a budget overrun shows up as skipped files). The first run includes
 * the worker's start-up (loading the parsers) and JIT warm-up, as the first PR after a deploy
 * would; the warm runs are the steady state.
 *
 *   npx tsx bench/lint.ts
 */
import { cpus, loadavg } from "node:os";
import { configSchema } from "../src/config/schema.js";
import { analyzeFiles, DEFAULT_ANALYSIS_LIMITS, type AnalysisResult, type FetchedContent } from "../src/core/analysis/analyze-files.js";
import { createLintPool } from "../src/workers/create-lint-pool.js";
import type { ChangedFile } from "../src/core/types.js";
import { seededRandom } from "./support/seeded-random.js";

const FILES = 100;
const WARM_RUNS = 5;

// Seeded, so every run measures the same input.
const random = seededRandom(7);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

const NOUNS = ["invoice", "customer", "order", "payment", "session", "review", "report", "account", "webhook", "schedule"];
const VERBS = ["load", "save", "resolve", "normalize", "validate", "render", "sync", "merge", "compute", "publish"];
const cap = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

let uid = 0;
const name = (): string => `${pick(VERBS)}${cap(pick(NOUNS))}${uid++}`;

/** One block of code: a realistic unit (function, class, reducer) of 12–45 lines. */
function block(ts: boolean): string[] {
  const t = (typed: string, plain = ""): string => (ts ? typed : plain);
  const noun = pick(NOUNS);
  const Noun = cap(noun);
  const fn = name();
  switch (between(0, 5)) {
    case 0:
      return [
        `/**`,
        ` * ${cap(pick(VERBS))} a ${noun} record coming from the API.`,
        ` * Unknown fields are dropped; dates are parsed.`,
        ` */`,
        `export function ${fn}(input${t(`: Raw${Noun}`)}, options${t(`: Options`)} = {})${t(`: ${Noun}`)} {`,
        `  const result${t(`: Partial<${Noun}>`)} = {};`,
        `  for (const [key, value] of Object.entries(input)) {`,
        `    if (value === null || value === undefined) continue;`,
        `    if (key.endsWith("At") && typeof value === "string") {`,
        `      result[key${t(` as keyof ${Noun}`)}] = new Date(value)${t(" as never")};`,
        `    } else if (options.strict && !ALLOWED.has(key)) {`,
        `      throw new Error(\`unknown field \${key} in ${noun}\`);`,
        `    } else {`,
        `      result[key${t(` as keyof ${Noun}`)}] = value${t(" as never")};`,
        `    }`,
        `  }`,
        `  return result${t(` as ${Noun}`)};`,
        `}`,
        ``,
      ];
    case 1:
      return [
        `export async function ${fn}(client${t(": Client")}, id${t(": string")}, attempts = 3)${t(`: Promise<${Noun} | undefined>`)} {`,
        `  let lastError${t(": unknown")};`,
        `  for (let attempt = 1; attempt <= attempts; attempt++) {`,
        `    try {`,
        `      const response = await client.get(\`/${noun}s/\${encodeURIComponent(id)}\`);`,
        `      if (response.status === 404) return undefined;`,
        `      if (response.status >= 500) throw new Error(\`server error \${response.status}\`);`,
        `      return ${fn}Parse(response.data);`,
        `    } catch (error) {`,
        `      lastError = error;`,
        `      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));`,
        `    }`,
        `  }`,
        `  throw lastError;`,
        `}`,
        ``,
        `function ${fn}Parse(data${t(": unknown")})${t(`: ${Noun}`)} {`,
        `  if (typeof data !== "object" || data === null) throw new TypeError("expected an object");`,
        `  return { ...data, loadedAt: Date.now() }${t(` as ${Noun}`)};`,
        `}`,
        ``,
      ];
    case 2:
      return [
        `export class ${Noun}Store${uid++}${t(` implements Store<${Noun}>`)} {`,
        `  ${t("private readonly ")}items = new Map${t(`<string, ${Noun}>`)}();`,
        `  ${t("private ")}listeners${t(`: Array<(item: ${Noun}) => void>`)} = [];`,
        ``,
        `  constructor(${t("private readonly ")}limit${t(": number")} = 1000) {`,
        ts ? `    if (limit <= 0) throw new RangeError("limit must be positive");` : `    this.limit = limit;`,
        `  }`,
        ``,
        `  get size()${t(": number")} {`,
        `    return this.items.size;`,
        `  }`,
        ``,
        `  add(item${t(`: ${Noun}`)})${t(": this")} {`,
        `    if (this.items.size >= this.limit) {`,
        `      const oldest = this.items.keys().next().value;`,
        `      if (oldest !== undefined) this.items.delete(oldest);`,
        `    }`,
        `    this.items.set(item.id, item);`,
        `    for (const listener of this.listeners) listener(item);`,
        `    return this;`,
        `  }`,
        ``,
        `  find(predicate${t(`: (item: ${Noun}) => boolean`)})${t(`: ${Noun}[]`)} {`,
        `    return [...this.items.values()].filter(predicate).sort((a, b) => a.id.localeCompare(b.id));`,
        `  }`,
        ``,
        `  onAdd(listener${t(`: (item: ${Noun}) => void`)})${t(": () => void")} {`,
        `    this.listeners.push(listener);`,
        `    return () => {`,
        `      this.listeners = this.listeners.filter((l) => l !== listener);`,
        `    };`,
        `  }`,
        `}`,
        ``,
      ];
    case 3:
      return [
        `export function ${fn}Reducer(state${t(`: ${Noun}State`)} = initial${Noun}State, action${t(`: ${Noun}Action`)})${t(`: ${Noun}State`)} {`,
        `  switch (action.type) {`,
        `    case "${noun}/loading":`,
        `      return { ...state, loading: true, error: undefined };`,
        `    case "${noun}/loaded": {`,
        `      const byId = { ...state.byId };`,
        `      for (const item of action.items) byId[item.id] = item;`,
        `      return { ...state, loading: false, byId, ids: Object.keys(byId).sort() };`,
        `    }`,
        `    case "${noun}/failed":`,
        `      return { ...state, loading: false, error: action.error };`,
        `    case "${noun}/removed": {`,
        `      const { [action.id]: _removed, ...byId } = state.byId;`,
        `      return { ...state, byId, ids: state.ids.filter((id) => id !== action.id) };`,
        `    }`,
        `    default:`,
        `      return state;`,
        `  }`,
        `}`,
        ``,
      ];
    case 4:
      return [
        ts ? `export interface ${Noun}Summary${uid} {` : `/** @typedef {{ total: number, count: number, average: number }} ${Noun}Summary */`,
        ...(ts ? [`  total: number;`, `  count: number;`, `  average: number;`, `  byMonth: Record<string, number>;`, `}`, ``] : [``]),
        `export function ${fn}Summary(items${t(`: readonly ${Noun}[]`)}, now = new Date())${t(`: ${Noun}Summary${uid}`)} {`,
        `  const byMonth${t(": Record<string, number>")} = {};`,
        `  let total = 0;`,
        `  for (const item of items) {`,
        `    const month = item.createdAt.toISOString().slice(0, 7);`,
        `    byMonth[month] = (byMonth[month] ?? 0) + item.amount;`,
        `    total += item.amount;`,
        `  }`,
        `  const recent = items.filter((item) => now.getTime() - item.createdAt.getTime() < 30 * 86_400_000);`,
        `  const count = recent.length;`,
        `  return { total, count, average: count === 0 ? 0 : total / count, byMonth };`,
        `}`,
        ``,
      ];
    default:
      return [
        `const ${fn}Labels = {`,
        `  draft: "Draft",`,
        `  open: "Open",`,
        `  closed: "Closed",`,
        // A real bug now and then, so the run also produces findings.
        random() < 0.3 ? `  open: "Reopened",` : `  archived: "Archived",`,
        `};`,
        ``,
        `export function ${fn}Label(status${t(": string")}, count${t(": number")})${t(": string")} {`,
        `  const label = ${fn}Labels[status${t(" as keyof typeof " + fn + "Labels")}] ?? status;`,
        `  if (count === 0) return \`No \${label.toLowerCase()} ${noun}s\`;`,
        `  if (count === 1) return \`One \${label.toLowerCase()} ${noun}\`;`,
        `  return \`\${count.toLocaleString("en-US")} \${label.toLowerCase()} ${noun}s\`;`,
        `}`,
        ``,
      ];
  }
}

function moduleSource(ts: boolean, targetLines: number): string {
  const lines: string[] = [
    `import { createHash } from "node:crypto";`,
    ts ? `import type { Client, Options, Store } from "../types.js";` : `import { Client } from "../client.js";`,
    `import { logger } from "../logger.js";`,
    ``,
    `const ALLOWED = new Set(["id", "name", "amount", "createdAt", "updatedAt", "status"]);`,
    `export const checksum = (text${ts ? ": string" : ""}) => createHash("sha256").update(text).digest("hex");`,
    ``,
  ];
  if (ts) lines.push(`type Raw<T> = { [K in keyof T]?: unknown };`, ``);
  while (lines.length < targetLines) lines.push(...block(ts));
  lines.push(`logger.debug({ module: "${uid}" }, "loaded");`, ``);
  return lines.join("\n");
}

/** A patch changing about a quarter of the file in a handful of hunks. */
function modifiedPatch(source: string): { patch: string; additions: number } {
  const total = source.split("\n").length;
  const hunks: string[] = [];
  let additions = 0;
  let line = between(1, 20);
  while (line < total - 10) {
    const size = between(3, 15);
    hunks.push(`@@ -${line},${size + 2} +${line},${size + 2} @@`, ` context`, ...Array.from({ length: size }, () => `-old\n+new`), ` context`);
    // Only the markers and counts matter to the line mapping, not the text.
    additions += size;
    line += size + between(10, 60);
  }
  return { patch: hunks.join("\n"), additions };
}

const tree = new Map<string, string>();
const files: ChangedFile[] = [];
for (let i = 0; i < FILES; i++) {
  const ts = i % 2 === 0;
  const ext = ts ? pick([".ts", ".ts", ".tsx", ".mts"]) : pick([".js", ".js", ".jsx", ".mjs"]);
  const filename = `packages/${pick(NOUNS)}/src/${name()}${ext}`;
  const source = moduleSource(ts, between(200, 400));
  tree.set(filename, source);
  if (random() < 0.3) {
    const lines = source.split("\n");
    const patch = `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
    files.push({ filename, status: "added", additions: lines.length, deletions: 0, patch });
  } else {
    const { patch, additions } = modifiedPatch(source);
    files.push({ filename, status: "modified", additions, deletions: additions, patch });
  }
}

const config = configSchema.parse({}).analysis;
let fetches = 0;
const fetchContents = async (filenames: readonly string[]): Promise<Map<string, FetchedContent>> => {
  fetches += 1;
  return new Map(
    filenames.map((name) => {
      const text = tree.get(name) ?? "";
      return [name, { kind: "blob", bytes: Buffer.byteLength(text), text, binary: false, truncated: false }];
    }),
  );
};
const pool = createLintPool();

async function timed(subset: ChangedFile[] = files): Promise<{ ms: number; result: AnalysisResult }> {
  const start = performance.now();
  // No time budget here: the point is to measure all 100 files; the output says whether they
  // would fit the production budget.
  const result = await analyzeFiles({
    files: subset,
    config,
    fetchContents,
    lint: (task, budget) => pool.lint(task, budget),
    limits: { timeBudgetMs: Number.POSITIVE_INFINITY },
  });
  return { ms: performance.now() - start, result };
}

const cold = await timed();
const warm: number[] = [];
for (let i = 0; i < WARM_RUNS; i++) warm.push((await timed()).ms);
warm.sort((a, b) => a - b);
const median = warm[Math.floor(warm.length / 2)] ?? NaN;
const isTs = (f: ChangedFile): boolean => /\.[cm]?tsx?$/.test(f.filename);
const jsOnly = await timed(files.filter((f) => !isTs(f)));
const tsOnly = await timed(files.filter(isTs));

const totalLines = [...tree.values()].reduce((n, s) => n + s.split("\n").length, 0);
const totalKb = [...tree.values()].reduce((n, s) => n + Buffer.byteLength(s), 0) / 1024;
const r = cold.result;
const perFile = (ms: number): string => (ms / Math.max(1, r.linted.length)).toFixed(1);

console.log(`lint: ${FILES} changed files (${files.filter(isTs).length} TypeScript), ${totalLines} lines, ${totalKb.toFixed(0)} KB`);
console.log(`  first run (starts the worker, JIT): ${cold.ms.toFixed(0)} ms total, ${perFile(cold.ms)} ms/file`);
console.log(`  warm, median of ${WARM_RUNS}:       ${median.toFixed(0)} ms total, ${perFile(median)} ms/file`);
console.log(
  `  warm, by language:              JavaScript ${(jsOnly.ms / jsOnly.result.linted.length).toFixed(1)} ms/file, TypeScript ${(tsOnly.ms / tsOnly.result.linted.length).toFixed(1)} ms/file`,
);
console.log(`  production time budget ${DEFAULT_ANALYSIS_LIMITS.timeBudgetMs} ms per PR: ${median <= DEFAULT_ANALYSIS_LIMITS.timeBudgetMs ? "all files fit" : "the slowest files would be skipped"}`);
console.log(`  linted ${r.linted.length}, skipped ${r.skipped.length}${r.skipped.length ? ` (${[...new Set(r.skipped.map((s) => s.code))].join(", ")})` : ""}, ${fetches / (WARM_RUNS + 3)} content request per run`);
console.log(`  ${r.errorsOnChangedLines} errors and ${r.warningsOnChangedLines} warnings on changed lines`);
(globalThis as { gc?: () => void }).gc?.();
const stats = pool.stats();
console.log(
  `  process rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB (worker included), main heap used ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB, worker peak heap ${(stats.peakHeapBytes / 1024 / 1024).toFixed(0)} MB of ${(stats.heapLimitBytes / 1024 / 1024).toFixed(0)} MB; machine load ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs (figures scale with it)`,
);
await pool.close();
