/**
 * Ignored events (SPEC §10): CPU per ignored event within 1.25× of a bare Probot app on the
 * same webhook load.
 *
 * Two real HTTP servers, each in its own process, both Probot's `Server` with the same
 * options, logger and secret:
 * - app:  the app as `npm start` runs it (src/server/start-server.ts: intake, storage, queue),
 *   with npm start's node flags and the image's allocator settings;
 * - bare: a Probot app with one listener, `app.on("pull_request.opened", () => {})`;
 * - subscribed (reference only): a Probot app with empty listeners on exactly the events the
 *   app subscribes to. Probot builds an installation Octokit and a Context for every event
 *   that has a listener, so this splits the app's overhead into what subscribing costs in
 *   Probot and what the app's own code costs.
 * This process POSTs the same correctly signed deliveries to both over localhost, a few at
 * a time, and asks each server for its own `process.cpuUsage()` before and after, so the
 * figure is server CPU (webhook verification, JSON parsing, Probot, the app), not wall time
 * on a busy machine. Every delivery is one the app must ignore; the servers' `baseUrl` is a
 * local sentinel that counts requests, so "ignored" is checked to mean "no GitHub call".
 *
 * The servers take turns in chunks of 100 deliveries; the median of the rounds is reported.
 * Exit code 0 whatever the ratio (PASS/FAIL is printed); 1 when the run is not a valid
 * measurement (a delivery not answered 2xx, a GitHub call, or an error logged).
 *
 *   npx tsx bench/ignored-events.ts     (IGNORED_EVENTS=3000 IGNORED_ROUNDS=3 IGNORED_CONCURRENCY=8;
 *                                        IGNORED_SAME_RUNTIME=1 runs the Probot apps with the app's
 *                                        node flags too; BENCH_NODE_FLAGS replaces them)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { npmStartRuntime } from "./support/npm-start-runtime.js";

const EVENTS = Number(process.env.IGNORED_EVENTS ?? 3000);
const ROUNDS = Number(process.env.IGNORED_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.IGNORED_CONCURRENCY ?? 8);
// Enough for the JIT to settle on the hot paths; fewer left the first round visibly slower.
const WARMUP = 2000;
const CHUNK = 100;
// Per kind as many as per round: with fewer, one major GC landing in a chunk moved a row by 50%.
const PER_KIND = EVENTS;
const TARGET = 1.25;
const SECRET = "bench-webhook-secret";
const WEBHOOK_PATH = "/api/github/webhooks";

// Webhook fixtures are edited field by field; typing every nested shape would add nothing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

type Variant = "app" | "bare" | "subscribed";

// ---------------------------------------------------------------------------------------
// Child: one server.
// ---------------------------------------------------------------------------------------

async function runServer(variant: Variant): Promise<void> {
  const { pino } = await import("pino");
  const { Probot, ProbotOctokit, Server } = await import("probot");
  let errors = 0;
  const firstErrors: string[] = [];
  // Both servers log at production's default level through the same sink, so log
  // serialisation is measured like everything else; lines are not written anywhere.
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) {
        const level = Number(/^\{"level":(\d+)/.exec(line)?.[1]);
        if (level >= 50) {
          errors++;
          if (firstErrors.length < 3) firstErrors.push(line.slice(0, 400));
        }
      }
      done();
    },
  });
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  if (variant === "app") {
    // The app as `npm start` runs it: webhook intake, storage (embedded, in memory), queue, workers.
    const { openDatabase } = await import("../src/storage/open-database.js");
    const { startServer } = await import("../src/server/start-server.js");
    const sentinel = new URL(process.env.GITHUB_SENTINEL_URL!);
    const database = await openDatabase({ dataDir: "memory://" });
    const running = await startServer({
      env: { APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, PORT: "0", HOST: "127.0.0.1", GHE_HOST: sentinel.host, GHE_PROTOCOL: "http" },
      log: pino({ level: process.env.LOG_LEVEL ?? "info" }, sink),
      database,
    });
    process.on("message", (message: { type: string }) => {
      if (message.type === "cpu") process.send!({ type: "cpu", cpu: process.cpuUsage(), errors, firstErrors });
      if (message.type === "exit") void running.stop({ graceMs: 1000 }).then(() => process.exit(0));
    });
    process.send!({ type: "ready", port: Number(new URL(running.url).port) });
    return;
  }
  const server = new Server({
    Probot: Probot.defaults({ appId: 1, privateKey, secret: SECRET, baseUrl: process.env.GITHUB_SENTINEL_URL, Octokit: ProbotOctokit }),
    log: pino({ level: process.env.LOG_LEVEL ?? "info" }, sink),
    // Server turns a numeric 0 into its default 3000 (`options.port || 3000`); the string
    // "0" survives that and still asks the OS for a free port.
    port: "0" as unknown as number,
    host: "127.0.0.1",
    webhookPath: WEBHOOK_PATH,
  });
  if (variant === "subscribed") {
    // The app's own event list, read by running its app function against a recorder, so
    // this reference cannot drift from src/index.ts.
    const { createApp } = await import("../src/index.js");
    const { createAppDeps } = await import("../src/handlers/app-deps.js");
    const { openDatabase } = await import("../src/storage/open-database.js");
    const names: string[] = [];
    const recorder = { on: (name: string | string[]) => names.push(...[name].flat()) };
    const deps = createAppDeps({ database: await openDatabase({ dataDir: "memory://" }) });
    createApp(deps)(recorder as unknown as Parameters<ReturnType<typeof createApp>>[0], { cwd: process.cwd(), addHandler: () => undefined });
    await server.load((app) => {
      app.on(names as Parameters<typeof app.on>[0], () => undefined);
    });
  } else {
    await server.load((app) => {
      app.on("pull_request.opened", () => undefined);
    });
  }
  const http = await server.start();
  process.on("message", (message: { type: string }) => {
    if (message.type === "cpu") process.send!({ type: "cpu", cpu: process.cpuUsage(), errors, firstErrors });
    if (message.type === "exit") void server.stop().then(() => process.exit(0));
  });
  process.send!({ type: "ready", port: (http.address() as AddressInfo).port });
}

// ---------------------------------------------------------------------------------------
// Parent: the load.
// ---------------------------------------------------------------------------------------

const fixture = (path: string): Json => JSON.parse(readFileSync(new URL(`../test/fixtures/${path}.json`, import.meta.url), "utf8")) as Json;

interface Delivery {
  kind: string;
  event: string;
  body: string;
  signature: string;
}

function delivery(kind: string, event: string, payload: Json): Delivery {
  const body = JSON.stringify(payload);
  return { kind, event, body, signature: `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` };
}

/** Real payloads, each one the app has no reason to act on. */
function ignoredDeliveries(): Delivery[] {
  const opened = fixture("pull_request/opened");
  const edited = structuredClone(opened);
  edited.action = "edited";
  edited.changes = { body: { from: "The old description." } };

  // (A closed PR is no longer ignored: it goes into the history.)
  const assigned = structuredClone(opened);
  assigned.action = "assigned";
  assigned.assignee = { login: "octocat", id: 583231, type: "User" };

  const comment = fixture("issue_comment/created");
  comment.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/1" };
  comment.comment.body = "Looks good to me, but could you add a test for the empty list?";

  const ownLabel = fixture("pull_request/labeled");
  ownLabel.label = { id: 9, name: "risk: medium", color: "fbca04", default: false };
  ownLabel.sender = { ...ownLabel.sender, login: "review-triage[bot]", type: "Bot" };

  const examples = createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json") as Array<{ name: string; examples: Json[] }>;
  const push = structuredClone(examples.find((e) => e.name === "push")!.examples.find((e) => String(e.ref).startsWith("refs/heads/"))!);
  push.ref = "refs/heads/feature/retry-queue";

  return [
    delivery("pull_request.edited (body only)", "pull_request", edited),
    delivery("issue_comment.created (no command)", "issue_comment", comment),
    delivery("pull_request.assigned", "pull_request", assigned),
    delivery("push (not the default branch)", "push", push),
    delivery("pull_request.labeled (own risk label)", "pull_request", ownLabel),
  ];
}

