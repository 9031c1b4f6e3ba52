import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";

/**
 * A reassignment whose job fails half-way (a 500 on the withdrawal, a failed comment write)
 * and runs again, with the PR changed in between by the author, a lead or the stale reviewer:
 * the retry finishes what the first attempt began, and says only what was done. It does not
 * stop at the reviewer it already requested ("nobody else is available"), withdraws the stale
 * request only while it is still that reviewer's pending one, never claims a withdrawal that
 * did not happen, and records who actually took over. Through the real path, against a
 * GitHub that keeps the PR's state.
 */
import { CONFIG, FILES, WEEK_AHEAD, dueNow, rows } from "../helpers/escalation-scenario.js";
import { nock, prPayload } from "../helpers/scenario.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { statefulGitHub } from "../helpers/stateful-github.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type GH = ReturnType<typeof statefulGitHub>;
let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  nock.cleanAll();
});

const WITHDRAW = CONFIG.replace("working_days:", "withdraw: true\n  working_days:");
const at = () => new Date(Date.now() + WEEK_AHEAD).toISOString();

/** An event on PR 2 as GitHub would send it a week on, with the PR's current reviewers. */
function prEvent(gh: GH, action: string, extra: Json = {}): Json {
  const e = prPayload({ files: FILES, requested: [...gh.requested], labels: ["risk: medium"] }) as Json;
  e.action = action;
  e.pull_request.updated_at = at();
  return { ...e, ...extra };
}

function requestEvent(gh: GH, action: "review_requested" | "review_request_removed", login: string, sender: string): Json {
  const bot = sender.includes("[bot]");
  return prEvent(gh, action, { requested_reviewer: { login, id: 77, type: "User" }, sender: { login: sender, id: bot ? 99 : 5, type: bot ? "Bot" : "User" } });
}

const sticky = (gh: GH): string => (gh.comments.find((c) => String(c.body).includes("review-triage:sticky"))?.body as string) ?? "";
const reassigned = () => rows(running!, "SELECT new_reviewer, done_at IS NOT NULL AS done FROM escalations WHERE kind = 'reassign'");
// Mentions in the notes are escaped: a zero-width space after the "@".
const withdrew = (login: string) => `and withdrew @\u200b${login}'s request`;

/**
 * Opens the PR; runs the nudge (36 h on, no fault); sets `fault` and runs the reassignment (a
 * week on), whose first attempt fails; runs `between` (GitHub changed, events delivered); then
 * every retry. Retries wait an hour by the database's clock: they run only when made due here.
 */
async function reassignWith(fault: (gh: GH) => void, between: (first: string, gh: GH) => Promise<void> | void = () => undefined, config = WITHDRAW) {
  let offset = 0;
  running = await startTestServer({ clock: () => new Date(Date.now() + offset), queue: { retry: { limit: 3, delaySeconds: 3600, backoff: false } } });
  const gh = statefulGitHub(config);
  await running.post("pull_request", prPayload({ files: FILES }));
  await running.idle();
  const first = gh.requests[0]![0]!;
  offset = 36 * 3600 * 1000;
  await dueNow(running);
  await running.idle(60_000);
  fault(gh);
  offset = WEEK_AHEAD;
  await dueNow(running);
  await running.idle(60_000);
  await between(first, gh);
  for (let i = 0; i < 3; i++) {
    await dueNow(running);
    await running.idle(60_000);
  }
  return { gh, first };
}

async function deliver(event: string, payload: Json) {
  await running!.post(event, payload);
  await running!.idle();
}

