import { afterEach, describe, expect, it } from "vitest";

/**
 * Escalations while GitHub rate-limits the app: a step that meets a secondary limit waits for
 * its retry-after instead of asking again every few seconds (which makes the limit last
 * longer), uses up none of its attempts, and still happens once the limit lifts. Through the
 * real server path, against a GitHub that keeps PR 2's state.
 */
import { CONFIG, FILES, dueNow, rows } from "../helpers/escalation-scenario.js";
import { API, REPO_PATH, nock, prPayload } from "../helpers/scenario.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { statefulGitHub } from "../helpers/stateful-github.js";

let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  nock.cleanAll();
});

const SECONDARY = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };

describe("escalation under GitHub's rate limits", () => {
  it("a nudge whose PR read meets a secondary rate limit (retry-after: 60) waits for it, and is made once it lifts", async () => {
    let offset = 0;
    running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
    // Ahead of the stateful GitHub's routes: the PR read during the escalation is rate limited.
    let limited = 0;
    const box: { gh?: ReturnType<typeof statefulGitHub> } = {};
    const limitedAt: number[] = [];
    nock(API)
      .persist()
      .get(`${REPO_PATH}/pulls/2`)
      .reply(() => {
        if (limited > 0) {
          limited--;
          limitedAt.push(Date.now());
          return [403, SECONDARY, { "retry-after": "60" }];
        }
        return [200, box.gh!.pull()];
      });
    const gh = (box.gh = statefulGitHub(CONFIG));
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    expect(gh.requests).toHaveLength(1);
    const reviewer = gh.requests[0]![0]!;
    // 36 h on: the nudge is due; GitHub's secondary limit answers its PR read for a while.
    offset = 36 * 3600 * 1000;
    limited = 4;
    await dueNow(running);
    // A few seconds of the queue (the test queue retries a failure after 1 s, 3 times).
    await new Promise((r) => setTimeout(r, 8000));
    // Each step (the nudge, and the reassignment due with it) asked once, then waits out the
    // limit, none of its attempts used.
    expect(limitedAt).toHaveLength(2);
    const waiting = await rows(running, "SELECT retry_count, start_after > now() + interval '50 seconds' AS waits FROM pgboss.job WHERE name = 'escalation' AND state = 'created'");
    expect(waiting).toEqual([
      { retry_count: 0, waits: true },
      { retry_count: 0, waits: true },
    ]);
    expect(running.logs.filter((l) => l.msg === "escalation rate limited; it waits and runs again").map((l) => [l.escalation, l.afterSeconds]).sort()).toEqual([
      ["nudge", 60],
      ["reassign", 60],
    ]);
    // The limit has lifted, and its minute passed.
    limited = 0;
    for (let i = 0; i < 3; i++) {
      await running.database.executeSql("UPDATE pgboss.job SET start_after = now() WHERE name = 'escalation' AND state IN ('created','retry')");
      running.server.queue.notify();
      await new Promise((r) => setTimeout(r, 1500));
      await running.idle(30_000);
    }
    expect(gh.posts.filter((p) => p.includes("review-triage:nudge") && p.includes(`@${reviewer}`))).toHaveLength(1);
  }, 120_000);
});
