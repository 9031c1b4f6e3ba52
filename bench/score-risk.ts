/**
 * Benchmark for SPEC §10: risk scoring of a 3000-file PR against 200 path rules must take
 * ≤ 5 ms median. The config is parsed once and reused, as the app's config cache does, so
 * glob compilation happens once (timed separately). Files come in path order, as GitHub
 * lists them; wall time on a shared machine includes waiting for a core, so CPU time per
 * run is printed too.
 *
 *   npx tsx bench/score-risk.ts
 */
import { configSchema } from "../src/config/schema.js";
import { compileRiskConfig, scoreRisk } from "../src/core/score-risk.js";
import type { ChangedFile, PullRequestFacts } from "../src/core/types.js";
import { seededRandom } from "./support/seeded-random.js";

const FILES = 3000;
const RULES = 200;
const WARMUP = 50;
const RUNS = 500;

// Seeded, so every run measures the same input.
const random = seededRandom(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const TOP = ["src", "lib", "packages", "services", "apps", "internal", "test", "docs", "db", "config"];
const SUB = ["api", "auth", "billing", "core", "ui", "utils", "models", "handlers", "jobs", "payments", "search", "users", "admin", "reports", "storage", "cache", "events", "mail", "i18n", "infra"];
const EXT = [".ts", ".ts", ".ts", ".tsx", ".js", ".go", ".py", ".sql", ".md", ".json", ".yml", ".test.ts", ".css"];

// ~200 directories, two or three levels deep.
const dirs: string[] = [];
for (const top of TOP) for (const sub of SUB) dirs.push(random() < 0.5 ? `${top}/${sub}` : `${top}/${sub}/${pick(SUB)}`);

/** Code lines of the kinds a diff holds. */
const CODE = [
  "  const total = items.reduce((sum, item) => sum + item.price, 0);",
  "  if (!user) throw new Error(`no user ${id}`);",
  "  return { ...state, loading: false };",
  "  }",
  "export async function handle(event: Event): Promise<void> {",
  "  await store.save(record);",
];
/** Rare but real: a string holding a comment opener, which the line counter must skip. */
const TRICKY = '  const pattern = "src/**/*.ts"; // a glob, not a comment';

function patchFor(lines: number): string {
  const body: string[] = [`@@ -10,3 +10,${lines + 3} @@`, " import { x } from './x';"];
  for (let i = 0; i < lines; i++) {
    const r = random();
    body.push(
      r < 0.12 ? "+"
      : r < 0.2 ? "+  // explain why"
      : r < 0.23 ? "+  /** Doc comment. */"
      : r < 0.24 ? `+${TRICKY}`
      : `+${pick(CODE)}`,
    );
  }
  body.push(" export {};");
  return body.join("\n");
}

const files: ChangedFile[] = [];
for (let i = 0; i < FILES; i++) {
  const status = pick(["modified", "modified", "modified", "modified", "added", "removed", "renamed"] as const);
  const additions = status === "removed" ? 0 : Math.floor(random() * 40);
  const deletions = status === "added" ? 0 : Math.floor(random() * 20);
  const file: ChangedFile = { filename: `${pick(dirs)}/file-${i}${pick(EXT)}`, status, additions, deletions };
  // GitHub sends a patch for most text files; half of them here, the rest count by additions.
  if (status !== "removed" && random() < 0.5) file.patch = patchFor(additions);
  if (status === "renamed") file.previous_filename = `${pick(dirs)}/old-${i}.ts`;
  files.push(file);
}
files.push({ filename: "package-lock.json", status: "modified", additions: 900, deletions: 700 });
// GitHub lists a PR's files in path order, as git does.
files.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));

// 200 rules of the shapes real configs use, most of them matching files of this PR:
// directory subtrees, extensions anywhere, brace alternatives, directories at any depth,
// file names anywhere and wildcard directories (which minimatch itself must decide).
const impact = [];
for (let i = 0; i < RULES; i++) {
  const kind = i % 6;
  const paths =
    kind === 0 ? [`${pick(TOP)}/${pick(SUB)}/**`]
    : kind === 1 ? [`**/*.${pick(["sql", "proto", "graphql", "tf", "sh", "go", "py"])}`]
    : kind === 2 ? [`{src,lib}/${pick(SUB)}/{models,handlers,${pick(SUB)}}/**`]
    : kind === 3 ? [`${pick(TOP)}/${pick(SUB)}/**/*.{ts,tsx}`]
    : kind === 4 ? [`**/${pick(SUB)}/**`, `**/file-${i}.ts`]
    : [`${pick(TOP)}/*/${pick(SUB)}/*.ts`];
  impact.push({ paths, impact: pick(["low", "medium", "high", "critical"] as const), reason: `rule ${i}` });
}
const config = configSchema.parse({ risk: { impact } }).risk;

const patterns = impact.reduce((n, r) => n + r.paths.length, 0);
const pr: PullRequestFacts = {
  number: 1,
  title: "feat(billing): new invoicing pipeline",
  headRef: "feature/invoicing",
  labels: [],
  additions: files.reduce((n, f) => n + f.additions, 0),
  deletions: files.reduce((n, f) => n + f.deletions, 0),
  changedFiles: files.length,
};

const compileStart = performance.now();
compileRiskConfig(config);
const compileTime = performance.now() - compileStart;
const firstStart = performance.now();
const result = scoreRisk({ files, pr, config });
const firstCall = performance.now() - firstStart;
for (let i = 0; i < WARMUP; i++) scoreRisk({ files, pr, config });

const times: number[] = [];
// CPU time as well as wall time: on a shared machine wall time includes waiting for a core.
const cpuStart = process.cpuUsage();
for (let i = 0; i < RUNS; i++) {
  const start = performance.now();
  scoreRisk({ files, pr, config });
  times.push(performance.now() - start);
}
const cpu = process.cpuUsage(cpuStart);
times.sort((a, b) => a - b);
const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;

console.log(`score-risk: ${files.length} files in ${new Set(files.map((f) => f.filename.slice(0, f.filename.lastIndexOf("/")))).size} directories, ${files.filter((f) => f.patch).length} with patches; ${RULES} impact rules (${patterns} patterns); ${RUNS} runs`);
console.log(`  compile config once: ${compileTime.toFixed(2)} ms; first scoring call (cold JIT, built-in kinds): ${firstCall.toFixed(2)} ms`);
console.log(`  min ${at(0).toFixed(3)} ms   median ${at(0.5).toFixed(3)} ms   p99 ${at(0.99).toFixed(3)} ms   max ${at(1).toFixed(3)} ms   (budget: median ≤ 5 ms)`);
console.log(`  CPU per run (mean, all threads): ${((cpu.user + cpu.system) / 1000 / RUNS).toFixed(3)} ms`);
console.log(`  heapUsed ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1)} MB`);
console.log(`  result: ${result.level} (score ${result.score}), likelihood ${result.likelihood.value} ${result.likelihood.band}, impact ${result.impact.level}, ${result.impact.matches.length} impact matches`);
