/**
 * Memory soak (SPEC §10): memory stays flat (RSS < 150 MB) across 10 000 events, so every
 * cache (delivery ids, PR state, configs, team members, analysis results) is bounded.
 *
 * Two processes, so the figures are the app's alone:
 * - this one plays GitHub: a local HTTP stub of the REST API backed by a model of 200
 *   repositories (20 installations) and their pull requests, and the source of webhooks,
 *   built from real payloads (test/fixtures) and the model's current state;
 * - a child started with --expose-gc runs the real app, compiled into dist/ as `npm start`
 *   runs it — `createApp()` with the `createAnalyzer()` extras, as the default export of
 *   src/index.ts — on a Probot with a
 *   fake key whose `baseUrl` is the stub, receives the events over IPC in batches of
 *   ~50 concurrent `probot.receive` calls, and reports `process.memoryUsage()` after a full
 *   GC every 1000 events.
 *
 * The mix follows a PR's life: opened, pushes (synchronize + push), reviews, comments,
 * labels, edits (mostly body-only, which the app ignores), checklist ticks, `/triage`
 * commands, re-runs, closes, plus the echoes of the app's own writes (its labels, comments,
 * review requests and check runs come back as webhooks, as on GitHub).
 *
 * Exit code: 0 whatever the memory figure (it prints PASS or FAIL against the target);
 * 1 only when the run is not a valid measurement (the child crashed, the stub was asked
 * for a route it does not know, or the app logged errors), since then the app did not do
 * its real work.
 *
 * Each sample is taken twice: right after the batch (after a full GC), and again after
 * SOAK_SETTLE_MS of idling, when V8 has handed back the pages the batch's peak needed.
 *
 *   npx tsx bench/memory-soak.ts     (SOAK_EVENTS=10000 SOAK_BATCH=50 SOAK_REPOS=200
 *                                     SOAK_SETTLE_MS=8000; SOAK_ANALYZE=0 leaves ESLint out;
 *                                     BENCH_NODE_FLAGS="--flag …" replaces npm start's node flags)
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { Writable } from "node:stream";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { STICKY_MARKER } from "../src/core/render-comment.js";
import { npmStartRuntime } from "./support/npm-start-runtime.js";
import { seededRandom } from "./support/seeded-random.js";

const EVENTS = Number(process.env.SOAK_EVENTS ?? 10_000);
const BATCH = Number(process.env.SOAK_BATCH ?? 50);
const REPOS = Number(process.env.SOAK_REPOS ?? 200);
const SAMPLE_EVERY = 1000;
const SETTLE_MS = Number(process.env.SOAK_SETTLE_MS ?? 8000);
const TARGET_MB = 150;
const APP_ID = 4242;
const BOT = "review-triage[bot]";
const MB = 1024 * 1024;

// Webhook fixtures are edited field by field; typing every nested shape would add nothing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

interface Sample {
  events: number;
  rss: number;
  /** RSS after the process has been idle for a while: what stays once V8 hands back the pages of the last peak. */
  idleRss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  sizes: Record<string, number>;
  worker?: { started: number; timeouts: number; outOfMemory: number; peakHeapBytes: number; heapLimitBytes: number; peakRssBytes: number };
  seconds: number;
}

interface ChildStats {
  logsByLevel: Record<string, number>;
  messages: Record<string, number>;
  firstErrors: string[];
  rejected: number;
  firstRejections: string[];
  /** Log lines that carry a second `level` key (a logged field shadowing pino's). */
  levelCollisions: number;
}

// ---------------------------------------------------------------------------------------
// Child: the app under test.
// ---------------------------------------------------------------------------------------

async function runChild(stubUrl: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  // Before anything is loaded: Node alone, as production's compiled `node dist/server.js`.
  const startRss = process.memoryUsage().rss;
  const { pino } = await import("pino");
  const { Probot, ProbotOctokit } = await import("probot");
  const { createApp } = await import("../src/index.js");
  const { createAppDeps } = await import("../src/handlers/app-deps.js");
  const { createAnalyzer } = await import("../src/handlers/analyze-pull-request.js");

  // Logs are counted, not kept: the harness must not grow with the event count either.
  const stats: ChildStats = { logsByLevel: {}, messages: {}, firstErrors: [], rejected: 0, firstRejections: [], levelCollisions: 0 };
  const levelName: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) {
        if (!line) continue;
        const entry = JSON.parse(line) as { msg?: string };
        // pino writes its numeric level first; a logged field named `level` would come later
        // and win in JSON.parse, so the severity is read from the line itself.
        const numeric = Number(/^\{"level":(\d+)/.exec(line)?.[1]);
        const level = levelName[numeric] ?? "unknown";
        stats.logsByLevel[level] = (stats.logsByLevel[level] ?? 0) + 1;
        if ((line.match(/"level":/g) ?? []).length > 1) stats.levelCollisions++;
        const msg = `${level}: ${entry.msg ?? ""}`;
        if (msg in stats.messages || Object.keys(stats.messages).length < 100) stats.messages[msg] = (stats.messages[msg] ?? 0) + 1;
        if (numeric >= 50 && stats.firstErrors.length < 5) stats.firstErrors.push(line.slice(0, 600));
      }
      done();
    },
  });

  // Throttling and retries off: the soak measures memory, not Probot's pacing of writes.
  const SoakOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
    ...o,
    retry: { enabled: false },
    throttle: { ...(o.throttle as object), enabled: false },
  }));
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    baseUrl: stubUrl,
    // Production's default level: what is logged per event is part of the app's footprint.
    log: pino({ level: process.env.LOG_LEVEL ?? "info" }, sink),
    Octokit: SoakOctokit,
  });
  // The same wiring as the default export of src/index.ts, with the state kept in reach so
  // the size of each cache can be printed beside the memory figures.
  // PR state, deliveries and refused reviewers live in the database now (embedded, in memory
  // here, so its footprint counts); what stays in the process are bounded caches.
  const { openDatabase } = await import("../src/storage/open-database.js");
  const deps = createAppDeps({ database: await openDatabase({ dataDir: "memory://" }), appId: APP_ID });
  // SOAK_ANALYZE=0 leaves static analysis out, to tell its footprint from the caches'.
  const analyze = process.env.SOAK_ANALYZE === "0" ? undefined : createAnalyzer();
  const extras = analyze ? { analyze } : {};
  await probot.load(createApp(deps, extras), { cwd: process.cwd(), addHandler: () => undefined });

  const sample = () => {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    return {
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      sizes: {
        configs: deps.configs.size,
        writes: deps.writes.pending,
      },
      // The lint workers' own heaps and resident sets: processes of their own, outside the RSS above.
      worker: analyze?.pool.stats(),
    };
  };

  process.on("message", (message: { type: string; events?: Array<{ id: string; name: string; payload: Json }> }) => {
    void (async () => {
      if (message.type === "batch") {
        const results = await Promise.allSettled(
          (message.events ?? []).map((e) => probot.receive(e as unknown as Parameters<typeof probot.receive>[0])),
        );
        for (const r of results) {
          if (r.status === "fulfilled") continue;
          stats.rejected++;
          if (stats.firstRejections.length < 5) stats.firstRejections.push(String((r.reason as Error)?.message ?? r.reason).slice(0, 400));
        }
        process.send!({ type: "done" });
      } else if (message.type === "sample") {
        const now = sample();
        // V8 keeps the pages of a peak for a few seconds before its memory reducer returns
        // them; the idle figure tells what the app holds from what the last batch needed.
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const idle = sample();
        process.send!({ type: "sample", ...now, idleRss: idle.rss });
      } else if (message.type === "stats") {
        process.send!({ type: "stats", ...stats });
      } else if (message.type === "exit") {
        await analyze?.close();
        process.exit(0);
      }
    })();
  });
  process.send!({ type: "ready", gc: Boolean(gc), startRss, analyze: "analyze" in extras });
}

