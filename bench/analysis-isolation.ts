/**
 * Static analysis isolated from the event loop (SPEC §10, §11): the inputs that used to freeze
 * or bloat the app, linted while a 10 ms timer measures how long the main thread goes without
 * running it, and the request count of a 100-file TypeScript PR opened.
 *
 * Two processes: this one runs the app as shipped (`createAnalyzer()` with its production
 * budgets: one worker, 2 s per file, 10 s per PR, 256 MB of heap) on a Probot whose `baseUrl`
 * is a stub of GitHub's REST and GraphQL APIs in a child process, so that serving 1 MB answers
 * does not count against the app's event loop.
 *
 * 1. Each worst input alone in the lint pool: outcome, time in the worker, longest stall.
 * 2. Through the webhook path (`probot.receive`): a PR with all of them, and a 100-file
 *    TypeScript PR: requests per PR (token exchange excluded), annotations, longest stall.
 * 3. Memory: the worker's peak heap against its limit and its peak RSS (a process of its
 *    own), the app process's RSS and heap.
 *
 *   npx tsx bench/analysis-isolation.ts
 */
import { fork, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { RISK_LABEL_PREFIX } from "../src/github/ensure-risk-label.js";
import { RISK_LABEL_COLORS } from "../src/core/risk-label.js";

const OWNER = "acme";
const CONFIG = "reviewers:\n  lead: [alice]\n  seniors: [bob, carol, dave]\nrouting:\n  max_load: 0\n";
const MB = 1024 * 1024;

// Webhook payloads and stub answers are plain JSON edited field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

interface PrFile {
  filename: string;
  text: string | null;
  /** What GitHub's GraphQL API says of the blob when it is not plain text under 512,000 bytes. */
  blob?: { byteSize: number; isBinary: boolean; isTruncated: boolean; text: string | null };
  /** False for a file too large for GitHub to show its diff. */
  patch: boolean;
}

const QUADRATIC_SWITCH = `switch (x) { ${Array.from({ length: 7000 }, (_, i) => `case ${i}:`).join(" ")} }\n`;
const DEBUGGER_MEGABYTE = "debugger;\n".repeat(100_000);
const DEEP_ARRAYS = `export const a = ${"[".repeat(5000)}${"]".repeat(5000)};\n`;
const DEEP_PARENS = `export const b = ${"(".repeat(5000)}1${")".repeat(5000)};\n`;
const MODULE_TS = (i: number) =>
  [
    `import { helper } from "./helper${i}.js";`,
    "",
    `export interface Options${i} { retries: number; label?: string }`,
    "",
    `export function run${i}(items: readonly string[], options: Options${i} = { retries: 3 }): string[] {`,
    "  const seen = new Set<string>();",
    "  for (const item of items) {",
    "    if (seen.has(item)) continue;",
    "    seen.add(helper(item, options.retries));",
    "  }",
    `  const limits = { max: ${i}, max: ${i + 1} };`,
    "  return [...seen].slice(0, limits.max);",
    "}",
    "",
  ].join("\n");

/** Each PR in a repository of its own, so that each is the first event there (no config cached). */
const REPOS: Record<number, string> = { 1: "gadgets", 2: "widgets" };

const PRS: Record<number, PrFile[]> = {
  1: [
    { filename: "src/switch.js", text: QUADRATIC_SWITCH, patch: true },
    { filename: "src/debugger.js", text: DEBUGGER_MEGABYTE, patch: false },
    { filename: "src/arrays.ts", text: DEEP_ARRAYS, patch: true },
    { filename: "src/parens.js", text: DEEP_PARENS, patch: true },
    { filename: "assets/logo.js", text: null, blob: { byteSize: 20_000, isBinary: true, isTruncated: false, text: null }, patch: true },
    { filename: "dist/bundle.js", text: null, blob: { byteSize: 3_000_000, isBinary: false, isTruncated: true, text: "x".repeat(512_000) }, patch: true },
  ],
  2: Array.from({ length: 100 }, (_, i) => ({ filename: `packages/p${i % 10}/src/module${i}.ts`, text: MODULE_TS(i), patch: true })),
};

function patchOf(text: string): string {
  const lines = text.replace(/\n$/, "").split("\n");
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
}

// ---------------------------------------------------------------------------------------
// Child: GitHub.
// ---------------------------------------------------------------------------------------

function runStub(): void {
  const calls: string[] = [];
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const method = req.method ?? "GET";
      const path = new URL(req.url ?? "/", "http://stub").pathname;
      const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}) as Json;
      calls.push(`${method} ${path}`);
      const repo = path.match(/^\/repos\/[^/]+\/[^/]+/)?.[0] ?? "";
      let m: RegExpMatchArray | null;
      if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) return json(res, 201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z" });
      if (method === "GET" && path === `${repo}/contents/.github%2Freview-triage.yml`) return res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(CONFIG);
      if (method === "GET" && (m = path.match(/^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/files$/))) {
        const files = PRS[Number(m[1])] ?? [];
        const lines = (f: PrFile) => (f.text ?? "").split("\n").length;
        return json(res, 200, files.map((f) => ({ sha: "0", filename: f.filename, status: "added", additions: lines(f), deletions: 0, changes: lines(f), ...(f.patch && f.text !== null ? { patch: patchOf(f.text) } : {}) })));
      }
      if (method === "GET" && path === `${repo}/pulls`) return json(res, 200, []);
      if (method === "POST" && path === "/graphql") {
        const variables = body.variables as Record<string, string>;
        const all = Object.values(PRS).flat();
        const repository: Record<string, unknown> = {};
        for (const [key, expression] of Object.entries(variables)) {
          if (!/^e\d+$/.test(key)) continue;
          const f = all.find((x) => x.filename === expression.slice(expression.indexOf(":") + 1));
          repository[`f${key.slice(1)}`] = !f ? null : (f.blob ?? { text: f.text, byteSize: Buffer.byteLength(f.text ?? ""), isBinary: false, isTruncated: false });
        }
        return json(res, 200, { data: { repository } });
      }
      if (method === "POST" && (m = path.match(/\/pulls\/(\d+)\/requested_reviewers$/))) return json(res, 201, { number: Number(m[1]) });
      if (method === "POST" && path === `${repo}/check-runs`) {
        process.send!({ type: "check", body });
        return json(res, 201, { id: 1 });
      }
      if (method === "POST" && /\/issues\/\d+\/comments$/.test(path)) return json(res, 201, { id: 2 });
      // The risk labels exist with the app's colours, as after the repository's first PRs.
      if (method === "POST" && /\/issues\/\d+\/labels$/.test(path)) return json(res, 200, (body.labels as string[]).map((name) => ({ name, color: RISK_LABEL_COLORS[name.replace(RISK_LABEL_PREFIX, "") as keyof typeof RISK_LABEL_COLORS] ?? "ededed" })));
      if (method === "PATCH" && path.startsWith(`${repo}/labels/`)) return json(res, 200, {});
      return json(res, 404, { message: `stub has no route for ${method} ${path}` });
    });
  });
  process.on("message", (message: { type: string }) => {
    if (message.type === "calls") process.send!({ type: "calls", calls: calls.splice(0) });
    if (message.type === "exit") process.exit(0);
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send!({ type: "ready", url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
  });
}

// ---------------------------------------------------------------------------------------
// Parent: the app.
// ---------------------------------------------------------------------------------------

/** The longest the event loop went without running a 10 ms timer, and the process's peak RSS, until `stop`. */
function watch(): { stop: () => { stallMs: number; p99Ms: number; peakRss: number } } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let last = performance.now();
  let longest = 0;
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      histogram.disable();
      return { stallMs: Math.max(longest, performance.now() - last), p99Ms: histogram.percentile(99) / 1e6, peakRss };
    },
  };
}

