import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BENCH_CONFIG, OWNER, REPO, deliveryId, postWebhook, pullRequestPayload, seedPulls, startApp, waitFor, type AppProcess } from "../helpers/app-process.js";
import { startGitHubStub, type GitHubStub } from "../helpers/github-stub.js";

/**
 * SPEC §10: "a kill -9 at any moment loses no triage and duplicates nothing after restart".
 * The app runs as `npm start` runs it (src/server.ts, its own process, the embedded database
 * in a data directory), against a local GitHub stub reached through GHE_HOST; it is killed
 * with SIGKILL while jobs are in flight and started again on the same data. GitHub does not
 * redeliver on its own: what was answered 202 must be finished from the database alone.
 */
describe("kill -9 and restart", () => {
  let stub: GitHubStub | undefined;
  const apps: AppProcess[] = [];
  let dataDir: string | undefined;

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.kill("SIGKILL")));
    await stub?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("finishes every accepted delivery after a SIGKILL mid-burst, with no second comment, check run, label or request", async () => {
    stub = await startGitHubStub({ owner: OWNER, repo: REPO, config: BENCH_CONFIG, latencyMs: 50 });
    seedPulls(stub, 3);
    dataDir = mkdtempSync(join(tmpdir(), "review-triage-kill-"));
    const first = await startApp(stub, { dataDir });
    apps.push(first);
    const acks = await Promise.all([1, 2, 3].map((n) => postWebhook(first.url, "pull_request", deliveryId("kill-test", n), pullRequestPayload(stub!, n))));
    expect(acks.map((a) => a.status)).toEqual([202, 202, 202]);
    // Kill once the first write is out and the rest are not.
    expect(await waitFor(() => stub!.stats.writes >= 1, 60_000)).toBe(true);
    await first.kill("SIGKILL");
    expect([1, 2, 3].every((n) => stub!.complete(n))).toBe(false);

    const second = await startApp(stub, { dataDir });
    apps.push(second);
    expect(await waitFor(() => [1, 2, 3].every((n) => stub!.complete(n)), 90_000)).toBe(true);
    // Anything still running would show as a second write now.
    await new Promise((r) => setTimeout(r, 1500));
    for (const n of [1, 2, 3]) {
      expect(stub.comments.filter((c) => c.issue === n)).toHaveLength(1);
      expect(stub.checkRuns.filter((r) => r.headSha === stub!.pulls.get(n)!.headSha)).toHaveLength(1);
    }
    expect(stub.stats.duplicateRequests).toBe(0);
    await second.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
  }, 180_000);
});