// ---------------------------------------------------------------------------------------
// Parent: GitHub, modelled.
// ---------------------------------------------------------------------------------------

// Seeded, so every run measures the same input.
const random = seededRandom(2026);
const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const sha1 = (text: string): string => createHash("sha1").update(text).digest("hex");

const PEOPLE = Array.from({ length: 80 }, (_, i) => `dev-${String(i).padStart(2, "0")}`);

interface FileModel {
  filename: string;
  status: "added" | "modified" | "removed";
  additions: number;
  deletions: number;
  /** Lines in the file at the head commit (for the contents API and the patch). */
  lines: number;
}

interface PrModel {
  number: number;
  title: string;
  author: string;
  authorType: "User" | "Bot";
  draft: boolean;
  state: "open" | "closed";
  headSha: string;
  headRef: string;
  pushes: number;
  labels: string[];
  requested: string[];
  reviews: Array<{ id: number; login: string; state: string; at: string; commit: string }>;
  comments: Array<{ id: number; body: string; login: string; type: "User" | "Bot" }>;
  files: FileModel[];
}

interface CheckRunModel {
  id: number;
  headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string; text?: string; annotations_count: number };
}

interface RepoModel {
  index: number;
  id: number;
  owner: string;
  name: string;
  installation: number;
  config: string | null;
  lead: string;
  seniors: string[];
  labelColors: Map<string, string>;
  prs: Map<number, PrModel>;
  open: number[];
  nextNumber: number;
  checkRuns: Map<string, CheckRunModel[]>;
  bySha: Map<string, PrModel>;
}

const CHECKLISTS = `checklists:
  - name: Security
    when: { paths: ["src/auth/**", "src/payments/**"], risk: [high, critical], labels: [security] }
    items:
      - Input is validated at the boundary
      - { text: "Threat model updated", required: true, by: lead }
  - name: Database
    when: { paths: ["migrations/**"] }
    items:
      - { text: "Migration is reversible", required: true, by: reviewer }
      - Backfill plan written
`;

function repoConfigText(repo: { index: number; owner: string; lead: string; seniors: string[] }): string | null {
  const kind = repo.index % 10;
  // Two repositories carry an invalid file: the failing-check path runs too.
  if (kind === 3 && repo.index % 100 === 3) return "reviewers:\n  lead: dev-01\nrouting:\n  strategy: fastest\n  hihg: []\n";
  if (kind === 0) return null; // the org's .github file, or the built-in defaults
  const seniors = kind === 1 ? [...repo.seniors.slice(0, 2), `@${repo.owner}/backend`] : repo.seniors;
  return [
    kind === 2 ? "_extends: .github" : "",
    "reviewers:",
    `  lead: [${repo.lead}]`,
    `  seniors: [${seniors.map((s) => JSON.stringify(s)).join(", ")}]`,
    "routing:",
    `  strategy: ${repo.index % 3 === 0 ? "round-robin" : "least-loaded"}`,
    `  max_load: ${3 + (repo.index % 4)}`,
    "risk:",
    "  impact:",
    '    - { paths: ["src/auth/**", "src/payments/**"], impact: critical, reason: "money and identity" }',
    '    - { paths: ["migrations/**"], impact: high }',
    '    - { paths: ["docs/**", "**/*.md"], impact: low }',
    CHECKLISTS,
  ]
    .filter(Boolean)
    .join("\n");
}

function orgConfigText(org: number): string | null {
  if (org % 2) return null;
  return `reviewers:\n  lead: [${PEOPLE[org]}]\n  seniors: [${PEOPLE.slice(20 + org, 24 + org).join(", ")}]\n${CHECKLISTS}`;
}

const repos: RepoModel[] = [];
const repoByName = new Map<string, RepoModel>();
const orgConfigs = new Map<string, string | null>();
for (let i = 0; i < REPOS; i++) {
  const org = Math.floor(i / 10);
  const owner = `org-${String(org).padStart(2, "0")}`;
  const start = (i * 7) % (PEOPLE.length - 6);
  const base = { index: i, owner, lead: PEOPLE[start]!, seniors: PEOPLE.slice(start + 1, start + 1 + between(3, 5)) };
  const repo: RepoModel = {
    ...base,
    id: 5_000_000 + i,
    name: `service-${String(i).padStart(3, "0")}`,
    installation: 7000 + org,
    config: repoConfigText(base),
    labelColors: new Map(),
    prs: new Map(),
    open: [],
    nextNumber: 1 + between(0, 400),
    checkRuns: new Map(),
    bySha: new Map(),
  };
  repos.push(repo);
  repoByName.set(`${owner}/${repo.name}`, repo);
  if (!orgConfigs.has(owner)) orgConfigs.set(owner, orgConfigText(org));
}

