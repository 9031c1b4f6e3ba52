/**
 * Burst benchmark (SPEC §10): N pull requests opened at once in one repository. Measures how
 * long until every PR has its reviewers requested, for Review Triage and for a bare Probot
 * app that makes the same writes naively (all at once, in the order they come to mind),
 * both against a local stub of the GitHub API that enforces the secondary rate limit
 * (80 content-creating requests a minute, answered with 403 like GitHub).
 *
 * Each variant runs in its own process: Octokit's throttle keeps its limiters per process.
 *   npx tsx bench/burst.ts            (BURST_PRS=20 by default; takes about four minutes)
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { shipped } from "./support/npm-start-runtime.js";

// SPEC §10 states the ratio for 20 PRs; the crash and replicas benches take bursts of 50.
const PRS = Number(process.env.BURST_PRS ?? 20);
const OWNER = "acme";
const REPO = "app";
const CONFIG = `reviewers:\n  lead: [alice]\n  seniors: [bob, carol, dave]\nrouting:\n  max_load: 0\n`;

interface StubStats {
  writes: number;
  secondaryLimited: number;
  reviewerRequests: number[];
  firstEventAt: number;
}

function startStub(stats: StubStats): Promise<{ url: string; close: () => void }> {
  const writeTimes: number[] = [];
  let nextId = 1;
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const path = url.pathname;
      const method = req.method ?? "GET";
      const isWrite = method !== "GET" && method !== "HEAD" && !path.includes("/access_tokens");
      if (isWrite) {
        const now = Date.now();
        while (writeTimes.length && now - writeTimes[0]! > 60_000) writeTimes.shift();
        if (writeTimes.length >= 80) {
          stats.secondaryLimited++;
          return json(res, 403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." });
        }
        writeTimes.push(now);
        stats.writes++;
      }
      if (method === "POST" && /\/app\/installations\/\d+\/access_tokens$/.test(path)) {
        return json(res, 201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
      }
      if (method === "GET" && path.includes("/contents/")) {
        if (path.startsWith(`/repos/${OWNER}/${REPO}/`)) {
          res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(CONFIG);
          return;
        }
        return json(res, 404, { message: "Not Found" });
      }
      let m: RegExpMatchArray | null;
      if (method === "GET" && (m = path.match(/\/pulls\/(\d+)\/files$/))) {
        const n = Number(m[1]);
        return json(
          res,
          200,
          Array.from({ length: 5 }, (_, i) => ({
            filename: `src/area${n % 4}/file${i}.ts`,
            status: "modified",
            additions: 30,
            deletions: 5,
            changes: 35,
            patch: `@@ -1,5 +1,30 @@\n${Array.from({ length: 30 }, (_, j) => `+const v${j} = ${j};`).join("\n")}`,
          })),
        );
      }
      if (method === "GET" && path === `/repos/${OWNER}/${REPO}/pulls`) {
        return json(res, 200, Array.from({ length: PRS }, (_, i) => ({ number: i + 1, requested_reviewers: [] })));
      }
      if (method === "POST" && /\/pulls\/\d+\/requested_reviewers$/.test(path)) {
        stats.reviewerRequests.push(Date.now());
        return json(res, 201, {});
      }
      if (method === "POST" && path.endsWith("/check-runs")) return json(res, 201, { id: nextId++ });
      if (method === "POST" && /\/issues\/\d+\/comments$/.test(path)) return json(res, 201, { id: nextId++ });
      if (method === "POST" && /\/issues\/\d+\/labels$/.test(path)) {
        const body = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { labels?: string[] };
        return json(res, 200, (body.labels ?? []).map((name) => ({ name, color: "fbca04" })));
      }
      return json(res, 404, { message: `stub has no route for ${method} ${path}` });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${address.port}`, close: () => server.close() });
    });
  });
}

function payload(n: number) {
  return {
    action: "opened",
    number: n,
    installation: { id: 42 },
    repository: { id: 1, name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER }, default_branch: "main" },
    sender: { login: "erin", type: "User" },
    pull_request: {
      number: n,
      title: `Change ${n}`,
      state: "open",
      draft: false,
      user: { login: "erin", type: "User" },
      head: { sha: `${String(n).padStart(2, "0")}`.repeat(20), ref: `feature-${n}` },
      base: { ref: "main", repo: { id: 1, default_branch: "main" } },
      labels: [],
      requested_reviewers: [],
      requested_teams: [],
      additions: 150,
      deletions: 25,
      changed_files: 5,
    },
  };
}

/** Review Triage as `npm start` runs it, in its own process, against the stateful GitHub stub. */
async function runTriage(): Promise<void> {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { startGitHubStub } = await import("../test/helpers/github-stub.js");
  const app = await import("../test/helpers/app-process.js");
  const stub = await startGitHubStub({ owner: app.OWNER, repo: app.REPO, config: app.BENCH_CONFIG, writesPerMinute: 80 });
  app.seedPulls(stub, PRS);
  const dataDir = mkdtempSync(join(tmpdir(), "review-triage-burst-"));
  const running = await app.startApp(stub, { dataDir, ...shipped() });
  const numbers = Array.from({ length: PRS }, (_, i) => i + 1);
  const run = `burst-${Date.now()}`;
  const started = Date.now();
  const acks = await Promise.all(numbers.map((n) => app.postWebhook(running.url, "pull_request", app.deliveryId(run, n), app.pullRequestPayload(stub, n))));
  await app.waitFor(() => numbers.every((n) => (stub.pulls.get(n)?.requested.size ?? 0) > 0), 900_000);
  const reviewersDone = Math.max(...stub.stats.reviewerRequestTimes) - started;
  await app.waitFor(() => numbers.every((n) => stub.complete(n)), 900_000);
  const finished = Date.now();
  const rss = running.rss();
  await running.kill("SIGTERM");
  await stub.close();
  rmSync(dataDir, { recursive: true, force: true });
  const ms = acks.map((a) => a.ms);
  process.stdout.write(
    `${JSON.stringify({ variant: "triage", prs: PRS, reviewerRequests: stub.stats.reviewerRequestTimes.length, reviewersDoneMs: reviewersDone, allWritesDoneMs: finished - started, writes: stub.stats.writes, secondaryLimited: stub.stats.secondaryLimited, ackP50: app.percentile(ms, 50), ackP99: app.percentile(ms, 99), ackMax: Math.max(...ms), accepted: acks.filter((a) => a.status === 202).length, rssMb: Math.round((rss ?? 0) / 2 ** 20) })}\n`,
  );
}

