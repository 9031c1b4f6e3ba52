/**
 * The app as a user runs it (`src/server.ts`, the entry of `npm start`), in a process of its
 * own, pointed at a GitHub stub through GHE_HOST/GHE_PROTOCOL, and the signed webhooks GitHub
 * would send it. Used by the benchmarks that kill, restart and replicate the app.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { STUB_APP_ID, type GitHubStub } from "./github-stub.js";

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const WEBHOOK_SECRET = "bench-webhook-secret";
export const OWNER = "Codertocat";
export const REPO = "Hello-World";

let privateKey: string | undefined;
function appKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface AppProcess {
  child: ChildProcess;
  url: string;
  /** Lines the app logged (pino JSON), for the end-of-run checks. */
  logs: string[];
  /** Resident set size of the process now, in bytes (from /proc), or undefined once it has exited. */
  rss(): number | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Start the app and wait until /readyz says its database and queue are up. */
export async function startApp(
  stub: GitHubStub,
  options: { dataDir?: string; databaseUrl?: string; env?: NodeJS.ProcessEnv; /** Node flags before the entry, e.g. npm start's. */ nodeFlags?: string[] } = {},
): Promise<AppProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    APP_ID: String(STUB_APP_ID),
    PRIVATE_KEY: appKey(),
    WEBHOOK_SECRET,
    GHE_HOST: stub.host,
    GHE_PROTOCOL: "http",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), "--import", "tsx", join(ROOT, "src/server.ts")], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  let tail = "";
  const collect = (chunk: Buffer) => {
    const text = tail + chunk.toString("utf8");
    const lines = text.split("\n");
    tail = lines.pop() ?? "";
    logs.push(...lines.filter(Boolean));
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let done = false;
  void exited.then(() => (done = true));
  for (;;) {
    if (done) throw new Error(`the app exited before it was ready:\n${logs.slice(-20).join("\n")}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the app was not ready within 60 s:\n${logs.slice(-20).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    logs,
    rss() {
      if (done || !child.pid) return undefined;
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
        return Number.isFinite(kb) ? kb * 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    exited,
    async kill(signal) {
      if (!done) child.kill(signal);
      await exited;
    },
  };
}

/** A pull_request webhook as GitHub sends it for PR `n` of the stub's repository. */
export function pullRequestPayload(stub: GitHubStub, n: number, action = "opened"): Record<string, unknown> {
  const pull = stub.pulls.get(n);
  if (!pull) throw new Error(`the stub has no PR ${n}`);
  const fixture = JSON.parse(readFileSync(join(ROOT, "test/fixtures/pull_request/opened.json"), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const pr = fixture.pull_request;
  fixture.action = action;
  fixture.number = n;
  Object.assign(pr, {
    number: n,
    title: pull.title,
    draft: false,
    state: "open",
    labels: [],
    requested_reviewers: [],
    requested_teams: [],
    additions: pull.files.reduce((s, f) => s + f.additions, 0),
    deletions: pull.files.reduce((s, f) => s + f.deletions, 0),
    changed_files: pull.files.length,
  });
  pr.user.login = pull.author;
  pr.user.type = "User";
  pr.head.sha = pull.headSha;
  pr.head.ref = `feature-${n}`;
  return fixture;
}

export interface Posted {
  status: number;
  ms: number;
}

/** POST a signed webhook; the time is until the answer's status line (GitHub's 10 s clock). */
export async function postWebhook(url: string, event: string, id: string, payload: unknown): Promise<Posted> {
  const body = JSON.stringify(payload);
  const started = performance.now();
  const res = await fetch(`${url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": id,
      "x-hub-signature-256": `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`,
    },
    body,
  });
  const ms = performance.now() - started;
  await res.arrayBuffer();
  return { status: res.status, ms };
}

/** PRs 1..n in the stub: a few files each, spread over directories, by authors outside the team. */
export function seedPulls(stub: GitHubStub, n: number): void {
  for (let i = 1; i <= n; i++) {
    stub.addPull({
      number: i,
      title: i % 3 === 0 ? `fix: handle edge case ${i}` : `feat: add feature ${i}`,
      author: `dev${i % 7}`,
      headSha: createHmac("sha1", "head").update(String(i)).digest("hex"),
      files: Array.from({ length: 1 + (i % 5) }, (_, j) => ({
        filename: `src/area${i % 4}/file${j}.ts`,
        status: "modified",
        additions: 10 + ((i * 7 + j * 13) % 120),
        deletions: (i + j) % 9,
        changes: 0,
        patch: `@@ -1,3 +1,6 @@\n${Array.from({ length: 6 }, (_, k) => `+export const v${k} = ${k};`).join("\n")}`,
      })),
    });
  }
}

export function deliveryId(run: string, n: number, suffix = "0"): string {
  const hex = createHmac("sha256", run).update(`${n}:${suffix}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Wait until `done()` holds, polling; false when `timeoutMs` passed first. */
export async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return done();
}

export const BENCH_CONFIG = `reviewers:
  lead: [alice]
  seniors: [bob, carol, dave]
routing:
  max_load: 0
  respect_busy: false
`;
