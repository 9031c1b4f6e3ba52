import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { runAction } from "../../src/action/run-action.js";
import { decodeRecord, encodeRecord } from "../../src/core/pr-record.js";
import { fixture, TestOctokit } from "../helpers/app.js";
import { API, REPO_PATH, TEAM_CONFIG, file, mockBlobs, mockConfig, mockFiles, mockOpenPulls, mockReviews, nock, prPayload, type FileSpec } from "../helpers/scenario.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CONFIG = `${TEAM_CONFIG}
checklists:
  - name: Release
    items:
      - { text: "Changelog updated", required: true, by: author }
`;
const SHA1 = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const SHA2 = "2222222222222222222222222222222222222222";
const BOT = { login: "github-actions[bot]", id: 41898282, type: "Bot" };
const ACTIONS_APP = { id: 15368, slug: "github-actions" };
const MEDIUM_FILES = [file("src/session.ts", 40), file("src/store.ts", 40), file("src/util.ts", 40)];
const CRITICAL_FILES = [...MEDIUM_FILES, file("src/auth/login.ts", 40)];
const CHECKS_QUERY = { check_name: "Review Triage", filter: "latest" };

const dir = mkdtempSync(join(tmpdir(), "review-triage-action-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  out: string[];
  logs: Json[];
}

/** Run the action's entry on one recorded event, as the runner would start it. */
async function run(eventName: string, payload: Json | null, env: Record<string, string | undefined> = {}, options: { analysis?: boolean } = {}): Promise<Run> {
  const path = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
  if (payload) writeFileSync(path, JSON.stringify(payload));
  const logs: Json[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line) as Json);
      done();
    },
  });
  const out: string[] = [];
  const code = await runAction(
    {
      "INPUT_GITHUB-TOKEN": "ghs_workflow_token",
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: path,
      GITHUB_API_URL: API,
      GITHUB_GRAPHQL_URL: `${API}/graphql`,
      GITHUB_RUN_ID: "1001",
      ...env,
    },
    // With `analysis`, the action's own analyzer: ESLint in worker processes, as on the runner.
    { log: pino({ level: "debug" }, stream), Octokit: TestOctokit, ...(options.analysis ? {} : { extras: {} }), out: (line) => out.push(line) },
  );
  return { code, out, logs };
}

function errors(result: Run): Json[] {
  return result.logs.filter((l) => (l.level as number) >= 50);
}

/** The workflow token, never an app JWT or installation token exchange. */
function expectWorkflowToken(scope: nock.Scope): string[] {
  const auth: string[] = [];
  scope.on("request", (req: { headers: Record<string, string> }) => auth.push(req.headers.authorization ?? ""));
  return auth;
}

function checkRun(id: number, sha: string, body: Json, app = ACTIONS_APP): Json {
  return { id, head_sha: sha, name: "Review Triage", status: body.status, conclusion: null, app, output: { ...body.output, annotations_count: 0 } };
}

interface Opened {
  check: Json;
  comment: string;
  requested: unknown;
  label: unknown;
}

/** `pull_request_target.opened` of a medium PR: every write of the first run, captured. */
async function openPr(): Promise<Opened> {
  const scope = nock(API);
  const auth = expectWorkflowToken(scope);
  mockConfig(scope, CONFIG);
  mockFiles(scope, MEDIUM_FILES);
  mockOpenPulls(scope, { bob: 2, dave: 1 });
  mockReviews(scope, []);
  // An earlier run of the same event (a re-run) would have left a check run and a comment: both are looked up.
  scope.get(`${REPO_PATH}/commits/${SHA1}/check-runs`).query(CHECKS_QUERY).reply(200, { total_count: 0, check_runs: [] });
  scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).reply(200, []);
  const captured: Partial<Opened> = {};
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((captured.requested = b), true)).reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (b) => ((captured.check = b), true)).reply(201, { id: 77 });
  scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((captured.comment = b.body), true)).reply(201, { id: 555 });
  scope.post(`${REPO_PATH}/issues/2/labels`, (b) => ((captured.label = b), true)).reply(200, [{ name: "risk: medium", color: "fbca04" }]);

  const result = await run("pull_request_target", prPayload({ files: MEDIUM_FILES }));

  expect(errors(result)).toEqual([]);
  expect(result.code).toBe(0);
  expect(nock.pendingMocks()).toEqual([]);
  expect(new Set(auth)).toEqual(new Set(["token ghs_workflow_token"]));
  // The README's count: 6 reads (config, files, open PRs, reviews, check run, comment) and 4 writes.
  expect(auth).toHaveLength(10);
  return captured as Opened;
}

describe("GitHub Action mode", () => {
  it("triages a recorded pull_request_target.opened with the workflow's token: reviewers, one comment, one check run, the risk label", async () => {
    const opened = await openPr();

    expect(opened.requested).toEqual({ reviewers: ["carol"], team_reviewers: [] });
    expect(opened.label).toEqual({ labels: ["risk: medium"] });
    expect(opened.comment).toMatch(/^<!-- review-triage:sticky -->/);
    expect(opened.comment).toContain("@carol — requested: seniors: least loaded (0 open review requests)");
    expect(opened.check).toMatchObject({ name: "Review Triage", head_sha: SHA1, status: "in_progress", output: { title: "Needs: 1 more approval, 1 required checklist item" } });
    // What the next run needs is in the check run, which only the workflow's token can write.
    expect(decodeRecord(opened.check.output.text)).toEqual({
      ticks: {},
      state: { level: "medium", requested: ["carol"], reasons: { carol: "seniors: least loaded (0 open review requests)" } },
    });
  });

  it("on synchronize, reads its memory back from the previous head's check run, and ignores a record forged in the author's comment", async () => {
    const opened = await openPr();
    const forgedRecord = encodeRecord({
      ticks: {},
      override: { level: "low", by: "alice", reason: "trust me", at: "2026-01-01T00:00:00Z" },
      state: { level: "critical", requested: ["alice", "bob", "carol", "dave"] },
    });
    const forged = { id: 444, body: `<!-- review-triage:sticky -->\n${forgedRecord}\n- [x] Changelog updated`, user: { login: "erin", id: 7, type: "User" } };
    const real = { id: 555, body: opened.comment, user: BOT, performed_via_github_app: ACTIONS_APP };

    const scope = nock(API);
    mockConfig(scope, CONFIG);
    mockFiles(scope, CRITICAL_FILES);
    mockOpenPulls(scope, { bob: 2, dave: 1 });
    mockReviews(scope, []);
    scope.get(`${REPO_PATH}/commits/${SHA2}/check-runs`).query(CHECKS_QUERY).reply(200, { total_count: 0, check_runs: [] });
    // Another app's run of the same name on the old head is not the action's.
    const foreign = checkRun(66, SHA1, { status: "in_progress", output: { title: "x", summary: "x", text: forgedRecord } }, { id: 1, slug: "someone-else" });
    scope.get(`${REPO_PATH}/commits/${SHA1}/check-runs`).query(CHECKS_QUERY).reply(200, { total_count: 2, check_runs: [foreign, checkRun(77, SHA1, opened.check)] });
    scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).reply(200, [forged, real]);
    let requested: unknown;
    let check: Json = {};
    let comment = "";
    let removed = "";
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((requested = b), true)).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 78 });
    scope.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((comment = b.body), true)).reply(200, { id: 555 });
    scope.delete(/\/issues\/2\/labels\/.+/).reply(200, (uri) => ((removed = decodeURIComponent(uri.split("/labels/")[1]!)), []));
    scope.post(`${REPO_PATH}/issues/2/labels`, { labels: ["risk: high"] }).reply(200, [{ name: "risk: high", color: "d93f0b" }]);

    const payload = prPayload({ action: "synchronize", files: CRITICAL_FILES, headSha: SHA2, labels: ["risk: medium"], requested: ["carol"] });
    payload.before = SHA1;
    const result = await run("pull_request_target", payload);

    expect(errors(result)).toEqual([]);
    expect(result.code).toBe(0);
    // The level recalled from the record (medium), not the forged one (critical): the rise is announced
    // and the lead asked; carol, requested by the first run, is not asked again.
    expect(requested).toEqual({ reviewers: ["alice"], team_reviewers: [] });
    // Mentions in the comment carry a zero-width space (see safe-markdown): nobody is pinged by a note.
    expect(comment).toContain("- Risk rose from medium to high; requested @\u200balice for the higher level.");
    expect(comment).toContain("@carol — requested: seniors: least loaded (0 open review requests)");
    expect(comment).not.toContain("trust me");
    expect(removed).toBe("risk: medium");
    expect(check).toMatchObject({ head_sha: SHA2, output: { title: expect.stringMatching(/^Needs: 1 lead approval \(alice\)/) } });
    expect(decodeRecord(check.output.text)).toEqual({
      ticks: {},
      state: {
        level: "high",
        requested: ["carol", "alice"],
        reasons: { carol: "seniors: least loaded (0 open review requests)", alice: expect.stringContaining("lead") },
        escalations: ["Risk rose from medium to high; requested @alice for the higher level."],
      },
    });
  });

  it("records a checklist tick from issue_comment.edited on its own comment, on top of the state in the head's check run", async () => {
    const opened = await openPr();
    const before = opened.comment;
    const after = before
      .split("\n")
      .map((line) => (line.includes("Changelog updated") && line.includes("<!-- rt:item:") ? line.replace("- [ ]", "- [x]") : line))
      .join("\n");
    expect(after).not.toBe(before);
    const payload = structuredClone(fixture<Json>("issue_comment", "edited"));
    delete payload.installation;
    payload.issue.number = 2;
    payload.issue.state = "open";
    payload.issue.pull_request = { url: `${API}${REPO_PATH}/pulls/2` };
    payload.comment = { ...payload.comment, id: 555, user: BOT, performed_via_github_app: ACTIONS_APP, body: after };
    payload.changes = { body: { from: before } };
    payload.sender = { login: "erin", id: 7, type: "User" };

    const scope = nock(API);
    const pull = prPayload({ files: MEDIUM_FILES, labels: ["risk: medium"], requested: ["carol"] }).pull_request as Json;
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, pull);
    mockConfig(scope, CONFIG);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, { bob: 2, dave: 1 });
    mockReviews(scope, []);
    scope.get(`${REPO_PATH}/commits/${SHA1}/check-runs`).query(CHECKS_QUERY).reply(200, { total_count: 1, check_runs: [checkRun(77, SHA1, opened.check)] });
    scope.get(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555, body: after, user: BOT });
    scope.get(`${REPO_PATH}/collaborators/erin/permission`).reply(200, { permission: "write", role_name: "write", user: { login: "erin" } });
    let check: Json = {};
    let comment = "";
    scope.patch(`${REPO_PATH}/check-runs/77`, (b) => ((check = b), true)).reply(200, { id: 77 });
    scope.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((comment = b.body), true)).reply(200, { id: 555 });

    const result = await run("issue_comment", payload);

    expect(errors(result)).toEqual([]);
    expect(result.code).toBe(0);
    expect(check.output.title).toBe("Needs: 1 more approval");
    const record = decodeRecord(check.output.text);
    expect(Object.values(record?.ticks ?? {})).toEqual([{ by: "erin", at: expect.any(String), role: "author" }]);
    // The rest of the memory came through from the first run's record unchanged.
    expect(record?.state).toEqual({ level: "medium", requested: ["carol"], reasons: { carol: "seniors: least loaded (0 open review requests)" } });
    expect(comment.split("\n").find((l) => l.includes("Changelog updated"))).toMatch(/^- \[x\] Changelog updated .* — ✔ @\u200berin, \d{4}-\d\d-\d\d \d\d:\d\d UTC <!-- rt:item:[0-9a-f]{8} -->$/);
  });

  it("re-evaluates the check on pull_request_review: an approval by a writer counts, the memory carries over", async () => {
    const opened = await openPr();
    const payload = structuredClone(fixture<Json>("pull_request_review", "submitted"));
    payload.review = { ...payload.review, state: "approved", user: { login: "carol", id: 8, type: "User" }, commit_id: SHA1 };
    payload.sender = { login: "carol", id: 8, type: "User" };

    const scope = nock(API);
    const pull = prPayload({ files: MEDIUM_FILES, labels: ["risk: medium"], requested: [] }).pull_request as Json;
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, pull);
    mockConfig(scope, CONFIG);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, { bob: 2, dave: 1 });
    mockReviews(scope, [{ login: "carol", state: "APPROVED" }]);
    scope.get(`${REPO_PATH}/commits/${SHA1}/check-runs`).query(CHECKS_QUERY).reply(200, { total_count: 1, check_runs: [checkRun(77, SHA1, opened.check)] });
    scope.get(`${REPO_PATH}/collaborators/carol/permission`).reply(200, { permission: "write", role_name: "write", user: { login: "carol" } });
    scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).reply(200, [{ id: 555, body: opened.comment, user: BOT }]);
    let check: Json = {};
    scope.patch(`${REPO_PATH}/check-runs/77`, (b) => ((check = b), true)).reply(200, { id: 77 });

    const result = await run("pull_request_review", payload);

    expect(errors(result)).toEqual([]);
    expect(result.code).toBe(0);
    // The comment comes out as the first run wrote it (carol still the pick, for the same reason,
    // recalled from the record), so it is not written: the strict mocks fail any PATCH of it.
    expect(result.logs.find((l) => l.msg === "PR triaged")).toMatchObject({ writes: 1, picks: [] });
    expect(check.output.title).toBe("Needs: 1 required checklist item");
    expect(decodeRecord(check.output.text)?.state).toEqual({ level: "medium", requested: ["carol"], reasons: { carol: "seniors: least loaded (0 open review requests)" } });
  });

  it("records a lead's /triage override in the check run's record, beside the memory it keeps", async () => {
    const opened = await openPr();
    const payload = structuredClone(fixture<Json>("issue_comment", "created"));
    delete payload.installation;
    payload.issue.number = 2;
    payload.issue.state = "open";
    payload.issue.pull_request = { url: `${API}${REPO_PATH}/pulls/2` };
    payload.comment = { ...payload.comment, id: 900, body: "/triage override low only a copy change", user: { login: "alice", id: 3, type: "User" } };
    payload.sender = { login: "alice", id: 3, type: "User" };

    const scope = nock(API);
    scope.get(`${REPO_PATH}/collaborators/alice/permission`).reply(200, { permission: "write", role_name: "write", user: { login: "alice" } });
    mockConfig(scope, CONFIG);
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files: MEDIUM_FILES, labels: ["risk: medium"], requested: ["carol"] }).pull_request as Json);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, { bob: 2, dave: 1 });
    mockReviews(scope, []);
    scope.get(`${REPO_PATH}/commits/${SHA1}/check-runs`).query(CHECKS_QUERY).reply(200, { total_count: 1, check_runs: [checkRun(77, SHA1, opened.check)] });
    scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).reply(200, [{ id: 555, body: opened.comment, user: BOT }]);
    let check: Json = {};
    let comment = "";
    let reply = "";
    scope.patch(`${REPO_PATH}/check-runs/77`, (b) => ((check = b), true)).reply(200, { id: 77 });
    scope.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((comment = b.body), true)).reply(200, { id: 555 });
    scope.delete(`${REPO_PATH}/issues/2/labels/${encodeURIComponent("risk: medium")}`).reply(200, []);
    scope.post(`${REPO_PATH}/issues/2/labels`, { labels: ["risk: low"] }).reply(200, [{ name: "risk: low", color: "0e8a16" }]);
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((reply = b.body), true)).reply(201, { id: 901 });

    const result = await run("issue_comment", payload);

    expect(errors(result)).toEqual([]);
    expect(result.code).toBe(0);
    expect(reply).toMatch(/^Risk level overridden to \*\*low\*\* by @alice: only a copy change/);
    expect(comment).toContain("Risk level overridden from medium to low by @\u200balice: only a copy change");
    expect(decodeRecord(check.output.text)).toMatchObject({
      override: { level: "low", by: "alice", reason: "only a copy change", headSha: SHA1 },
      // The highest level so far stays: a rise above it later is announced from there.
      state: { level: "medium", requested: ["carol"] },
    });
  });

  it("keeps its record on the check run of a draft, so the PR marked ready again is not triaged from scratch", async () => {
    const opened = await openPr();
    const scope = nock(API);
    mockConfig(scope, CONFIG);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, { bob: 2, dave: 1 });
    mockReviews(scope, []);
    scope.get(`${REPO_PATH}/commits/${SHA1}/check-runs`).query(CHECKS_QUERY).reply(200, { total_count: 1, check_runs: [checkRun(77, SHA1, opened.check)] });
    scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).reply(200, [{ id: 555, body: opened.comment, user: BOT }]);
    let draft: Json = {};
    scope.patch(`${REPO_PATH}/check-runs/77`, (b) => ((draft = b), true)).reply(200, { id: 77 });
    scope.patch(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555 });

    const result = await run("pull_request_target", prPayload({ action: "converted_to_draft", draft: true, files: MEDIUM_FILES, labels: ["risk: medium"], requested: ["carol"] }));

    expect(errors(result)).toEqual([]);
    expect(draft.output.title).toBe("Draft: not reviewed yet");
    expect(decodeRecord(draft.output.text)).toEqual(decodeRecord(opened.check.output.text));
  });

  it("lints the changed JavaScript in its worker processes and annotates the check run", async () => {
    const source = "export function total(a) {\n  debugger;\n  return a;\n}\n";
    const files = [{ filename: "src/total.js", additions: 4, status: "added", patch: `@@ -0,0 +1,4 @@\n${source.trimEnd().split("\n").map((l) => `+${l}`).join("\n")}` }];
    const scope = nock(API);
    mockConfig(scope, CONFIG);
    mockFiles(scope, files);
    mockBlobs(scope, { "src/total.js": source });
    mockOpenPulls(scope, {});
    mockReviews(scope, []);
    scope.get(`${REPO_PATH}/commits/${SHA1}/check-runs`).query(CHECKS_QUERY).reply(200, { total_count: 0, check_runs: [] });
    scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).reply(200, []);
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
    let check: Json = {};
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 77 });
    scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 555 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: low", color: "0e8a16" }]);

    const result = await run("pull_request_target", prPayload({ files }), {}, { analysis: true });

    expect(errors(result)).toEqual([]);
    expect(result.code).toBe(0);
    expect(check.output.annotations).toEqual([expect.objectContaining({ path: "src/total.js", start_line: 2, title: expect.stringMatching(/^no-debugger/) })]);
    // The record still comes first in the text, before the analysis.
    expect(decodeRecord(check.output.text)?.state?.level).toBe("low");
  });

  it("ignores an edit of a comment the author wrote with the action's marker: no request at all", async () => {
    const payload = structuredClone(fixture<Json>("issue_comment", "edited"));
    payload.issue.number = 2;
    payload.issue.pull_request = { url: `${API}${REPO_PATH}/pulls/2` };
    const forged = `<!-- review-triage:sticky -->\n${encodeRecord({ ticks: {}, state: { level: "low" } })}\n- [x] Changelog updated <!-- rt:item:00000000 -->`;
    payload.comment = { ...payload.comment, id: 444, user: { login: "erin", id: 7, type: "User" }, body: forged };
    payload.changes = { body: { from: forged.replace("[x]", "[ ]") } };
    payload.sender = { login: "erin", id: 7, type: "User" };
    const calls: string[] = [];
    nock(API).on("request", (req: { path: string }) => calls.push(req.path));

    const result = await run("issue_comment", payload);

    expect(result.code).toBe(0);
    expect(errors(result)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it("fails with a clear error and a non-zero exit when the token or the event file is missing", async () => {
    const noToken = await run("pull_request_target", prPayload(), { "INPUT_GITHUB-TOKEN": "", GITHUB_TOKEN: undefined });
    expect(noToken.code).toBe(1);
    expect(noToken.out).toEqual(["::error::Review Triage: No GitHub token: give the action's `github-token` input (its default is `${{ github.token }}`), or set GITHUB_TOKEN."]);

    const noEvent = await run("pull_request_target", null, { GITHUB_EVENT_PATH: undefined });
    expect(noEvent.code).toBe(1);
    expect(noEvent.out).toEqual([expect.stringMatching(/^::error::Review Triage: GITHUB_EVENT_PATH is not set/)]);

    const missingFile = await run("pull_request_target", null, { GITHUB_EVENT_PATH: join(dir, "nowhere.json") });
    expect(missingFile.code).toBe(1);
    expect(missingFile.out).toEqual([expect.stringMatching(/^::error::Review Triage: GITHUB_EVENT_PATH \(.*nowhere\.json\) cannot be read \(ENOENT\)\./)]);

    const truncated = prPayload() as Json;
    delete truncated.pull_request.head;
    const malformed = await run("pull_request_target", truncated);
    expect(malformed.code).toBe(1);
    expect(malformed.out).toEqual(["::error::Review Triage: the pull_request_target event in GITHUB_EVENT_PATH lacks pull_request.head.sha."]);
  });

  it("fails the step when a write fails, and says which", async () => {
    const scope = nock(API);
    mockConfig(scope, CONFIG);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, {});
    mockReviews(scope, []);
    scope.get(`${REPO_PATH}/commits/${SHA1}/check-runs`).query(CHECKS_QUERY).reply(200, { total_count: 0, check_runs: [] });
    scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).reply(200, []);
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
    // A `pull_request` run of a fork PR: GitHub's read-only token.
    scope.post(`${REPO_PATH}/check-runs`).reply(403, { message: "Resource not accessible by integration" });
    scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 555 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    const payload = prPayload({ files: MEDIUM_FILES }) as Json;
    payload.pull_request.head.repo = { ...payload.pull_request.head.repo, full_name: "erin/Hello-World" };

    const result = await run("pull_request", payload);

    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(/^::warning::Review Triage: this pull request comes from a fork, and `pull_request` workflows of forks get a read-only token/);
    expect(result.out[1]).toMatch(/^::error::Review Triage failed: 1 write failed: Resource not accessible by integration/);
  });

  it("does nothing, successfully, for an event it does not handle", async () => {
    const result = await run("push", { ref: "refs/heads/main", repository: { full_name: "Codertocat/Hello-World" } });
    expect(result.code).toBe(0);
    expect(result.logs.some((l) => l.msg === "nothing to do for this event" && String(l.reason).startsWith("push events are not handled"))).toBe(true);
  });
});

export type { FileSpec };