const DIRS = ["src/api", "src/ui", "src/core", "src/auth", "src/payments", "lib", "migrations", "docs", "test", ".github/workflows", "scripts"];
function newFile(): FileModel {
  const dir = pick(DIRS);
  const ext = dir === "docs" ? ".md" : dir === "migrations" ? ".sql" : dir === ".github/workflows" ? ".yml" : dir === "test" ? ".test.ts" : pick([".ts", ".ts", ".js", ".tsx"]);
  const additions = between(3, random() < 0.1 ? 400 : 80);
  return { filename: `${dir}/${pick(["user", "order", "session", "invoice", "report", "queue"])}-${between(1, 60)}${ext}`, status: random() < 0.6 ? "modified" : "added", additions, deletions: between(0, 20), lines: additions + between(5, 60) };
}

/** Source text of a changed file at the head commit: plain JS (valid TS too), with a lint finding now and then. */
function sourceOf(file: FileModel): string {
  const out: string[] = [`import { helper } from "./helper.js";`];
  // Whole functions only, then comment lines: a cut function would be a parse error, not a finding.
  for (let i = 1; out.length + 5 <= file.lines; i++) {
    out.push(
      `export function step${i}(value) {`,
      `  const doubled = value * ${i};`,
      i % 7 === 0 ? `  if (doubled == ${i}) return helper(doubled);` : `  if (doubled === ${i}) return helper(doubled);`,
      `  return doubled;`,
      `}`,
    );
  }
  while (out.length < file.lines) out.push(`// note ${out.length}`);
  return out.join("\n");
}

function patchOf(file: FileModel): string {
  const lines = (file.filename.endsWith(".md") || file.filename.endsWith(".sql") || file.filename.endsWith(".yml") ? null : sourceOf(file).split("\n")) ?? Array.from({ length: file.lines }, (_, i) => `line ${i}`);
  const first = file.status === "added" ? 0 : Math.max(0, lines.length - file.additions);
  const body = lines.map((l, i) => (i >= first ? `+${l}` : ` ${l}`));
  return `@@ -${file.status === "added" ? "0,0" : `1,${first}`} +1,${lines.length} @@\n${body.join("\n")}`;
}

// Real payloads, edited per event.
const fixture = (path: string): Json => JSON.parse(readFileSync(new URL(`../test/fixtures/${path}.json`, import.meta.url), "utf8")) as Json;
const T = {
  opened: fixture("pull_request/opened"),
  synchronize: fixture("pull_request/synchronize"),
  labeled: fixture("pull_request/labeled"),
  review: fixture("pull_request_review/submitted"),
  comment: fixture("issue_comment/created"),
  edited: fixture("issue_comment/edited"),
  checkRun: fixture("check_run/rerequested"),
  push: (() => {
    const examples = createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json") as Array<{ name: string; examples: Json[] }>;
    const push = examples.find((e) => e.name === "push")!.examples.find((e) => String(e.ref).startsWith("refs/heads/"))!;
    return structuredClone(push);
  })(),
};

function user(login: string, type: "User" | "Bot" = "User"): Json {
  const u = structuredClone(T.opened.sender) as Json;
  u.login = login;
  u.type = type;
  u.id = 100_000 + (PEOPLE.indexOf(login) + 1);
  return u;
}

function setRepository(target: Json, repo: RepoModel): Json {
  target.id = repo.id;
  target.name = repo.name;
  target.full_name = `${repo.owner}/${repo.name}`;
  target.owner.login = repo.owner;
  target.default_branch = "main";
  return target;
}

function withRepo(payload: Json, repo: RepoModel, sender: Json): Json {
  setRepository(payload.repository, repo);
  payload.installation = { id: repo.installation, node_id: `inst-${repo.installation}` };
  if (payload.organization) payload.organization.login = repo.owner;
  payload.sender = sender;
  return payload;
}

function fillPull(target: Json, repo: RepoModel, pr: PrModel): Json {
  target.id = repo.id * 10_000 + pr.number;
  target.number = pr.number;
  target.title = pr.title;
  target.state = pr.state;
  target.draft = pr.draft;
  target.user = user(pr.author, pr.authorType);
  target.head.sha = pr.headSha;
  target.head.ref = pr.headRef;
  setRepository(target.head.repo, repo);
  target.base.ref = "main";
  setRepository(target.base.repo, repo);
  target.labels = pr.labels.map((name, i) => ({ id: i + 1, name, color: repo.labelColors.get(name) ?? "ededed", default: false }));
  target.requested_reviewers = pr.requested.map((login) => user(login));
  target.requested_teams = [];
  const live = pr.files.filter((f) => f.status !== "removed");
  target.additions = live.reduce((n, f) => n + f.additions, 0);
  target.deletions = pr.files.reduce((n, f) => n + f.deletions, 0);
  target.changed_files = pr.files.length;
  return target;
}

function pullObject(repo: RepoModel, pr: PrModel): Json {
  return fillPull(structuredClone(T.opened.pull_request) as Json, repo, pr);
}

function prEvent(template: Json, action: string, repo: RepoModel, pr: PrModel, sender: Json, extra: Json = {}): { name: string; payload: Json } {
  const payload = withRepo(structuredClone(template) as Json, repo, sender);
  payload.action = action;
  payload.number = pr.number;
  fillPull(payload.pull_request, repo, pr);
  Object.assign(payload, extra);
  return { name: "pull_request", payload };
}

function commentEvent(action: "created" | "edited", repo: RepoModel, pr: PrModel, comment: PrModel["comments"][number], sender: Json, extra: Json = {}): { name: string; payload: Json } {
  const payload = withRepo(structuredClone(action === "created" ? T.comment : T.edited) as Json, repo, sender);
  payload.action = action;
  payload.issue.number = pr.number;
  payload.issue.state = pr.state;
  payload.issue.pull_request = { url: `https://api.github.com/repos/${repo.owner}/${repo.name}/pulls/${pr.number}` };
  payload.issue.user = user(pr.author, pr.authorType);
  payload.comment.id = comment.id;
  payload.comment.body = comment.body;
  payload.comment.user = user(comment.login, comment.type);
  payload.comment.performed_via_github_app = comment.type === "Bot" ? { id: APP_ID, slug: "review-triage" } : null;
  Object.assign(payload, extra);
  return { name: "issue_comment", payload };
}

