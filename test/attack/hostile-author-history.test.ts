import { afterEach, describe, expect, it } from "vitest";
import { fixture } from "../helpers/app.js";
import { buildPeopleReport } from "../../src/reports/build-people-report.js";
import type { PeopleReport } from "../../src/reports/types.js";
import { CONFIG_URL, RAW } from "../helpers/github.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { API, REPO_PATH, TEAM_CONFIG, file, nock, prPayload, type FileSpec } from "../helpers/scenario.js";

/**
 * A hostile PR author (write access) against the history and the shared head commit: many
 * PRs on one commit, request churn, a fork PR's re-run, a PR padded with files. Through the
 * real path (the server with its queue).
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const X = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const TINY = [file("docs/readme.md", 2)];

/** A GitHub of PRs #2..#n, all on head X with one docs file and no reviews; `closed` ones closed. */
function persistentGitHub(closed: Set<number>, options: { filesDelayMs?: number; open?: number[] } = {}) {
  const counts = { checkWrites: 0, triageReads: 0, filesAt: [] as number[], comments: 0 };
  const s = nock(API).persist();
  s.post(/\/app\/installations\/\d+\/access_tokens/).reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z" });
  s.get((uri) => CONFIG_URL.test(uri)).reply(200, TEAM_CONFIG, RAW);
  s.get(`${REPO_PATH}/pulls`).query(true).reply(200, () => (options.open ?? []).map((number) => prPayload({ number, files: TINY, headSha: X }).pull_request));
  s.get(/\/pulls\/\d+$/).reply(200, (uri) => {
    const number = Number(uri.split("/").at(-1));
    const pr = prPayload({ number, files: TINY, headSha: X }).pull_request as Json;
    return closed.has(number) ? { ...pr, state: "closed", closed_at: new Date().toISOString() } : pr;
  });
  s.get(/\/pulls\/\d+\/files/).query(true).delay(options.filesDelayMs ?? 0).reply(200, () => {
    counts.triageReads++;
    counts.filesAt.push(Date.now());
    return TINY.map((f) => ({ sha: "abc", filename: f.filename, status: "added", additions: f.additions, deletions: 0, changes: f.additions, patch: f.patch }));
  });
  s.get(/\/pulls\/\d+\/reviews/).query(true).reply(200, []);
  s.get(/\/pulls\/\d+\/requested_reviewers/).reply(200, { users: [], teams: [] });
  s.get(/\/issues\/\d+\/comments/).query(true).reply(200, []);
  s.get(/\/commits\/[0-9a-f]+\/check-runs/).query(true).reply(200, { total_count: 1, check_runs: [{ id: 72, name: "Review Triage", status: "in_progress", conclusion: null, output: { title: "", summary: "", annotations_count: 0 }, app: { id: 123, slug: "review-triage" } }] });
  s.post(`${REPO_PATH}/check-runs`).reply(201, () => (counts.checkWrites++, { id: 72 }));
  s.patch(/\/check-runs\/\d+$/).reply(200, () => (counts.checkWrites++, { id: 72 }));
  s.post(/\/issues\/\d+\/comments$/).reply(201, () => (counts.comments++, { id: 700 }));
  s.patch(/\/issues\/comments\/\d+$/).reply(200, { id: 700 });
  s.post(/\/issues\/\d+\/labels$/).reply(200, [{ name: "risk: low", color: "fbca04" }]);
  s.post(/\/pulls\/\d+\/requested_reviewers$/).reply(201, {});
  s.get(/\/collaborators\/[^/]+\/permission/).reply(200, { permission: "write", role_name: "write" });
  return counts;
}