async function runNaive(): Promise<void> {
  const stats: StubStats = { writes: 0, secondaryLimited: 0, reviewerRequests: [], firstEventAt: 0 };
  const stub = await startStub(stats);
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const log = pino({ level: "silent" });
  const variant = "naive";
  let probot: Probot;
  {
    probot = new Probot({ appId: 1, privateKey, baseUrl: stub.url, log, Octokit: ProbotOctokit });
    await probot.load(
      (app) => {
        app.on("pull_request.opened", async (context) => {
          const { data: files } = await context.octokit.rest.pulls.listFiles(context.pullRequest({ per_page: 100 }));
          const body = `Risk: medium (${files.length} files)`;
          // The same four writes, fired together as a straightforward app would.
          await Promise.all([
            context.octokit.rest.issues.createComment(context.issue({ body })),
            context.octokit.rest.issues.addLabels(context.issue({ labels: ["risk: medium"] })),
            context.octokit.rest.checks.create(
              context.repo({ name: "Review Triage", head_sha: context.payload.pull_request.head.sha, status: "in_progress", output: { title: "Needs review", summary: body } }),
            ),
            context.octokit.rest.pulls.requestReviewers(context.pullRequest({ reviewers: ["bob"] })),
          ]);
        });
      },
      { cwd: process.cwd(), addHandler: () => undefined },
    );
  }
  const started = Date.now();
  const deliveries = Array.from({ length: PRS }, (_, i) =>
    probot.receive({ id: `burst-${variant}-${i}`, name: "pull_request", payload: payload(i + 1) } as unknown as Parameters<Probot["receive"]>[0]),
  );
  await Promise.allSettled(deliveries);
  // Review Triage returns once its writes are queued and done; the naive app awaits its own.
  const finished = Date.now();
  stub.close();
  const reviewersDone = stats.reviewerRequests.length ? Math.max(...stats.reviewerRequests) - started : NaN;
  process.stdout.write(
    `${JSON.stringify({ variant, prs: PRS, reviewerRequests: stats.reviewerRequests.length, reviewersDoneMs: reviewersDone, allWritesDoneMs: finished - started, writes: stats.writes, secondaryLimited: stats.secondaryLimited })}\n`,
  );
}

function child(variant: string): Promise<Record<string, number | string>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), `--variant=${variant}`],
      { maxBuffer: 1 << 20, env: process.env },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${variant} failed: ${stderr || error.message}`));
        const line = stdout.trim().split("\n").at(-1) ?? "{}";
        resolve(JSON.parse(line) as Record<string, number | string>);
      },
    );
  });
}

const variantArg = process.argv.find((a) => a.startsWith("--variant="))?.split("=")[1];
if (variantArg === "triage") {
  await runTriage();
} else if (variantArg === "naive") {
  await runNaive();
} else {
  console.log(`burst: ${PRS} PRs opened at once; Octokit throttling on; stub enforces 80 writes/minute`);
  const naive = await child("naive");
  const triage = await child("triage");
  for (const r of [naive, triage]) {
    console.log(
      `  ${String(r.variant).padEnd(7)} reviewers on all ${r.reviewerRequests}/${PRS} PRs after ${(Number(r.reviewersDoneMs) / 1000).toFixed(1)} s; all writes done after ${(Number(r.allWritesDoneMs) / 1000).toFixed(1)} s; ${r.writes} writes; ${r.secondaryLimited} secondary-rate-limit answers`,
    );
  }
  const ratio = Number(triage.reviewersDoneMs) / Number(naive.reviewersDoneMs);
  console.log(`  ratio (review-triage / bare Probot, time to all reviewers): ${ratio.toFixed(2)} (target ≤ 0.50)`);
  const p99 = Number(triage.ackP99);
  console.log(
    `  review-triage ack latency while the burst is processed: p50 ${Number(triage.ackP50).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${Number(triage.ackMax).toFixed(0)} ms (${triage.accepted}/${PRS} answered 202); RSS afterwards ${triage.rssMb} MB`,
  );
  console.log(`  ${p99 < 1000 ? "PASS" : "FAIL"}: p99 ack latency under 1 s`);
}