let nextId = 1;
const stubStats = { calls: 0, writes: 0, sources: 0, repeatedSources: 0, byRoute: new Map<string, number>(), unknown: [] as string[] };
const sourceFetches = new Set<string>();

/** Webhooks GitHub sends back for the app's own writes. */
type Echo = { kind: "labeled"; repo: RepoModel; pr: PrModel; label: string } | { kind: "comment"; repo: RepoModel; pr: PrModel; id: number; action: "created" | "edited"; from?: string } | { kind: "review_requested"; repo: RepoModel; pr: PrModel; login: string } | { kind: "check_run"; repo: RepoModel; run: CheckRunModel; action: "created" | "completed" };
const echoes: Echo[] = [];
function echo(e: Echo): void {
  echoes.push(e);
  // GitHub would keep sending them; the soak only needs a realistic share, so the backlog is capped.
  if (echoes.length > 500) echoes.shift();
}

function startStub(): Promise<{ url: string; close: () => void }> {
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
  };
  const raw = (res: ServerResponse, text: string) => res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(text);
  const notFound = (res: ServerResponse) => json(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });

  const handle = (method: string, path: string, query: URLSearchParams, body: Json, res: ServerResponse): string | undefined => {
    let m: RegExpMatchArray | null;
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      json(res, 201, { token: `ghs_soak${randomUUID().replace(/-/g, "")}`, expires_at: "2099-01-01T00:00:00Z", permissions: { pull_requests: "write", checks: "write", issues: "write", contents: "read", metadata: "read", members: "read" } });
      return "token";
    }
    if (method === "GET" && (m = path.match(/^\/orgs\/([^/]+)\/teams\/([^/]+)\/members$/))) {
      const org = Number(m[1]!.slice(4));
      json(res, 200, PEOPLE.slice(40 + (org % 20), 44 + (org % 20)).map((login) => user(login)));
      return "team members";
    }
    if (method === "POST" && path === "/graphql") {
      // The analyzer's only query: blobs by `<sha>:<path>` expressions, one variable each.
      const variables = (body.variables ?? {}) as Record<string, string>;
      const repo = repoByName.get(`${variables.owner}/${variables.name}`);
      const answer: Record<string, Json | null> = {};
      for (const [key, expression] of Object.entries(variables)) {
        if (!/^e\d+$/.test(key)) continue;
        const colon = expression.indexOf(":");
        const [sha, file] = [expression.slice(0, colon), expression.slice(colon + 1)];
        const f = repo?.bySha.get(sha)?.files.find((x) => x.filename === file && x.status !== "removed");
        const text = f ? sourceOf(f) : undefined;
        answer[`f${key.slice(1)}`] = text === undefined ? null : { text, byteSize: Buffer.byteLength(text), isBinary: false, isTruncated: false };
        // The same file at the same commit again means the analysis was computed again.
        const seen = `${variables.owner}/${variables.name}@${expression}`;
        stubStats.sources++;
        if (sourceFetches.has(seen)) stubStats.repeatedSources++;
        else sourceFetches.add(seen);
      }
      json(res, 200, { data: { repository: repo ? answer : null } });
      return "graphql: blobs";
    }
    if (!(m = path.match(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/))) return undefined;
    const [owner, name, rest = ""] = [m[1]!, m[2]!, m[3]];
    if (method === "GET" && (m = rest.match(/^\/contents\/(.+)$/))) {
      const file = decodeURIComponent(m[1]!);
      if (file === ".github/review-triage.yml") {
        const text = name === ".github" ? orgConfigs.get(owner) : repoByName.get(`${owner}/${name}`)?.config;
        if (text) raw(res, text);
        else notFound(res);
        return "contents: config";
      }
      // Source files are read with GraphQL (above), never one by one.
      return undefined;
    }
    const repo = repoByName.get(`${owner}/${name}`);
    if (!repo) return undefined;
    const prOf = (n: string | undefined) => repo.prs.get(Number(n));
    if (method === "GET" && rest === "/pulls") {
      const open = repo.open.slice(0, Number(query.get("per_page") ?? 30)).map((n) => pullObject(repo, repo.prs.get(n)!));
      json(res, 200, open);
      return "pulls list";
    }
    if ((m = rest.match(/^\/pulls\/(\d+)(\/[a-z_]+)?$/))) {
      const pr = prOf(m[1]);
      if (!pr) return undefined;
      const sub = m[2] ?? "";
      if (method === "GET" && sub === "") return json(res, 200, pullObject(repo, pr)), "pulls get";
      if (method === "GET" && sub === "/files") {
        json(res, 200, pr.files.map((f) => ({ sha: sha1(f.filename), filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, changes: f.additions + f.deletions, patch: patchOf(f) })));
        return "pulls files";
      }
      if (method === "GET" && sub === "/reviews") {
        json(res, 200, pr.reviews.map((r) => ({ id: r.id, user: user(r.login), body: "", state: r.state.toUpperCase(), submitted_at: r.at, commit_id: r.commit })));
        return "reviews";
      }
      if (method === "POST" && sub === "/requested_reviewers") {
        for (const login of (body.reviewers as string[] | undefined) ?? []) {
          if (!pr.requested.includes(login)) pr.requested.push(login);
          echo({ kind: "review_requested", repo, pr, login });
        }
        json(res, 201, pullObject(repo, pr));
        return "requested_reviewers";
      }
      return undefined;
    }
    if (method === "GET" && (m = rest.match(/^\/commits\/([0-9a-f]+)\/check-runs$/))) {
      const runs = (repo.checkRuns.get(m[1]!) ?? []).filter((r) => !query.get("check_name") || r.name === query.get("check_name"));
      json(res, 200, { total_count: runs.length, check_runs: runs.slice(-1).map((r) => ({ id: r.id, head_sha: r.headSha, name: r.name, status: r.status, conclusion: r.conclusion, output: r.output, app: { id: APP_ID } })) });
      return "check-runs list";
    }
    if (method === "POST" && rest === "/check-runs") {
      const run: CheckRunModel = { id: nextId++, headSha: body.head_sha, name: body.name, status: body.status, conclusion: body.conclusion ?? null, output: { ...body.output, annotations: undefined, annotations_count: body.output?.annotations?.length ?? 0 } };
      repo.checkRuns.set(run.headSha, [...(repo.checkRuns.get(run.headSha) ?? []), run]);
      echo({ kind: "check_run", repo, run, action: "created" });
      json(res, 201, { id: run.id, head_sha: run.headSha, name: run.name, status: run.status });
      return "check-runs create";
    }
    if (method === "PATCH" && (m = rest.match(/^\/check-runs\/(\d+)$/))) {
      const run = [...repo.checkRuns.values()].flat().find((r) => r.id === Number(m![1]));
      if (!run) return undefined;
      run.status = body.status ?? run.status;
      run.conclusion = body.conclusion ?? run.conclusion;
      run.output = { ...run.output, ...body.output, annotations: undefined, annotations_count: run.output.annotations_count + (body.output?.annotations?.length ?? 0) };
      if (run.status === "completed") echo({ kind: "check_run", repo, run, action: "completed" });
      json(res, 200, { id: run.id, head_sha: run.headSha, name: run.name, status: run.status });
      return "check-runs update";
    }
    if ((m = rest.match(/^\/issues\/(\d+)\/comments$/))) {
      const pr = prOf(m[1]);
      if (!pr) return undefined;
      if (method === "GET") {
        json(res, 200, pr.comments.map((c) => ({ id: c.id, body: c.body, user: user(c.login, c.type), performed_via_github_app: c.type === "Bot" ? { id: APP_ID } : null })));
        return "comments list";
      }
      if (method === "POST") {
        const comment = { id: nextId++, body: String(body.body), login: BOT, type: "Bot" as const };
        pr.comments.push(comment);
        echo({ kind: "comment", repo, pr, id: comment.id, action: "created" });
        json(res, 201, { id: comment.id, body: comment.body, user: user(BOT, "Bot") });
        return "comments create";
      }
    }
    if ((m = rest.match(/^\/issues\/comments\/(\d+)(\/reactions)?$/))) {
      const id = Number(m[1]);
      if (method === "POST" && m[2]) return json(res, 201, { id: nextId++, content: body.content }), "reactions create";
      if (method === "GET" && !m[2]) {
        // The app reads its comment as it is now before it takes a checklist edit.
        for (const pr of repo.prs.values()) {
          const comment = pr.comments.find((c) => c.id === id);
          if (!comment) continue;
          json(res, 200, { id, body: comment.body, user: user(comment.login, comment.type), performed_via_github_app: comment.type === "Bot" ? { id: APP_ID } : null });
          return "comments get";
        }
        return undefined;
      }
      if (method === "PATCH") {
        for (const pr of repo.prs.values()) {
          const comment = pr.comments.find((c) => c.id === id);
          if (!comment) continue;
          const from = comment.body;
          comment.body = String(body.body);
          echo({ kind: "comment", repo, pr, id, action: "edited", from });
          json(res, 200, { id, body: comment.body, user: user(comment.login, comment.type) });
          return "comments update";
        }
        return undefined;
      }
    }
    if ((m = rest.match(/^\/issues\/(\d+)\/labels(?:\/(.+))?$/))) {
      const pr = prOf(m[1]);
      if (!pr) return undefined;
      const labelsOut = () => pr.labels.map((n) => ({ name: n, color: repo.labelColors.get(n) ?? "ededed" }));
      if (method === "POST" && !m[2]) {
        for (const label of (body.labels as string[] | undefined) ?? []) {
          // GitHub creates a missing label grey: the app then colours it.
          if (!repo.labelColors.has(label)) repo.labelColors.set(label, "ededed");
          if (!pr.labels.includes(label)) pr.labels.push(label);
          echo({ kind: "labeled", repo, pr, label });
        }
        json(res, 200, labelsOut());
        return "labels add";
      }
      if (method === "DELETE" && m[2]) {
        const label = decodeURIComponent(m[2]);
        if (!pr.labels.includes(label)) return json(res, 404, { message: "Label does not exist" }), "labels remove";
        pr.labels = pr.labels.filter((l) => l !== label);
        json(res, 200, labelsOut());
        return "labels remove";
      }
    }
    if (method === "PATCH" && (m = rest.match(/^\/labels\/(.+)$/))) {
      const label = decodeURIComponent(m[1]!);
      repo.labelColors.set(label, String(body.color ?? "ededed"));
      json(res, 200, { name: label, color: repo.labelColors.get(label) });
      return "labels update";
    }
    if (method === "GET" && (m = rest.match(/^\/collaborators\/([^/]+)\/permission$/))) {
      const login = decodeURIComponent(m[1]!);
      const permission = PEOPLE.includes(login) ? "write" : "read";
      json(res, 200, { permission, role_name: permission, user: user(login) });
      return "collaborator permission";
    }
    return undefined;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const method = req.method ?? "GET";
      const text = Buffer.concat(chunks).toString();
      const body = (text ? JSON.parse(text) : {}) as Json;
      stubStats.calls++;
      if (method !== "GET" && !url.pathname.includes("/access_tokens") && url.pathname !== "/graphql") stubStats.writes++;
      const route = handle(method, url.pathname, url.searchParams, body, res);
      if (route) {
        stubStats.byRoute.set(route, (stubStats.byRoute.get(route) ?? 0) + 1);
        return;
      }
      if (stubStats.unknown.length < 10) stubStats.unknown.push(`${method} ${url.pathname}`);
      else stubStats.unknown.length++;
      json(res, 404, { message: `stub has no route for ${method} ${url.pathname}` });
    });
  });
  // Linting blocks the app's event loop for seconds at a time under this load; with Node's
  // default 5 s keep-alive the stub would close sockets the app is about to reuse, and the
  // app would see "other side closed" — a harness artefact, not GitHub's behaviour.
  server.keepAliveTimeout = 10 * 60 * 1000;
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}