async function runApp(): Promise<void> {
  const stub: ChildProcess = fork(fileURLToPath(import.meta.url), ["--stub"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const checks: Json[] = [];
  const waiting = new Map<string, (m: Json) => void>();
  stub.on("message", (m: Json) => {
    if (m.type === "check") checks.push(m.body as Json);
    waiting.get(m.type as string)?.(m);
  });
  const ask = (type: string, expect = type) => new Promise<Json>((resolve) => (waiting.set(expect, resolve), type !== "ready" && stub.send({ type })));
  const { url } = await ask("ready");

  const startRss = process.memoryUsage.rss();
  const { pino } = await import("pino");
  const { Probot, ProbotOctokit } = await import("probot");
  const { createApp } = await import("../src/index.js");
  const { createAppDeps } = await import("../src/handlers/app-deps.js");
  const { createAnalyzer } = await import("../src/handlers/analyze-pull-request.js");
  const analyze = createAnalyzer();
  const probot = new Probot({
    appId: 1,
    privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    baseUrl: url,
    log: pino({ level: "warn" }),
    // Throttling off: the figures are about the event loop and the number of requests, not pacing.
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { ...(o.throttle as object), enabled: false } })),
  });
  const { openDatabase } = await import("../src/storage/open-database.js");
  const database = await openDatabase({ dataDir: "memory://" });
  await probot.load(createApp(createAppDeps({ database, appId: 1 }), { analyze }), { cwd: process.cwd(), addHandler: () => undefined });
  const loaded = process.memoryUsage.rss();

  console.log(`analysis-isolation: production budgets (${analyze.pool.size} worker, 2 s per file, 10 s per PR, 256 MB heap); machine load ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs (times scale with it)`);
  console.log(`  RSS: ${(startRss / MB).toFixed(0)} MB at start, ${(loaded / MB).toFixed(0)} MB with the app loaded (no worker yet)`);

  // 1. The lint pool, one worst input at a time.
  console.log("\n  1. each worst input alone in the lint pool");
  const warm = performance.now();
  await analyze.pool.lint({ filename: "warm.ts", source: "export const a = 1;\n", lines: "all", maxFindings: 50 }, { fileMs: 60_000, deadline: performance.now() + 60_000 });
  console.log(`     worker start-up (loads ESLint and the TypeScript parser): ${(performance.now() - warm).toFixed(0)} ms, off the main thread`);
  const inputs: Array<[string, string, string]> = [
    ["quadratic switch, 7,000 cases (76 KB)", "switch.js", QUADRATIC_SWITCH],
    ["1 MB of `debugger;` (100,000 findings)", "debugger.js", DEBUGGER_MEGABYTE],
    ["5,000 nested arrays", "arrays.ts", DEEP_ARRAYS],
    ["5,000 nested parentheses", "parens.js", DEEP_PARENS],
    ["a 14-line TypeScript module", "module.ts", MODULE_TS(1)],
  ];
  for (const [label, filename, source] of inputs) {
    // After a file over budget the pool starts a new worker; timing starts once it is ready.
    await analyze.pool.lint({ filename: "ready.js", source: "x;\n", lines: "all", maxFindings: 1 }, { fileMs: 60_000, deadline: performance.now() + 60_000 });
    const w = watch();
    const started = performance.now();
    const outcome = await analyze.pool.lint({ filename, source, lines: "all", maxFindings: 50 }, { fileMs: 2_000, deadline: performance.now() + 10_000 });
    const ms = performance.now() - started;
    const { stallMs, peakRss } = w.stop();
    const what =
      outcome.kind === "done"
        ? outcome.result.kind === "linted"
          ? `linted: ${(outcome.result.errors + outcome.result.warnings).toLocaleString("en-US")} findings, ${outcome.result.findings.length} sent back`
          : outcome.result.kind
        : outcome.kind === "timeout"
          ? "stopped at the 2 s budget"
          : outcome.kind;
    console.log(`     ${label.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms in the worker, longest stall ${stallMs.toFixed(0).padStart(3)} ms, peak RSS ${(peakRss / MB).toFixed(0).padStart(3)} MB → ${what}`);
  }

  // 2. Through the webhook path.
  console.log("\n  2. through the webhook path (probot.receive)");
  const payload = JSON.parse(readFileSync(new URL("../test/fixtures/pull_request/opened.json", import.meta.url), "utf8")) as Json;
  const open = async (number: number, label: string) => {
    const event = structuredClone(payload);
    event.number = number;
    Object.assign(event.pull_request, { number, title: "Add widgets", draft: false, state: "open", labels: [], requested_reviewers: [], requested_teams: [] });
    event.pull_request.user.login = "erin";
    event.pull_request.head.sha = String(number).repeat(40);
    event.repository.owner.login = OWNER;
    event.repository.name = REPOS[number];
    event.repository.full_name = `${OWNER}/${REPOS[number]}`;
    event.pull_request.changed_files = PRS[number]!.length;
    await ask("calls");
    checks.length = 0;
    const w = watch();
    const started = performance.now();
    await probot.receive({ id: `bench-${number}`, name: "pull_request", payload: event } as Parameters<typeof probot.receive>[0]);
    const ms = performance.now() - started;
    const { stallMs, p99Ms, peakRss } = w.stop();
    const calls = ((await ask("calls")).calls as string[]).filter((c) => !c.includes("/access_tokens"));
    const check = checks.at(-1);
    const annotations = (check?.output?.annotations ?? []) as Json[];
    console.log(`     ${label}: ${ms.toFixed(0)} ms, ${calls.length} requests (token exchange excluded): ${[...new Set(calls)].map((c) => `${c.replace(/^(\w+) \/repos\/[^/]+\/[^/]+/, "$1 ")}${calls.filter((x) => x === c).length > 1 ? ` ×${calls.filter((x) => x === c).length}` : ""}`).join(", ")}`);
    console.log(`       reviewers requested: ${calls.some((c) => c.endsWith("/requested_reviewers")) ? "yes" : "NO"}; check run written: ${check ? "yes" : "NO"}; ${annotations.length} annotations in ${calls.filter((c) => c.includes("/check-runs")).length} request(s); longest stall ${stallMs.toFixed(0)} ms (p99 ${p99Ms.toFixed(0)} ms); peak RSS ${(peakRss / MB).toFixed(0)} MB`);
    return { check, annotations };
  };
  const ts = await open(2, "100-file TypeScript PR opened");
  console.log(`       ${/\d+ errors? and \d+ warnings? on changed lines \([^)]*\)/.exec(String(ts.check?.output?.text ?? ""))?.[0] ?? "no summary"}`);
  const hostile = await open(1, "PR with the worst inputs plus a binary and a 3 MB file");
  const text = String(hostile.check?.output?.text ?? "");
  for (const line of text.split("\n").filter((l) => l.startsWith("- `"))) console.log(`         ${line}`);

  // 3. Memory.
  const stats = analyze.pool.stats();
  (globalThis as { gc?: () => void }).gc?.();
  console.log("\n  3. memory");
  console.log(`     lint workers: ${stats.started} started, ${stats.timeouts} stopped at a time budget, ${stats.outOfMemory} at the heap limit, ${stats.crashes} crashed`);
  // A worker stopped mid-file cannot report; its heap is bounded by the limit all the same.
  console.log(`     worker peak heap after a finished file ${(stats.peakHeapBytes / MB).toFixed(0)} MB; limit ${(stats.heapLimitBytes / MB).toFixed(0)} MB (256 MB old generation + young generation)`);
  console.log(`     worker peak RSS after a finished file ${(stats.peakRssBytes / MB).toFixed(0)} MB (a process of its own, outside the app's RSS)`);
  console.log(`     app heap used now ${(process.memoryUsage().heapUsed / MB).toFixed(0)} MB; app process RSS now ${(process.memoryUsage.rss() / MB).toFixed(0)} MB (workers not included)`);
  await analyze.close();
  console.log(`     after close(): RSS ${(process.memoryUsage.rss() / MB).toFixed(0)} MB`);
  stub.send({ type: "exit" });
}

if (process.argv.includes("--stub")) runStub();
else await runApp();
