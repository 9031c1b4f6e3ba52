import { afterEach, describe, expect, it } from "vitest";

/**
 * A reassignment whose job fails half-way (a 500 on the withdrawal, a failed comment write)
 * and runs again: the retry finishes what the first attempt began. It does not stop at the
 * reviewer it already requested and report "nobody else is available", it withdraws the
 * stale request as `withdraw: true` asks, and the comment and the history say who took over.
 * Through the real path, against a GitHub that keeps the PR's state.
 */
import { CONFIG, FILES, WEEK_AHEAD, dueNow, rows } from "../helpers/escalation-scenario.js";
import { nock, prPayload } from "../helpers/scenario.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { statefulGitHub } from "../helpers/stateful-github.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  nock.cleanAll();
});

const WITHDRAW = CONFIG.replace("working_days:", "withdraw: true\n  working_days:");

/** Opens the PR, lets a week pass with `fault` set for the escalation, then runs every due step and its retries. */
async function reassignWith(fault: (gh: ReturnType<typeof statefulGitHub>) => void, between?: (first: string, gh: ReturnType<typeof statefulGitHub>) => Json[]) {
  let offset = 0;
  running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
  const gh = statefulGitHub(WITHDRAW);
  await running.post("pull_request", prPayload({ files: FILES }));
  await running.idle();
  const first = gh.requests[0]![0]!;
  fault(gh);
  offset = WEEK_AHEAD;
  await dueNow(running);
  await running.idle(60_000);
  // The failed attempt is retried (after pg-boss's retry delay: made due now).
  for (const e of between?.(first, gh) ?? []) {
    await running.post("pull_request", e);
    await running.idle();
  }
  for (let i = 0; i < 3; i++) {
    await dueNow(running);
    await running.idle(60_000);
  }
  return { gh, first };
}

function expectReassigned(gh: ReturnType<typeof statefulGitHub>, first: string, done: Json[]) {
  const added = gh.requests.slice(1).flat();
  expect(added).toHaveLength(1);
  const second = added[0]!;
  expect(second).not.toBe(first);
  // Withdrawn on GitHub, as `withdraw: true` asks.
  expect([...gh.requested]).toEqual([second]);
  const sticky = gh.comments.find((c) => String(c.body).includes("review-triage:sticky"))?.body as string;
  // Mentions in the notes are escaped (a zero-width space after the "@").
  expect(sticky).toContain(`Reassigned: @\u200b${first} had not reviewed after 2 days of working time; requested @\u200b${second} as well, and withdrew @\u200b${first}'s request.`);
  expect(sticky).not.toContain("nobody else is available");
  // The reviewers shown are those requested now: the first no longer is.
  expect(sticky).toContain(`- @${second} — requested`);
  expect(sticky).not.toContain(`- @${first} — requested`);
  expect(done).toEqual([{ kind: "reassign", new_reviewer: second, done: true }]);
}

describe("escalation: a reassignment retried after it failed half-way", () => {
  it("a 500 on the withdrawal: the retry withdraws the first reviewer and says who took over", async () => {
    const { gh, first } = await reassignWith((g) => (g.failDeletes = 1));
    expect(gh.deletes.map((d) => d.status)).toEqual([500, 200]);
    expectReassigned(gh, first, await rows(running!, "SELECT kind, new_reviewer, done_at IS NOT NULL AS done FROM escalations WHERE kind = 'reassign'"));
  }, 120_000);

  it("the withdrawal made, the comment write failed, and GitHub's removal event came in between: the retry still writes the reassignment", async () => {
    const { gh, first } = await reassignWith(
      (g) => (g.failPatches = 1),
      (reviewer, g) => {
        const e = prPayload({ files: FILES, requested: [...g.requested] }) as Json;
        e.action = "review_request_removed";
        e.requested_reviewer = { login: reviewer, id: 77, type: "User" };
        e.sender = { login: "review-triage[bot]", id: 99, type: "Bot" };
        return [e];
      },
    );
    expect(gh.deletes.map((d) => d.status)).toEqual([200]);
    expectReassigned(gh, first, await rows(running!, "SELECT kind, new_reviewer, done_at IS NOT NULL AS done FROM escalations WHERE kind = 'reassign'"));
  }, 120_000);
});