describe("shared head commit: many unapproved PRs on one commit, closed one by one", () => {
  let running: TestServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    nock.cleanAll();
  });

  it("checks none of the others again: none of them was approved, so none can pass (no triage per pair of PRs)", async () => {
    running = await startTestServer();
    const closed = new Set<number>();
    const counts = persistentGitHub(closed);
    const N = 6;
    // The author opens N PRs (branches b2..bN all at commit X): nobody approves any of them.
    for (let n = 2; n < 2 + N; n++) {
      await running.post("pull_request", prPayload({ number: n, files: TINY, headSha: X }));
      await running.idle();
    }
    const before = { ...counts };
    // ... then closes them one at a time.
    for (let n = 2 + N - 1; n >= 2; n--) {
      closed.add(n);
      const event = prPayload({ number: n, files: TINY, headSha: X }) as Json;
      event.action = "closed";
      event.pull_request = { ...event.pull_request, state: "closed", closed_at: new Date().toISOString(), merged: false };
      await running.post("pull_request", event);
      await running.idle();
    }
    expect(running.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    const rechecks = ((await running.database.executeSql("SELECT count(*)::int AS n FROM deliveries WHERE id LIKE 'recheck:%'")).rows as Json[])[0]!.n as number;
    const triages = counts.triageReads - before.triageReads;
    // None of the open siblings was approved: a re-check cannot make any of them pass.
    expect({ rechecks, triages }, "every close re-triages every unapproved sibling (n(n-1)/2 in all)").toEqual({ rechecks: 0, triages: 0 });
  }, 120_000);
});

describe("people report: the author requests a reviewer and withdraws the request, again and again", () => {
  let running: TestServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    nock.cleanAll();
  });

  it("does not count the withdrawn requests against the reviewer as unanswered", async () => {
    running = await startTestServer();
    persistentGitHub(new Set());
    await running.post("pull_request", prPayload({ number: 2, files: TINY, headSha: X }));
    await running.idle();
    const t0 = Date.now() - 3_600_000;
    // erin (the author) asks victor and takes it back at once, ten times: victor never had a
    // moment to review anything.
    for (let i = 0; i < 10; i++) {
      for (const action of ["review_requested", "review_request_removed"]) {
        const event = prPayload({ number: 2, files: TINY, headSha: X }) as Json;
        event.action = action;
        event.requested_reviewer = { login: "victor", id: 4242, type: "User" };
        event.sender = { login: "erin", id: 1, type: "User" };
        event.pull_request.updated_at = new Date(t0 + i * 60_000 + (action === "review_requested" ? 0 : 1000)).toISOString();
        await running.post("pull_request", event);
        await running.idle();
      }
    }
    expect(running.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    const people = (await buildPeopleReport(running.database.db, { owner: "Codertocat", repo: "Hello-World", since: new Date(t0 - 86_400_000), until: new Date(Date.now() + 86_400_000) })) as PeopleReport;
    const victor = people.reviewers.find((r) => r.login === "victor");
    expect({ requests: victor?.requests ?? 0, answered: victor?.answered ?? 0 }, "victor shows as having answered 0 of 10 requests").toEqual({ requests: 0, answered: 0 });
  }, 120_000);
});

describe("a fork PR: 'Re-run' on its check (GitHub names no PR on it)", () => {
  let running: TestServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    nock.cleanAll();
  });

  it("runs one at a time with the PR's other events (SPEC §10)", async () => {
    running = await startTestServer();
    const counts = persistentGitHub(new Set(), { open: [2], filesDelayMs: 1500 });
    await running.post("pull_request", prPayload({ number: 2, files: TINY, headSha: X }));
    await running.idle();
    counts.filesAt.length = 0;
    // A PR from a fork: GitHub lists no pull request on its check run. The author adds a label
    // and clicks "Re-run" on the Review Triage check at the same moment.
    const pr = prPayload({ number: 2, files: TINY, headSha: X, action: "labeled", labels: ["docs"], label: "docs" }) as Json;
    const rerun = structuredClone(fixture<Json>("check_run", "rerequested"));
    rerun.check_run = { ...rerun.check_run, name: "Review Triage", head_sha: X, pull_requests: [], app: { ...rerun.check_run.app, id: 123 } };
    rerun.repository = pr.repository;
    rerun.installation = pr.installation;
    rerun.sender = { login: "erin", id: 1, type: "User" };
    const second = running.post("check_run", rerun);
    await Promise.all([running.post("pull_request", pr), second]);
    await running.idle(60_000);
    expect(running.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(counts.filesAt.length).toBe(2);
    const gap = Math.abs(counts.filesAt[1]! - counts.filesAt[0]!);
    expect(gap, "the two triages of PR #2 ran at the same time").toBeGreaterThanOrEqual(1400);
  }, 120_000);
});