function post(agent: Agent, port: number, d: Delivery): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: WEBHOOK_PATH,
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(d.body),
          "user-agent": "GitHub-Hookshot/bench",
          "x-github-event": d.event,
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": d.signature,
        },
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(d.body);
  });
}

/** Send `count` deliveries cycling through `deliveries`, `CONCURRENCY` in flight. */
async function load(agent: Agent, port: number, deliveries: Delivery[], count: number, statuses: Map<number, number>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const d = deliveries[next++ % deliveries.length]!;
      const status = await post(agent, port, d);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

interface ServerHandle {
  variant: Variant;
  port: number;
  child: ChildProcess;
  ask: (message: Json) => Promise<Json>;
}

function startServer(variant: Variant, sentinelUrl: string): Promise<ServerHandle> {
  // The app with the node flags and allocator settings it ships with; the Probot apps it is
  // compared with, with node's defaults, or with the app's own (IGNORED_SAME_RUNTIME=1) to tell
  // what the app's code costs from what those settings cost.
  const runtime = variant === "app" || process.env.IGNORED_SAME_RUNTIME === "1" ? npmStartRuntime() : { flags: [], env: {} };
  const child = spawn(process.execPath, [...runtime.flags, "--import", "tsx", fileURLToPath(import.meta.url), `--server=${variant}`], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, ...runtime.env, GITHUB_SENTINEL_URL: sentinelUrl },
  });
  let waiting: ((m: Json) => void) | undefined;
  child.on("message", (m: Json) => {
    const w = waiting;
    waiting = undefined;
    w?.(m);
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the ${variant} server exited (${code}) before it was ready`)));
    waiting = (ready) => {
      resolve({
        variant,
        port: ready.port as number,
        child,
        ask: (message) =>
          new Promise((res) => {
            waiting = res;
            child.send(message);
          }),
      });
    };
  });
}

async function cpuMicros(server: ServerHandle): Promise<{ micros: number; errors: number; firstErrors: string[] }> {
  const reply = await server.ask({ type: "cpu" });
  return { micros: reply.cpu.user + reply.cpu.system, errors: reply.errors, firstErrors: reply.firstErrors };
}

/**
 * Server CPU µs per delivery for each server, `count` deliveries each. The servers take
 * turns in chunks of `CHUNK` deliveries, so a change in machine load (other processes on a
 * shared box) lands on all of them alike instead of on whichever ran at that moment.
 */
async function measure(servers: ServerHandle[], agent: Agent, deliveries: Delivery[], count: number, statuses: Map<number, number>): Promise<Map<Variant, number>> {
  const total = new Map<Variant, number>(servers.map((s) => [s.variant, 0]));
  for (let done = 0, turn = 0; done < count; done += CHUNK, turn++) {
    const n = Math.min(CHUNK, count - done);
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(i + turn) % servers.length]!;
      const before = await cpuMicros(server);
      await load(agent, server.port, deliveries, n, statuses);
      const after = await cpuMicros(server);
      total.set(server.variant, total.get(server.variant)! + after.micros - before.micros);
    }
  }
  return new Map([...total].map(([variant, micros]) => [variant, micros / count]));
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function runParent(): Promise<void> {
  // Stands where api.github.com would be: any request here means an ignored event was not ignored.
  const githubCalls: string[] = [];
  const sentinel = createServer((req: IncomingMessage, res: ServerResponse) => {
    // The app asks for its own identity once at start-up (GET /app); that is no event's call.
    if (!(req.method === "GET" && req.url === "/api/v3/app")) githubCalls.push(`${req.method} ${req.url}`);
    res.writeHead(500, { "content-type": "application/json" }).end('{"message":"benchmark sentinel: no GitHub call expected"}');
  });
  await new Promise<void>((resolve) => sentinel.listen(0, "127.0.0.1", resolve));
  const sentinelUrl = `http://127.0.0.1:${(sentinel.address() as AddressInfo).port}`;

  const shipped = npmStartRuntime();
  const runtime = `node ${shipped.flags.join(" ") || "(no flags)"}${Object.entries(shipped.env).map(([k, v]) => `, ${k}=${v}`).join("")}`;
  console.log(`  app runtime: ${runtime}; Probot apps: ${process.env.IGNORED_SAME_RUNTIME === "1" ? "the same" : "node's defaults"}`);
  const [bare, app, subscribed] = await Promise.all([startServer("bare", sentinelUrl), startServer("app", sentinelUrl), startServer("subscribed", sentinelUrl)]);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const deliveries = ignoredDeliveries();
  const statuses = new Map<number, number>();
  const avgBytes = Math.round(deliveries.reduce((n, d) => n + d.body.length, 0) / deliveries.length);
  console.log(
    `ignored-events: ${EVENTS} signed deliveries per round × ${ROUNDS} rounds to each server, ${CONCURRENCY} in flight, ${deliveries.length} kinds (${avgBytes} bytes on average), after ${WARMUP} warm-up deliveries`,
  );

  const servers = [bare, app, subscribed];
  for (const server of servers) await load(agent, server.port, deliveries, WARMUP, statuses);

  const rounds: Array<Record<Variant, number>> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const result = await measure(servers, agent, deliveries, EVENTS, statuses);
    rounds.push({ bare: result.get("bare")!, app: result.get("app")!, subscribed: result.get("subscribed")! });
    const r = rounds.at(-1)!;
    console.log(`  round ${round + 1}: bare ${r.bare.toFixed(0)} µs/event, app ${r.app.toFixed(0)} µs/event (ratio ${(r.app / r.bare).toFixed(2)}); subscribed-only reference ${r.subscribed.toFixed(0)} µs/event`);
  }

  console.log(`\n  by kind (${PER_KIND} deliveries each; "subscribed" = empty listeners on the app's events):`);
  console.log(`  ${"kind".padEnd(38)} ${"bare µs".padStart(8)} ${"app µs".padStart(8)} ${"ratio".padStart(6)} ${"subscribed µs".padStart(14)}`);
  for (const d of deliveries) {
    const r = await measure(servers, agent, [d], PER_KIND, statuses);
    const [b, a, s] = [r.get("bare")!, r.get("app")!, r.get("subscribed")!];
    console.log(`  ${d.kind.padEnd(38)} ${b.toFixed(0).padStart(8)} ${a.toFixed(0).padStart(8)} ${(a / b).toFixed(2).padStart(6)} ${s.toFixed(0).padStart(14)}`);
  }

  const finalCpu = await Promise.all(servers.map(async (server) => ({ variant: server.variant, ...(await cpuMicros(server)) })));
  for (const server of servers) server.child.send({ type: "exit" });
  agent.destroy();
  sentinel.close();

  const bareUs = median(rounds.map((r) => r.bare));
  const appUs = median(rounds.map((r) => r.app));
  const subscribedUs = median(rounds.map((r) => r.subscribed));
  const ratio = median(rounds.map((r) => r.app / r.bare));
  // Differences within a round, then their median: medians of separate series do not add up.
  const probotPart = median(rounds.map((r) => r.subscribed - r.bare));
  const appPart = median(rounds.map((r) => r.app - r.subscribed));
  console.log(`\n  bare Probot: ${bareUs.toFixed(0)} µs CPU per event (median of ${ROUNDS} rounds)`);
  console.log(`  review-triage: ${appUs.toFixed(0)} µs CPU per event (median of ${ROUNDS} rounds)`);
  console.log(
    `  reference, empty listeners on the app's events: ${subscribedUs.toFixed(0)} µs (${(subscribedUs / bareUs).toFixed(2)}× bare): per round, Probot's per-listened-event work adds ${probotPart.toFixed(0)} µs over bare and the app's own code ${appPart.toFixed(0)} µs over that (medians)`,
  );
  console.log(`  ${ratio <= TARGET ? "PASS" : "FAIL"}: ratio ${ratio.toFixed(2)} (median of per-round ratios) vs target ≤ ${TARGET}`);
  console.log(`  responses: ${[...statuses].map(([s, n]) => `${n}× ${s}`).join(", ")}; GitHub calls: ${githubCalls.length}`);

  const problems: string[] = [];
  const bad = [...statuses].filter(([s]) => s < 200 || s >= 300);
  if (bad.length) problems.push(`deliveries answered ${bad.map(([s, n]) => `${n}× ${s}`).join(", ")}`);
  if (githubCalls.length) problems.push(`${githubCalls.length} GitHub calls for ignored events, e.g. ${githubCalls.slice(0, 5).join(", ")}`);
  for (const e of finalCpu) {
    if (e.errors) problems.push(`the ${e.variant} server logged ${e.errors} errors, e.g. ${e.firstErrors.join(" | ")}`);
  }
  if (problems.length) {
    console.error(`\n  INVALID RUN — the figures above do not measure ignored events:\n  - ${problems.join("\n  - ")}`);
    process.exitCode = 1;
  }
}

const serverArg = process.argv.find((a) => a.startsWith("--server="))?.split("=")[1];
if (serverArg === "app" || serverArg === "bare" || serverArg === "subscribed") {
  await runServer(serverArg);
} else {
  await runParent();
}