// ---------------------------------------------------------------------------------------
// Traffic.
// ---------------------------------------------------------------------------------------

const LABELS = ["bug", "enhancement", "security", "docs", "needs-tests", "dependencies"];
const TITLES = ["Add session handling", "fix: null check in invoice totals", "chore: bump deps", "Refactor order queue", "docs: explain retries", "feat(auth): rotate tokens", "hotfix: payment rounding"];
const mixCounts = new Map<string, number>();

function openPr(repo: RepoModel): { name: string; payload: Json } {
  const number = repo.nextNumber++;
  const bot = random() < 0.05;
  const pr: PrModel = {
    number,
    title: pick(TITLES),
    author: bot ? "renovate[bot]" : pick(PEOPLE.slice(0, 60)),
    authorType: bot ? "Bot" : "User",
    draft: random() < 0.07,
    state: "open",
    headSha: sha1(`${repo.id}#${number}@0`),
    headRef: `feature/${number}`,
    pushes: 0,
    labels: random() < 0.2 ? [pick(LABELS)] : [],
    requested: [],
    reviews: [],
    comments: [],
    files: Array.from({ length: random() < 0.05 ? between(20, 60) : between(1, 8) }, newFile),
  };
  repo.prs.set(number, pr);
  repo.open.push(number);
  repo.bySha.set(pr.headSha, pr);
  return prEvent(T.opened, "opened", repo, pr, user(pr.author, pr.authorType));
}