describe("escalation: a reassignment retried after it failed half-way", () => {
  it("a 500 on the withdrawal: the retry withdraws the first reviewer, says who took over, and records them", async () => {
    const { gh, first } = await reassignWith((g) => (g.failDeletes = 1));
    expect(gh.deletes.map((d) => d.status)).toEqual([500, 200]);
    const second = gh.requests.slice(1).flat();
    expect(second).toHaveLength(1);
    expect([...gh.requested]).toEqual(second);
    const body = sticky(gh);
    expect(body).toContain(`Reassigned: @\u200b${first} had not reviewed after 2 days of working time; requested @\u200b${second[0]} as well, ${withdrew(first)}.`);
    expect(body).not.toContain("nobody else is available");
    // One line for the step, and the reviewers shown are those requested now.
    expect(body.split("Reassigned:")).toHaveLength(2);
    expect(body).toContain(`- @${second[0]} — requested`);
    expect(body).not.toContain(`- @${first} — requested`);
    expect(await reassigned()).toEqual([{ new_reviewer: second[0], done: true }]);
  }, 120_000);

  it("the withdrawal made, the comment write failed, GitHub's removal event in between: the retry writes the reassignment", async () => {
    const { gh, first } = await reassignWith(
      (g) => (g.failPatches = 1),
      (reviewer, g) => deliver("pull_request", requestEvent(g, "review_request_removed", reviewer, "review-triage[bot]")),
    );
    expect(gh.deletes.map((d) => d.status)).toEqual([200]);
    const second = gh.requests.slice(1).flat()[0]!;
    expect(sticky(gh)).toContain(`requested @\u200b${second} as well, ${withdrew(first)}.`);
    expect(await reassigned()).toEqual([{ new_reviewer: second, done: true }]);
  }, 120_000);

  it("a lead requests the first reviewer again before the retry: that request stays", async () => {
    const { gh, first } = await reassignWith(
      (g) => (g.failPatches = 1),
      async (reviewer, g) => {
        await deliver("pull_request", requestEvent(g, "review_request_removed", reviewer, "review-triage[bot]"));
        g.requested.add(reviewer);
        await deliver("pull_request", requestEvent(g, "review_requested", reviewer, "lead-alice"));
      },
    );
    // One withdrawal, the first attempt's; the lead's request is never withdrawn.
    expect(gh.deletes.filter((d) => d.status === 200).map((d) => d.reviewers)).toEqual([[first]]);
    expect(gh.requested.has(first)).toBe(true);
    expect(sticky(gh)).toContain(`- @${first} —`);
  }, 120_000);

  it("a lead requests the first reviewer again before the retry, the app's removal event not in yet: that request stays", async () => {
    const { gh, first } = await reassignWith(
      (g) => (g.failPatches = 1),
      async (reviewer, g) => {
        g.requested.add(reviewer);
        await deliver("pull_request", requestEvent(g, "review_requested", reviewer, "lead-alice"));
      },
    );
    expect(gh.deletes.filter((d) => d.status === 200).map((d) => d.reviewers)).toEqual([[first]]);
    expect(gh.requested.has(first)).toBe(true);
  }, 120_000);

  it("the withdrawal failed, then the first reviewer reviewed (its event late) and a lead asked them again: nothing is withdrawn", async () => {
    const { gh, first } = await reassignWith(
      (g) => (g.failDeletes = 1),
      async (reviewer, g) => {
        g.reviews.push({ id: 9002, user: { login: reviewer, id: 77, type: "User" }, state: "COMMENTED", commit_id: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", submitted_at: at(), body: "a question" });
        await deliver("pull_request", requestEvent(g, "review_requested", reviewer, "lead-alice"));
      },
    );
    expect(gh.deletes.filter((d) => d.status === 200)).toEqual([]);
    expect(gh.requested.has(first)).toBe(true);
    expect(sticky(gh)).not.toContain(withdrew(first));
  }, 120_000);

  it("the first reviewer reviews before the retry: nothing is withdrawn, and no withdrawal is claimed", async () => {
    const { gh, first } = await reassignWith(
      (g) => (g.failDeletes = 1),
      async (reviewer, g) => {
        const review = { id: 9001, user: { login: reviewer, id: 77, type: "User" }, state: "APPROVED", commit_id: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", submitted_at: at(), body: "LGTM" };
        g.requested.delete(reviewer);
        g.reviews.push(review);
        const e = JSON.parse(readFileSync(new URL("../fixtures/pull_request_review/submitted.json", import.meta.url), "utf8")) as Json;
        Object.assign(e, { review, pull_request: prEvent(g, "opened").pull_request, sender: review.user });
        await deliver("pull_request_review", e);
      },
    );
    expect(gh.deletes.filter((d) => d.status === 200)).toEqual([]);
    expect(sticky(gh)).not.toContain(withdrew(first));
  }, 120_000);

  it("the withdrawal fails on every attempt: the first reviewer is still shown as requested, and no withdrawal is claimed", async () => {
    const { gh, first } = await reassignWith((g) => (g.failDeletes = 100));
    expect(gh.requested.has(first)).toBe(true);
    const body = sticky(gh);
    expect(body).not.toContain(withdrew(first));
    expect(body).toContain(`- @${first} —`);
  }, 180_000);

  it("the author removes the new reviewer before the retry: the retry hands over afresh (least loaded), and records who did take over", async () => {
    let removed = "";
    const { gh, first } = await reassignWith(
      (g) => (g.failDeletes = 1),
      async (reviewer, g) => {
        removed = [...g.requested].find((l) => l !== reviewer)!;
        g.requested.delete(removed);
        await deliver("pull_request", requestEvent(g, "review_request_removed", removed, "erin"));
      },
    );
    const now = [...gh.requested];
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(first);
    expect(removed).not.toBe("");
    const body = sticky(gh);
    expect(body.split("Reassigned:")).toHaveLength(2);
    expect(body).toContain(`requested @\u200b${now[0]} as well, ${withdrew(first)}.`);
    expect(body).not.toContain("nobody else is available");
    expect(await reassigned()).toEqual([{ new_reviewer: now[0], done: true }]);
  }, 120_000);

  it("nobody else can take over: nothing is withdrawn, the first reviewer stays shown, and no withdrawal is claimed", async () => {
    const { gh, first } = await reassignWith(() => undefined, () => undefined, WITHDRAW.replace("seniors: [bob, carol, dave]", "seniors: [bob]"));
    expect(gh.deletes).toEqual([]);
    const body = sticky(gh);
    expect(body).toContain("nobody else is available");
    expect(body).not.toContain(withdrew(first));
    expect(body).toContain(`- @${first} —`);
  }, 120_000);
});
