/**
 * Attack scenarios on the real app (not part of npm run bench's claims; run one by one):
 *   ATTACK=acks|mid|twice|sigterm|storm|ratelimit  ATTACK_PRS=15  CRASH_KILL_GROUP=1
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitHubStub } from "../test/helpers/github-stub.js";
import { BENCH_CONFIG, OWNER, REPO, deliveryId, postWebhook, pullRequestPayload, seedPulls, startApp, waitFor, type AppProcess } from "./support/app-process.js";

const MODE = process.env.ATTACK ?? "mid";
const PRS = Number(process.env.ATTACK_PRS ?? 15);
const KILL_GROUP = process.env.CRASH_KILL_GROUP === "1";
const stub = await startGitHubStub({ owner: OWNER, repo: REPO, config: BENCH_CONFIG, latencyMs: 30 });
seedPulls(stub, PRS);
const dataDir = mkdtempSync(join(tmpdir(), "review-triage-attack-"));
const run = `attack-${Date.now()}`;
const numbers = Array.from({ length: PRS }, (_, i) => i + 1);
const allLogs: string[] = [];
const t0 = Date.now();
const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);
const state = () => `complete ${numbers.filter((n) => stub.complete(n)).length}/${PRS}, writes ${stub.stats.writes}, dupReq ${stub.stats.duplicateRequests}, faulted ${stub.faulted}`;

function children(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
async function hardKill(app: AppProcess, label: string) {
  const kids = children(app.child.pid!);
  if (KILL_GROUP) for (const pid of kids) process.kill(pid, "SIGKILL");
  await app.kill("SIGKILL");
  allLogs.push(...app.logs, `---- ${label} ----`);
  log(`SIGKILL (${label})${KILL_GROUP ? ` + db children ${kids.join(",")}` : ""}: ${state()}`);
  // are orphans left?
  await new Promise((r) => setTimeout(r, 500));
  await new Promise((r) => setTimeout(r, 2500));
  const { readFileSync } = await import("node:fs");
  const alive = kids.flatMap((pid) => { try { const st = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[0]; return st === "Z" ? [] : [`${pid}(${st})`]; } catch { return []; } });
  log(alive.length ? `  children still running 3 s after the kill: ${alive.join(",")}` : `  no child left running (${kids.length} children)`);
}
const send = (url: string) => Promise.all(numbers.map((n) => postWebhook(url, "pull_request", deliveryId(run, n), pullRequestPayload(stub, n))));

let exitCode = 0;
try {
  let app = await startApp(stub, { dataDir });
  const acks = await send(app.url);
  log(`acks: ${[...new Set(acks.map((a) => a.status))].join("/")} max ${Math.max(...acks.map((a) => a.ms)).toFixed(0)} ms; ${state()}`);
  if (MODE === "acks") {
    await hardKill(app, "right after acks");
  } else if (MODE === "mid" || MODE === "twice") {
    await waitFor(() => stub.stats.reviewerRequestTimes.length >= Math.max(1, Math.floor(PRS / 5)), 60_000);
    await hardKill(app, "mid-burst");
    if (MODE === "twice") {
      app = await startApp(stub, { dataDir });
      log(`restart 1 ready: ${state()}`);
      const w0 = stub.stats.writes;
      await waitFor(() => stub.stats.writes >= w0 + 3, 30_000);
      await hardKill(app, "second kill, soon after restart");
    }
  } else if (MODE === "sigterm") {
    await waitFor(() => stub.stats.reviewerRequestTimes.length >= Math.max(1, Math.floor(PRS / 5)), 60_000);
    log(`SIGTERM: ${state()}`);
    const started = Date.now();
    await app.kill("SIGTERM");
    const exit = await app.exited;
    allLogs.push(...app.logs, "---- sigterm ----");
    log(`exited ${exit.code ?? exit.signal} after ${((Date.now() - started) / 1000).toFixed(1)} s: ${state()}`);
    if (exit.code !== 0) exitCode = 1;
  } else if (MODE === "storm" || MODE === "ratelimit" || MODE === "secondary") {
    const kind = MODE === "storm" ? "error" : MODE === "ratelimit" ? "primary" : "secondary";
    stub.setFault({ status: MODE === "storm" ? 502 : 403, fraction: Number(process.env.ATTACK_FRACTION ?? 0.7), kind, resetInSeconds: 5 });
    await new Promise((r) => setTimeout(r, Number(process.env.ATTACK_STORM_MS ?? 20_000)));
    stub.setFault(undefined);
    log(`storm over: ${state()}`);
  }
  if (MODE !== "storm" && MODE !== "ratelimit" && MODE !== "secondary") {
    app = await startApp(stub, { dataDir });
    log(`restart ready: ${state()}`);
    const re = await send(app.url);
    log(`redeliveries: ${[...new Set(re.map((a) => a.status))].join("/")}`);
  }
  const done = await waitFor(() => numbers.every((n) => stub.complete(n)), Number(process.env.ATTACK_WAIT_MS ?? 180_000));
  await new Promise((r) => setTimeout(r, 3000));
  const comments = numbers.map((n) => stub.comments.filter((c) => c.issue === n).length);
  const runs = numbers.map((n) => stub.checkRuns.filter((r) => r.headSha === stub.pulls.get(n)!.headSha).length);
  const labels = numbers.map((n) => [...stub.pulls.get(n)!.labels].filter((l) => l.startsWith("risk: ")).length);
  log(`end: ${done ? "ALL complete" : "NOT all complete"}; ${state()}; comments/PR max ${Math.max(...comments)} min ${Math.min(...comments)}; runs/head max ${Math.max(...runs)}; labels max ${Math.max(...labels)}; incomplete: ${numbers.filter((n) => !stub.complete(n)).join(",") || "none"}`);
  const errs = app.logs.filter((l) => /"level":(50|60)/.test(l));
  log(`errors logged by last process: ${errs.length}${errs.length ? "\n  " + errs.slice(0, 3).join("\n  ").slice(0, 1500) : ""}`);
  const started = Date.now();
  await app.kill("SIGTERM");
  const exit = await app.exited;
  log(`final SIGTERM: exit ${exit.code ?? exit.signal} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  allLogs.push(...app.logs);
  if (!done || exit.code !== 0 || stub.stats.duplicateRequests) exitCode = 1;
} catch (error) {
  console.error(`attack: the run failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  writeFileSync(`/tmp/attack-${MODE}${KILL_GROUP ? "-group" : ""}.log`, allLogs.join("\n"));
  await stub.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