function fromEcho(e: Echo): { name: string; payload: Json } {
  const bot = user(BOT, "Bot");
  if (e.kind === "labeled") return prEvent(T.labeled, "labeled", e.repo, e.pr, bot, { label: { id: 9, name: e.label, color: e.repo.labelColors.get(e.label) ?? "ededed" } });
  if (e.kind === "review_requested") return prEvent(T.opened, "review_requested", e.repo, e.pr, bot, { requested_reviewer: user(e.login) });
  if (e.kind === "comment") {
    const comment = e.pr.comments.find((c) => c.id === e.id) ?? { id: e.id, body: "", login: BOT, type: "Bot" as const };
    return commentEvent(e.action, e.repo, e.pr, comment, bot, e.action === "edited" ? { changes: { body: { from: e.from ?? "" } } } : {});
  }
  const payload = withRepo(structuredClone(T.checkRun) as Json, e.repo, bot);
  payload.action = e.action;
  Object.assign(payload.check_run, { id: e.run.id, head_sha: e.run.headSha, name: e.run.name, status: e.run.status, conclusion: e.run.conclusion, app: { ...payload.check_run.app, id: APP_ID } });
  return { name: "check_run", payload };
}

/** The next webhook: an echo of the app's own writes now and then, otherwise a person acting on a PR. */
function nextEvent(): { name: string; payload: Json } {
  if (echoes.length && random() < 0.3) {
    const e = echoes.shift()!;
    mixCounts.set(`echo ${e.kind}`, (mixCounts.get(`echo ${e.kind}`) ?? 0) + 1);
    return fromEcho(e);
  }
  // A fifth of the repositories get half of the traffic.
  const repo = random() < 0.5 ? repos[between(0, Math.floor(REPOS / 5) - 1)]! : pick(repos);
  const roll = random() * 100;
  const count = (kind: string) => mixCounts.set(kind, (mixCounts.get(kind) ?? 0) + 1);
  const pr = repo.open.length ? repo.prs.get(pick(repo.open))! : undefined;
  if (!pr || roll < 20) {
    count("pull_request.opened");
    return openPr(repo);
  }
  const human = (login = pick(PEOPLE.slice(0, 60))) => user(login);
  if (roll < 36) {
    // A push: GitHub sends the push and the PR's synchronize.
    const before = pr.headSha;
    pr.pushes++;
    pr.headSha = sha1(`${repo.id}#${pr.number}@${pr.pushes}`);
    repo.bySha.set(pr.headSha, pr);
    for (const f of pr.files) {
      if (random() >= 0.4) continue;
      const added = between(1, 30);
      f.additions += added;
      f.lines += added;
    }
    if (random() < 0.3) pr.files.push(newFile());
    count("pull_request.synchronize");
    if (random() < 0.5) {
      const push = withRepo(structuredClone(T.push) as Json, repo, human(pr.author));
      Object.assign(push, { ref: `refs/heads/${pr.headRef}`, before, after: pr.headSha });
      echoPush = { name: "push", payload: push };
    }
    return prEvent(T.synchronize, "synchronize", repo, pr, human(pr.author), { before, after: pr.headSha });
  }
  if (roll < 48) {
    const login = pr.requested.length && random() < 0.8 ? pick(pr.requested) : pick([repo.lead, ...repo.seniors]);
    const state = pick(["approved", "approved", "commented", "changes_requested"]);
    const review = { id: nextId++, login, state, at: new Date(Date.UTC(2026, 0, 1, 0, 0, nextId)).toISOString(), commit: pr.headSha };
    pr.reviews.push(review);
    pr.requested = pr.requested.filter((l) => l !== login);
    const payload = withRepo(structuredClone(T.review) as Json, repo, human(login));
    payload.action = "submitted";
    fillPull(payload.pull_request, repo, pr);
    Object.assign(payload.review, { id: review.id, state, submitted_at: review.at, commit_id: review.commit, user: user(login), body: "" });
    count("pull_request_review.submitted");
    return { name: "pull_request_review", payload };
  }
  if (roll < 60) {
    const comment = { id: nextId++, body: pick(["LGTM", "Could you add a test for the empty case?", "Why not reuse the helper?\n\n```ts\nhelper(x)\n```", "Thanks!"]), login: pick(PEOPLE.slice(0, 60)), type: "User" as const };
    pr.comments.push(comment);
    count("issue_comment.created (no command)");
    return commentEvent("created", repo, pr, comment, human(comment.login));
  }
  if (roll < 66) {
    const label = pick(LABELS);
    if (!pr.labels.includes(label)) pr.labels.push(label);
    count("pull_request.labeled");
    return prEvent(T.labeled, "labeled", repo, pr, human(), { label: { id: 7, name: label, color: "c5def5" } });
  }
  if (roll < 72) {
    count("pull_request.edited (body only)");
    return prEvent(T.opened, "edited", repo, pr, human(pr.author), { changes: { body: { from: "old description" } } });
  }
  if (roll < 74) {
    const from = pr.title;
    pr.title = pick(TITLES);
    count("pull_request.edited (title)");
    return prEvent(T.opened, "edited", repo, pr, human(pr.author), { changes: { title: { from } } });
  }
  if (roll < 79) {
    pr.state = "closed";
    repo.open = repo.open.filter((n) => n !== pr.number);
    count("pull_request.closed");
    return prEvent(T.opened, "closed", repo, pr, human());
  }
  if (roll < 81) {
    const comment = { id: nextId++, body: pick(["/triage rerun", "/triage explain"]), login: repo.lead, type: "User" as const };
    pr.comments.push(comment);
    count("issue_comment.created (/triage)");
    return commentEvent("created", repo, pr, comment, human(repo.lead));
  }
  if (roll < 84) {
    // A person ticks the first open box of the app's checklist.
    const sticky = pr.comments.find((c) => c.type === "Bot" && c.body.includes("- [ ]"));
    if (sticky) {
      const from = sticky.body;
      sticky.body = from.replace("- [ ]", "- [x]");
      count("issue_comment.edited (tick)");
      return commentEvent("edited", repo, pr, sticky, human(random() < 0.5 ? repo.lead : pr.author), { changes: { body: { from } } });
    }
  }
  if (roll < 86 && pr.draft) {
    pr.draft = false;
    count("pull_request.ready_for_review");
    return prEvent(T.opened, "ready_for_review", repo, pr, human(pr.author));
  }
  if (roll < 87) {
    const run = repo.checkRuns.get(pr.headSha)?.at(-1);
    if (run) {
      const payload = withRepo(structuredClone(T.checkRun) as Json, repo, human(pr.author));
      Object.assign(payload.check_run, { id: run.id, head_sha: run.headSha, name: run.name, app: { ...payload.check_run.app, id: APP_ID }, pull_requests: [{ number: pr.number, head: { sha: pr.headSha, ref: pr.headRef }, base: { ref: "main" } }] });
      count("check_run.rerequested");
      return { name: "check_run", payload };
    }
  }
  if (roll < 88) {
    const push = withRepo(structuredClone(T.push) as Json, repo, human(repo.lead));
    const touches = random() < 0.3;
    Object.assign(push, { ref: "refs/heads/main" });
    push.commits = (push.commits as Json[]).map((c) => ({ ...c, added: [], removed: [], modified: touches ? [".github/review-triage.yml"] : ["README.md"] }));
    count(`push (default branch${touches ? ", config" : ""})`);
    return { name: "push", payload: push };
  }
  count("issue_comment.created (no command)");
  const comment = { id: nextId++, body: "Nit: naming", login: pick(PEOPLE.slice(0, 60)), type: "User" as const };
  pr.comments.push(comment);
  return commentEvent("created", repo, pr, comment, human(comment.login));
}

