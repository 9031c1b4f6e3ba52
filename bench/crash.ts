/**
 * Crash benchmark (SPEC §10, reliability): 50 PRs opened at once; the app is killed with
 * SIGKILL while their jobs are in flight, then started again on the same data directory
 * (embedded database), and GitHub's redeliveries of every webhook arrive. Every PR must end
 * with its reviewers, exactly one sticky comment, one check run on its head and one risk label,
 * with no review request made twice.
 *
 *   npx tsx bench/crash.ts                 (CRASH_PRS=50; CRASH_KILL_GROUP=1 also kills the
 *                                           embedded database's process with the app)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitHubStub } from "../test/helpers/github-stub.js";
import { BENCH_CONFIG, OWNER, REPO, deliveryId, percentile, postWebhook, pullRequestPayload, seedPulls, startApp, waitFor } from "../test/helpers/app-process.js";
import { shipped } from "./support/npm-start-runtime.js";

const PRS = Number(process.env.CRASH_PRS ?? 50);
const KILL_GROUP = process.env.CRASH_KILL_GROUP === "1";
const MB = 1024 * 1024;

const stub = await startGitHubStub({ owner: OWNER, repo: REPO, config: BENCH_CONFIG, latencyMs: 30 });
seedPulls(stub, PRS);
const dataDir = mkdtempSync(join(tmpdir(), "review-triage-crash-"));
const run = `crash-${Date.now()}`;
let exitCode = 0;
try {
  const first = await startApp(stub, { dataDir, ...shipped() });
  const numbers = Array.from({ length: PRS }, (_, i) => i + 1);
  const acks = await Promise.all(numbers.map((n) => postWebhook(first.url, "pull_request", deliveryId(run, n), pullRequestPayload(stub, n))));
  const accepted = acks.filter((a) => a.status === 202).length;
  // Kill once some PRs have their writes under way and most have not.
  await waitFor(() => stub.stats.reviewerRequestTimes.length >= Math.max(1, Math.floor(PRS / 5)), 60_000);
  const doneAtKill = numbers.filter((n) => stub.complete(n)).length;
  const writesAtKill = stub.stats.writes;
  if (KILL_GROUP) {
    // The embedded database runs in a child of the app; SIGKILL both, as a host crash would.
    const { execFileSync } = await import("node:child_process");
    const children = execFileSync("pgrep", ["-P", String(first.child.pid)], { encoding: "utf8" }).split("\n").filter(Boolean);
    for (const pid of children) process.kill(Number(pid), "SIGKILL");
  }
  await first.kill("SIGKILL");
  console.log(`crash: ${PRS} PRs opened at once (${accepted} answered 202, ack p99 ${percentile(acks.map((a) => a.ms), 99).toFixed(0)} ms); SIGKILL${KILL_GROUP ? " (app and its database process)" : ""} with ${doneAtKill} PRs complete and ${writesAtKill} writes made`);

  const restartAt = Date.now();
  const second = await startApp(stub, { dataDir, ...shipped() });
  // GitHub's "redeliver" of every webhook, with the same delivery ids.
  const redeliveries = await Promise.all(numbers.map((n) => postWebhook(second.url, "pull_request", deliveryId(run, n), pullRequestPayload(stub, n))));
  // GitHub's pacing (one write a second, four writes a PR) sets the pace: minutes for 50 PRs.
  const allDone = await waitFor(() => numbers.every((n) => stub.complete(n)), 900_000);
  const settleMs = Date.now() - restartAt;
  // Let anything still running finish, then look for second writes.
  await new Promise((r) => setTimeout(r, 3000));
  const incomplete = numbers.filter((n) => !stub.complete(n));
  const comments = numbers.map((n) => stub.comments.filter((c) => c.issue === n).length);
  const runs = numbers.map((n) => stub.checkRuns.filter((r) => r.headSha === stub.pulls.get(n)!.headSha).length);
  const labels = numbers.map((n) => [...stub.pulls.get(n)!.labels].filter((l) => l.startsWith("risk: ")).length);
  const rss = second.rss();
  const statuses = [...new Set(redeliveries.map((r) => r.status))].join("/");
  console.log(`  after restart: redeliveries of all ${PRS} answered ${statuses}; ${allDone ? "all" : `${PRS - incomplete.length} of ${PRS}`} PRs complete ${(settleMs / 1000).toFixed(1)} s after the restart`);
  console.log(`  sticky comments per PR: max ${Math.max(...comments)}, min ${Math.min(...comments)}; check runs per head: max ${Math.max(...runs)}; risk labels per PR: max ${Math.max(...labels)}; duplicate review requests: ${stub.stats.duplicateRequests}`);
  console.log(`  RSS of the restarted app: ${rss ? (rss / MB).toFixed(0) : "?"} MB`);
  const pass = allDone && incomplete.length === 0 && Math.max(...comments) === 1 && Math.max(...runs) === 1 && Math.max(...labels) === 1 && stub.stats.duplicateRequests === 0;
  console.log(`  ${pass ? "PASS" : "FAIL"}: every PR with its reviewers, one sticky comment, one check run on its head, one risk label; no duplicate request${incomplete.length ? ` (incomplete: ${incomplete.join(", ")})` : ""}`);
  if (!pass) {
    const errors = second.logs.filter((l) => /"level":(50|60)/.test(l)).slice(0, 5);
    if (errors.length) console.log(`  errors logged:\n    ${errors.join("\n    ")}`);
  }
  await second.kill("SIGTERM");
  const exit = await second.exited;
  console.log(`  SIGTERM: exit ${exit.code ?? exit.signal}`);
} catch (error) {
  console.error(`crash: the run failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await stub.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