/** A GitHub where each PR number has its own files (listed 100 a page, as GitHub does) and head. */
function pagedGitHub(prs: Record<number, { files: FileSpec[]; head: string; title?: string }>) {
  const s = nock(API).persist();
  s.post(/\/app\/installations\/\d+\/access_tokens/).reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z" });
  s.get((uri) => CONFIG_URL.test(uri)).reply(200, TEAM_CONFIG, RAW);
  s.get(`${REPO_PATH}/pulls`).query(true).reply(200, []);
  s.get(/\/pulls\/\d+\/files/).query(true).reply(function (uri) {
    const number = Number(/pulls\/(\d+)\/files/.exec(uri)![1]);
    const page = Number(new URL(`https://x${uri}`).searchParams.get("page") ?? "1");
    const all = prs[number]!.files;
    const slice = all.slice((page - 1) * 100, page * 100);
    const headers: Record<string, string> = {};
    if (page * 100 < all.length) headers.link = `<${API}${REPO_PATH}/pulls/${number}/files?per_page=100&page=${page + 1}>; rel="next"`;
    return [200, slice.map((f) => ({ sha: "abc", filename: f.filename, status: "added", additions: f.additions, deletions: 0, changes: f.additions, patch: f.patch })), headers];
  });
  s.get(/\/pulls\/\d+\/reviews/).query(true).reply(200, []);
  s.get(/\/issues\/\d+\/comments/).query(true).reply(200, []);
  s.get(/\/commits\/[0-9a-f]+\/check-runs/).query(true).reply(200, { total_count: 0, check_runs: [] });
  s.post(`${REPO_PATH}/check-runs`).reply(201, { id: 72 });
  s.patch(/\/check-runs\/\d+$/).reply(200, { id: 72 });
  s.post(/\/issues\/\d+\/comments$/).reply(201, { id: 700 });
  s.patch(/\/issues\/comments\/\d+$/).reply(200, { id: 700 });
  s.post(/\/issues\/\d+\/labels$/).reply(200, [{ name: "risk: high", color: "fbca04" }]);
  s.post(/\/pulls\/\d+\/requested_reviewers$/).reply(201, {});
  s.get(/\/collaborators\/[^/]+\/permission/).reply(200, { permission: "write", role_name: "write" });
}

describe("people report: a high-risk PR padded with 500 other files", () => {
  let running: TestServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    nock.cleanAll();
  });

  it("is still tied to the fix that followed it on its risky file (not counted a clean landing)", async () => {
    running = await startTestServer();
    // erin's critical change to src/auth/login.ts, padded with 500 one-line docs files that
    // GitHub lists first (by path).
    const padding = Array.from({ length: 500 }, (_, i) => file(`docs/pad${String(i).padStart(3, "0")}.md`, 1));
    const risky = file("src/auth/login.ts", 200);
    const Z = "3333333333333333333333333333333333333333";
    pagedGitHub({ 2: { files: [...padding, risky], head: X }, 3: { files: [file("src/auth/login.ts", 3)], head: Z } });
    await running.post("pull_request", prPayload({ number: 2, files: [...padding, risky], headSha: X }));
    await running.idle(60_000);
    const day = 86_400_000;
    const close = async (number: number, files: FileSpec[], head: string, at: number, title?: string, author?: string) => {
      const e = prPayload({ number, files, headSha: head, ...(title ? { title } : {}), ...(author ? { author } : {}) }) as Json;
      e.action = "closed";
      Object.assign(e.pull_request, { state: "closed", merged: true, merged_at: new Date(at).toISOString(), closed_at: new Date(at).toISOString() });
      await running!.post("pull_request", e);
      await running!.idle(60_000);
    };
    await close(2, [...padding, risky], X, Date.now() - 3 * day);
    // Two days later, a colleague's fix of the login code is merged.
    await running.post("pull_request", prPayload({ number: 3, files: [file("src/auth/login.ts", 3)], headSha: Z, title: "fix: login loop", author: "frank" }));
    await running.idle(60_000);
    await close(3, [file("src/auth/login.ts", 3)], Z, Date.now() - 1 * day, "fix: login loop", "frank");
    expect(running.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);

    const people = (await buildPeopleReport(running.database.db, { owner: "Codertocat", repo: "Hello-World", since: new Date("2010-01-01T00:00:00Z"), until: new Date(Date.now() + day) })) as PeopleReport;
    const erin = people.authors.find((a) => a.login === "erin")!;
    expect(erin.highRiskMerged).toBe(1);
    expect(erin.followedByFix, "the critical PR's fix on src/auth/login.ts is not seen: the file was past the 500 kept").toBe(1);
  }, 180_000);
});