/** A push event that goes with the last synchronize, sent next. */
let echoPush: { name: string; payload: Json } | undefined;

function nextBatch(size: number): Array<{ id: string; name: string; payload: Json }> {
  const batch: Array<{ id: string; name: string; payload: Json }> = [];
  while (batch.length < size) {
    let event: { name: string; payload: Json };
    if (echoPush) {
      event = echoPush;
      echoPush = undefined;
      mixCounts.set("push (PR branch)", (mixCounts.get("push (PR branch)") ?? 0) + 1);
    } else {
      event = nextEvent();
    }
    batch.push({ id: randomUUID(), ...event });
  }
  return batch;
}

// ---------------------------------------------------------------------------------------
// Run.
// ---------------------------------------------------------------------------------------

function connect(child: ChildProcess) {
  let waiting: { resolve: (m: Json) => void; reject: (e: Error) => void } | undefined;
  child.on("message", (m: Json) => {
    const w = waiting;
    waiting = undefined;
    w?.resolve(m);
  });
  child.on("exit", (code, signal) => {
    waiting?.reject(new Error(`the app process exited (${signal ?? code}) mid-run`));
    waiting = undefined;
  });
  const next = () => new Promise<Json>((resolve, reject) => (waiting = { resolve, reject }));
  return {
    ready: next(),
    ask(message: Json): Promise<Json> {
      const reply = next();
      child.send(message);
      return reply;
    },
  };
}

/**
 * The app as `npm start` runs it: compiled by tsc into dist/, no TypeScript loader in the
 * process (tsx's hooks alone hold some 50 MB). This file's own child code is bundled by esbuild
 * next to it, with every import of the app's sources pointed at their compiled twin in dist/.
 */
/**
 * The Node flags of `npm start` (package.json) and the memory settings of the Docker image's
 * environment (Dockerfile), so the app is measured with what it ships with.
 */
async function compileChild(): Promise<string> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
  const outfile = join(root, ".bench-out", "memory-soak-child.mjs");
  const { build } = await import("esbuild");
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "esm",
    logLevel: "warning",
    plugins: [
      {
        name: "app-from-dist",
        setup(b) {
          b.onResolve({ filter: /^\.\.\/src\// }, (args) => ({ path: join(root, "dist", args.path.slice("../src/".length)), external: true }));
        },
      },
    ],
  });
  return outfile;
}

async function runParent(): Promise<void> {
  const stub = await startStub();
  const production = npmStartRuntime();
  const child = spawn(process.execPath, ["--expose-gc", ...production.flags, await compileChild(), "--child"], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, ...production.env, SOAK_STUB_URL: stub.url },
  });
  console.log(`  app runtime as the Docker image runs it: node ${production.flags.join(" ")}${Object.entries(production.env).map(([k, v]) => `, ${k}=${v}`).join("")}`);
  const ipc = connect(child);
  const hello = await ipc.ready;
  console.log(
    `memory-soak: ${EVENTS} events over ${REPOS} repositories (${new Set(repos.map((r) => r.installation)).size} installations), ${BATCH} concurrent per batch; app in a child process${hello.gc ? " with --expose-gc (figures after a full GC)" : ""}; static analysis ${hello.analyze ? "on (createAnalyzer, as shipped)" : "OFF (SOAK_ANALYZE=0)"}`,
  );
  console.log(`  child RSS before loading anything (node, running the app compiled into dist/): ${(hello.startRss / MB).toFixed(1)} MB`);

  const started = Date.now();
  const samples: Sample[] = [];
  const mb = (n: number) => (n / MB).toFixed(1);
  // Rows are printed as they come: a full run takes minutes.
  console.log(`\n  events   rss MB  heapUsed MB  heapTotal MB  external MB  rss ${SETTLE_MS / 1000}s idle  configs  writes   elapsed s`);
  const takeSample = async (events: number) => {
    const s = await ipc.ask({ type: "sample" });
    const row: Sample = { events, rss: s.rss, idleRss: s.idleRss, heapUsed: s.heapUsed, heapTotal: s.heapTotal, external: s.external, sizes: s.sizes, worker: s.worker, seconds: (Date.now() - started) / 1000 };
    samples.push(row);
    console.log(
      `  ${String(row.events).padStart(6)}  ${mb(row.rss).padStart(6)}  ${mb(row.heapUsed).padStart(11)}  ${mb(row.heapTotal).padStart(12)}  ${mb(row.external).padStart(11)}  ${mb(row.idleRss).padStart(11)}  ${String(row.sizes.configs).padStart(7)}  ${String(row.sizes.writes).padStart(6)}  ${row.seconds.toFixed(1).padStart(10)}`,
    );
  };
  await takeSample(0);
  let sent = 0;
  while (sent < EVENTS) {
    const batch = nextBatch(Math.min(BATCH, EVENTS - sent));
    await ipc.ask({ type: "batch", events: batch });
    const before = sent;
    sent += batch.length;
    if (Math.floor(sent / SAMPLE_EVERY) > Math.floor(before / SAMPLE_EVERY) || sent === EVENTS) await takeSample(sent);
  }
  const stats = (await ipc.ask({ type: "stats" })) as unknown as ChildStats;
  child.send({ type: "exit" });
  stub.close();

  const at = (n: number) => samples.find((s) => s.events === n) ?? samples.at(-1)!;
  const last = samples.at(-1)!;
  const from = at(Math.min(2000, EVENTS));
  const peak = Math.max(...samples.map((s) => s.rss));
  const prs = repos.reduce((n, r) => n + r.prs.size, 0);
  console.log("\n  event mix:");
  for (const [kind, n] of [...mixCounts].sort((a, b) => b[1] - a[1])) console.log(`    ${String(n).padStart(6)}  ${kind}`);
  console.log(`  ${prs} pull requests in ${REPOS} repositories; GitHub API calls: ${stubStats.calls} (${stubStats.writes} writes)`);
  const sources = stubStats.sources;
  if (sources) console.log(`  source files fetched for static analysis: ${sources}, of which ${stubStats.repeatedSources} (${((100 * stubStats.repeatedSources) / sources).toFixed(0)}%) the same file at the same commit again`);
  console.log(`  calls by route: ${[...stubStats.byRoute].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(", ")}`);
  console.log(`  app logs by level: ${JSON.stringify(stats.logsByLevel)}`);
  console.log(`  app log messages: ${Object.entries(stats.messages).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([m, n]) => `${n}× ${m}`).join("; ")}`);
  if (stats.levelCollisions) console.log(`  ${stats.levelCollisions} log lines carry a second "level" key that shadows pino's severity in JSON readers`);
  console.log(`\n  final RSS: ${mb(last.rss)} MB (heapUsed ${mb(last.heapUsed)} MB; ${mb(last.idleRss)} MB after ${SETTLE_MS / 1000} s idle); peak RSS ${mb(peak)} MB, peak after idle ${mb(Math.max(...samples.map((s) => s.idleRss)))} MB`);
  const signed = (n: number) => `${n >= 0 ? "+" : ""}${mb(n)}`;
  console.log(
    `  growth from event ${from.events} to event ${last.events}: RSS ${signed(last.rss - from.rss)} MB, heapUsed ${signed(last.heapUsed - from.heapUsed)} MB, RSS after idle ${signed(last.idleRss - from.idleRss)} MB`,
  );
  const stickies = repos.flatMap((r) => [...r.prs.values()].flatMap((p) => p.comments.filter((c) => c.type === "Bot" && c.body.includes(STICKY_MARKER))));
  if (stickies.length) console.log(`  sticky comments: ${stickies.length}, ${(stickies.reduce((n, c) => n + c.body.length, 0) / stickies.length / 1024).toFixed(1)} KB on average (the stored PR state keeps only a hash of each)`);
  if (last.worker) {
    const w = last.worker;
    console.log(
      `  lint workers: ${w.started} started, ${w.timeouts} stopped over the time budget, ${w.outOfMemory} over the memory budget; peak worker heap ${mb(w.peakHeapBytes)} MB of its ${mb(w.heapLimitBytes)} MB limit, peak worker RSS ${mb(w.peakRssBytes)} MB (worker processes of their own, not in the app's RSS above)`,
    );
  }
  console.log(`  ${peak < TARGET_MB * MB ? "PASS" : "FAIL"}: peak RSS ${mb(peak)} MB vs target < ${TARGET_MB} MB`);

  const problems: string[] = [];
  if (stubStats.unknown.length) problems.push(`the stub was asked for ${stubStats.unknown.length} unknown routes, e.g. ${stubStats.unknown.slice(0, 10).join(", ")}`);
  if (stats.rejected) problems.push(`${stats.rejected} deliveries were rejected, e.g. ${stats.firstRejections.join(" | ")}`);
  if ((stats.logsByLevel.error ?? 0) + (stats.logsByLevel.fatal ?? 0)) {
    const errorMessages = Object.entries(stats.messages).filter(([m]) => m.startsWith("error") || m.startsWith("fatal"));
    problems.push(`the app logged errors: ${errorMessages.map(([m, n]) => `${n}× ${m}`).join(", ")}; first: ${stats.firstErrors.join("\n    ")}`);
  }
  if (problems.length) {
    console.error(`\n  INVALID RUN — the app did not do its normal work, so the figures above do not count:\n  - ${problems.join("\n  - ")}`);
    process.exitCode = 1;
  }
}

if (process.argv.includes("--child")) {
  await runChild(process.env.SOAK_STUB_URL ?? "");
} else {
  await runParent();
}
