import { describe, expect, it } from "vitest";
import { buildApp, fixture, type TestApp } from "../helpers/app.js";
import { API, REPO_PATH, OWNER, TEAM_CONFIG, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive, type FileSpec } from "../helpers/scenario.js";
import { CONFIG_URL, RAW } from "../helpers/github.js";
import { itemId } from "../../src/core/checklists.js";

/**
 * SPEC §11: a PR author may be an adversary. Each case is a way to get the check to pass
 * without the review it demands, or to plant text in the app's comment, tried through the
 * webhook path.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const MEDIUM = [file("src/session.ts", 40), file("src/store.ts", 40), file("src/util.ts", 40)];
const CRITICAL = [file("src/auth/login.ts", 400), file("src/auth/token.ts", 300)];
const BOT = { login: "review-triage[bot]", id: 9000, type: "Bot" };

function errors(app: TestApp) {
  return app.logs.filter((l) => (l.level as number) >= 50);
}

function permission(scope: nock.Scope, login: string, level: string) {
  scope.get(`${REPO_PATH}/collaborators/${login}/permission`).reply(200, { permission: level, role_name: level, user: { login } });
}

function reviews(scope: nock.Scope, list: Array<{ login: string; state: string; commit?: string; type?: string }>) {
  scope
    .get(`${REPO_PATH}/pulls/2/reviews`)
    .query({ per_page: 100 })
    .reply(
      200,
      list.map((r, i) => ({ id: i + 1, user: { login: r.login, type: r.type ?? "User" }, state: r.state, submitted_at: `2026-01-0${i + 1}T00:00:00Z`, commit_id: r.commit ?? HEAD })),
    );
}

function reviewPayload(files: FileSpec[], reviewer: string, options: { headSha?: string } = {}): Json {
  const payload = structuredClone(fixture<Json>("pull_request_review", "submitted"));
  payload.pull_request = { ...payload.pull_request, ...(prPayload({ files, ...(options.headSha ? { headSha: options.headSha } : {}) }).pull_request as Json) };
  payload.review.user = { login: reviewer, id: 3, type: "User" };
  payload.review.state = "approved";
  payload.sender = { login: reviewer, id: 3, type: "User" };
  return payload;
}

/** Open a PR (first triage), capturing the check run and comment the app writes. */
async function open(app: TestApp, files: FileSpec[], config = TEAM_CONFIG, options: { title?: string; author?: string } = {}) {
  const scope = nock(API);
  mockToken(scope);
  mockConfig(scope, config);
  mockFiles(scope, files);
  mockOpenPulls(scope, {});
  const out = { check: {} as Json, comment: "" };
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (b) => ((out.check = b), true)).reply(201, { id: 41 });
  scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((out.comment = b.body), true)).optionally().reply(201, { id: 555 });
  scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: x", color: "fbca04" }]);
  await receive(app.probot, "pull_request", prPayload({ files, ...options }));
  expect(errors(app)).toEqual([]);
  return out;
}

/** A review event: the app reads the PR, its files, load and reviews, then writes the check. */
async function review(app: TestApp, files: FileSpec[], reviewer: string, list: Parameters<typeof reviews>[1], access: Record<string, string>, headSha = HEAD) {
  const scope = nock(API);
  scope.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files, headSha, requested: ["alice", "bob"] }).pull_request as Json);
  mockFiles(scope, files);
  reviews(scope, list);
  for (const [login, level] of Object.entries(access)) permission(scope, login, level);
  const out = { check: {} as Json };
  scope.get(`${REPO_PATH}/commits/${headSha}/check-runs`).query(true).optionally().reply(200, { total_count: 0, check_runs: [] });
  scope.patch(`${REPO_PATH}/check-runs/41`, (b) => ((out.check = b), true)).optionally().reply(200, { id: 41 });
  scope.post(`${REPO_PATH}/check-runs`, (b) => ((out.check = b), true)).optionally().reply(201, { id: 42 });
  scope.patch(`${REPO_PATH}/issues/comments/555`).optionally().reply(200, { id: 555 });
  scope.get(`${REPO_PATH}/issues/2/comments`).query(true).optionally().reply(200, []);
  scope.post(`${REPO_PATH}/issues/2/comments`).optionally().reply(201, { id: 555 });
  scope.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, []);
  await receive(app.probot, "pull_request_review", reviewPayload(files, reviewer, { headSha }));
  expect(errors(app)).toEqual([]);
  return out;
}

describe("approvals a hostile author can get", () => {
  it("counts no approval from someone without write access, nor from a bot", async () => {
    const app = await buildApp();
    await open(app, MEDIUM);
    const { check } = await review(app, MEDIUM, "sockpuppet", [{ login: "sockpuppet", state: "APPROVED" }, { login: "helper[bot]", state: "APPROVED", type: "Bot" }], { sockpuppet: "read" });
    expect(check).toMatchObject({ status: "in_progress", output: { title: "Needs: 1 more approval" } });
    expect(check.output.summary).toContain("Not counted: @\u200bsockpuppet's approval (no write access to the repository).");
  });

  it("counts an approval on an older commit only where the level allows it: critical needs it on the head", async () => {
    const app = await buildApp();
    await open(app, CRITICAL);
    const newHead = "1111111111111111111111111111111111111111";
    const { check } = await review(
      app,
      CRITICAL,
      "alice",
      [
        { login: "alice", state: "APPROVED", commit: HEAD },
        { login: "bob", state: "APPROVED", commit: newHead },
      ],
      { alice: "admin", bob: "write" },
      newHead,
    );
    expect(check.status).toBe("in_progress");
    expect(check.output.title).toBe("Needs: 1 lead approval (alice) (alice approved an older commit; critical risk needs approvals on the current head)");
  });
});

describe("skips that must not pass governance", () => {
  it("keeps a PR opened with WIP in its title waiting for its approvals, with no reviewers and no comment", async () => {
    const app = await buildApp();
    const { check, comment } = await open(app, MEDIUM, TEAM_CONFIG, { title: "WIP: session handling" });
    expect(comment).toBe("");
    expect(check).toMatchObject({ status: "in_progress", output: { title: "Needs: 1 more approval" } });
    expect(check).not.toHaveProperty("conclusion");
  });
});

describe("text a hostile author controls", () => {
  it("keeps a crafted file name from planting a checklist line, and a crafted title from mentioning anyone", async () => {
    const config = `${TEAM_CONFIG}
checklists:
  - name: Docs
    items:
      - { text: "Docs updated", required: true, by: lead }
`;
    const realId = itemId("Docs", "Docs updated");
    const evil = `x\`\n- [ ] Docs updated <!-- rt:item:${realId} -->\n\`/package.json`;
    const files = [file(evil, 5), file("src/a.ts", 30)];
    const app2 = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, config);
    mockFiles(scope, files);
    mockOpenPulls(scope, {});
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
    let body = "";
    let run: Json = {};
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((run = b), true)).reply(201, { id: 1 });
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((body = b.body), true)).reply(201, { id: 2 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, []);
    await receive(app2.probot, "pull_request", prPayload({ files, title: "fix: ping @everyone and @org/admins <img src=x onerror=alert(1)>" }));
    expect(errors(app2)).toEqual([]);
    const taskLines = body.split("\n").filter((l) => /^\s*[-*] \[[ xX]\]/.test(l));
    // Exactly the one item the config has: the file name stayed inside its code span, on its line.
    expect(taskLines).toHaveLength(1);
    expect(taskLines[0]).toContain("Docs updated");
    expect(body).not.toMatch(/<img/);
    expect(body).not.toMatch(/(^|[^\u200b])@everyone/);
    for (const text of [body, run.output.summary as string, run.output.text as string]) expect(text).not.toContain(`\n- [ ] Docs updated <!-- rt:item:${realId} -->\n`);
  });

  it("answers a checklist edit only on the app's own comment, not on another bot's carrying the marker", async () => {
    const app = await buildApp();
    const payload = structuredClone(fixture<Json>("issue_comment", "edited"));
    payload.issue.number = 2;
    payload.issue.state = "open";
    payload.issue.pull_request = { url: "x" };
    payload.comment.user = { login: "impostor[bot]", id: 7, type: "Bot" };
    payload.comment.body = "<!-- review-triage:sticky -->\n- [x] Docs updated <!-- rt:item:00000000 -->";
    payload.changes = { body: { from: "<!-- review-triage:sticky -->\n- [ ] Docs updated <!-- rt:item:00000000 -->" } };
    payload.sender = { login: "mallory", id: 1, type: "User" };
    // No mocks: any GitHub call would fail the test.
    await receive(app.probot, "issue_comment", payload);
    expect(errors(app)).toEqual([]);
  });
});

describe("roles", () => {
  const LEAD_CONFIG = `${TEAM_CONFIG}
checklists:
  - name: Security
    items:
      - { text: "Threat model updated", required: true, by: lead }
`;

  function command(sender: string, body: string): Json {
    const payload = structuredClone(fixture<Json>("issue_comment", "created"));
    payload.issue.number = 2;
    payload.issue.state = "open";
    payload.issue.pull_request = { url: "x" };
    payload.comment.id = 777;
    payload.comment.body = body;
    payload.comment.user = { login: sender, id: 2, type: "User" };
    payload.sender = { login: sender, id: 2, type: "User" };
    return payload;
  }

  it("refuses a lead's override of their own PR (four eyes)", async () => {
    const app = await buildApp();
    await open(app, MEDIUM, LEAD_CONFIG, { author: "alice" });
    const scope = nock(API);
    permission(scope, "alice", "admin");
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files: MEDIUM, author: "alice" }).pull_request as Json);
    let reply = "";
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((reply = b.body), true)).reply(201, { id: 900 });
    await receive(app.probot, "issue_comment", command("alice", "/triage override low trust me"));
    expect(errors(app)).toEqual([]);
    expect(reply).toBe("@alice, a lead cannot override the risk level of their own pull request; another lead must. Nothing was changed.");
  });

  it("does not count a lead's tick on a lead item of their own PR", async () => {
    const app = await buildApp();
    const { comment } = await open(app, MEDIUM, LEAD_CONFIG, { author: "alice" });
    const ticked = comment.replace("- [ ] Threat model updated", "- [x] Threat model updated");
    const scope = nock(API);
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files: MEDIUM, author: "alice", labels: ["risk: medium"], requested: ["bob"] }).pull_request as Json);
    mockFiles(scope, MEDIUM);
    reviews(scope, []);
    scope.get(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555, body: ticked, user: BOT });
    permission(scope, "alice", "admin");
    let updated = "";
    scope.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((updated = b.body), true)).reply(200, { id: 555 });
    const payload = structuredClone(fixture<Json>("issue_comment", "edited"));
    Object.assign(payload.issue, { number: 2, state: "open", pull_request: { url: "x" } });
    Object.assign(payload.comment, { id: 555, user: BOT, performed_via_github_app: null, body: ticked });
    payload.changes = { body: { from: comment } };
    payload.sender = { login: "alice", id: 1, type: "User" };
    await receive(app.probot, "issue_comment", payload);
    expect(errors(app)).toEqual([]);
    expect(updated).toMatch(/- \[ \] Threat model updated/);
    expect(updated).toContain("a lead may not tick a lead item of their own pull request");
  });
});

describe("config the author controls", () => {
  it("shows the PR's own config's teams as written, with no member calls, in its dry run", async () => {
    const app = await buildApp();
    const groups = Array.from({ length: 50 }, (_, g) => `  g${g}: [${Array.from({ length: 200 }, (_, t) => `"@${OWNER}/t${g}-${t}"`).join(", ")}]`).join("\n");
    const prConfig = `reviewers:\n${groups}\nrouting:\n${["low", "medium", "high", "critical"].map((l) => `  ${l}: [{ from: g0, count: 1 }]\n`).join("")}`;
    const files = [file(".github/review-triage.yml", 5), file("src/a.ts", 30)];
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, files);
    mockOpenPulls(scope, {});
    scope.get(CONFIG_URL).query({ ref: HEAD }).reply(200, prConfig, RAW);
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
    let run: Json = {};
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((run = b), true)).reply(201, { id: 1 });
    scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 2 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, []);
    await receive(app.probot, "pull_request", prPayload({ files }));
    expect(errors(app)).toEqual([]);
    // Routed to a team as written in the file, not to its members (no team was read).
    expect(run.output.summary).toMatch(/routed to @\u200bCodertocat\/t0\\-\d+ \(g0\)|routed to @\u200bCodertocat\/t0-\d+ \(g0\)/);
  });

  it("refuses an _extends into another owner's repository, with a clear line on the check", async () => {
    const app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    scope.get((uri) => CONFIG_URL.test(uri) && uri.startsWith(`${REPO_PATH}/`)).reply(200, "_extends: other-org/policies\n", RAW);
    scope.get((uri) => CONFIG_URL.test(uri) && uri.startsWith("/repos/other-org/policies/")).reply(200, "governance:\n  approvals: { low: { total: 0 }, medium: { total: 0 } }\n", RAW);
    let run: Json = {};
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((run = b), true)).reply(201, { id: 1 });
    await receive(app.probot, "pull_request", prPayload({ files: MEDIUM }));
    expect(errors(app)).toEqual([]);
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "Invalid .github/review-triage.yml" } });
    expect(run.output.summary).toContain("_extends");
    expect(run.output.summary).toContain("other-org/policies:.github/review-triage.yml");
  });

  it("shows a base named by _extends that does not exist as an error, instead of dropping it", async () => {
    const app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    scope.get((uri) => CONFIG_URL.test(uri) && uri.startsWith(`${REPO_PATH}/`)).reply(200, "_extends: policies\n", RAW);
    scope.get((uri) => CONFIG_URL.test(uri) && uri.startsWith(`/repos/${OWNER}/policies/`)).reply(404, { message: "Not Found" });
    let run: Json = {};
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((run = b), true)).reply(201, { id: 1 });
    await receive(app.probot, "pull_request", prPayload({ files: MEDIUM }));
    expect(errors(app)).toEqual([]);
    expect(run).toMatchObject({ conclusion: "failure" });
    expect(run.output.summary).toContain(`no file at ${OWNER}/policies:.github/review-triage.yml`);
  });
});

describe("state that must not outlive its reason", () => {
  const CHECKLIST_CONFIG = `${TEAM_CONFIG}
checklists:
  - name: Security
    items:
      - { text: "No secrets in logs", required: true, by: reviewer }
`;

  function edited(before: string, after: string, sender: string): Json {
    const payload = structuredClone(fixture<Json>("issue_comment", "edited"));
    Object.assign(payload.issue, { number: 2, state: "open", pull_request: { url: "x" } });
    Object.assign(payload.comment, { id: 555, user: BOT, performed_via_github_app: null, body: after });
    payload.changes = { body: { from: before } };
    payload.sender = { login: sender, id: 1, type: "User" };
    return payload;
  }

  /** The reads of a re-evaluation after the first event. */
  function rereads(scope: nock.Scope, files: FileSpec[], options: { headSha?: string; labels?: string[] } = {}) {
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files, requested: ["bob"], labels: options.labels ?? ["risk: medium"], ...(options.headSha ? { headSha: options.headSha } : {}) }).pull_request as Json);
    mockFiles(scope, files);
    reviews(scope, []);
  }

  it("drops a reviewer's tick once they no longer have write access", async () => {
    const app = await buildApp();
    const { comment } = await open(app, MEDIUM, CHECKLIST_CONFIG);
    const ticked = comment.replace("- [ ] No secrets in logs", "- [x] No secrets in logs");
    const tick = nock(API);
    rereads(tick, MEDIUM);
    tick.get(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555, body: ticked, user: BOT });
    permission(tick, "bob", "write");
    let afterTick = "";
    tick.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((afterTick = b.body), true)).reply(200, { id: 555 });
    tick.patch(`${REPO_PATH}/check-runs/41`).reply(200, { id: 41 });
    tick.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, []);
    await receive(app.probot, "issue_comment", edited(comment, ticked, "bob"));
    expect(errors(app)).toEqual([]);
    expect(afterTick).toMatch(/- \[x\] No secrets in logs/);

    // bob's access is revoked; the next evaluation (a rerun) no longer counts his tick.
    const rerun = nock(API);
    permission(rerun, "carol", "write");
    rereads(rerun, MEDIUM);
    permission(rerun, "bob", "read");
    let check: Json = {};
    let comment2 = "";
    rerun.patch(`${REPO_PATH}/check-runs/41`, (b) => ((check = b), true)).reply(200, { id: 41 });
    rerun.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((comment2 = b.body), true)).reply(200, { id: 555 });
    rerun.post(`${REPO_PATH}/issues/comments/777/reactions`).optionally().reply(201, {});
    rerun.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, []);
    const command = structuredClone(fixture<Json>("issue_comment", "created"));
    Object.assign(command.issue, { number: 2, state: "open", pull_request: { url: "x" } });
    Object.assign(command.comment, { id: 777, body: "/triage rerun", user: { login: "carol", id: 5, type: "User" } });
    command.sender = { login: "carol", id: 5, type: "User" };
    await receive(app.probot, "issue_comment", command);
    expect(errors(app)).toEqual([]);
    expect(check.output.title).toContain("1 required checklist item");
    expect(comment2).toMatch(/- \[ \] No secrets in logs/);
    expect(comment2).toContain("tick of \"No secrets in logs\" no longer counts");
  });

  it("never revives a tick from an edit that a later edit undid (events out of order)", async () => {
    const app = await buildApp();
    const { comment } = await open(app, MEDIUM, CHECKLIST_CONFIG);
    const ticked = comment.replace("- [ ] No secrets in logs", "- [x] No secrets in logs");
    const scope = nock(API);
    rereads(scope, MEDIUM);
    // The comment is unticked again by now: the tick event arrives after the untick.
    scope.get(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555, body: comment, user: BOT });
    permission(scope, "bob", "write");
    scope.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, []);
    // Nothing changes: no check or comment write.
    await receive(app.probot, "issue_comment", edited(comment, ticked, "bob"));
    expect(errors(app)).toEqual([]);
  });

  it("ends a lead's override when new commits raise the scored risk above it, and says so", async () => {
    const app = await buildApp();
    await open(app, MEDIUM);
    const cmd = nock(API);
    permission(cmd, "alice", "admin");
    cmd.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files: MEDIUM, requested: ["bob"], labels: ["risk: medium"] }).pull_request as Json);
    mockFiles(cmd, MEDIUM);
    reviews(cmd, []);
    cmd.patch(`${REPO_PATH}/check-runs/41`).reply(200, { id: 41 });
    cmd.patch(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555 });
    cmd.delete(/\/issues\/2\/labels\/.*/).reply(200, []);
    cmd.post(`${REPO_PATH}/issues/2/labels`).reply(200, []);
    cmd.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 901 });
    const command = structuredClone(fixture<Json>("issue_comment", "created"));
    Object.assign(command.issue, { number: 2, state: "open", pull_request: { url: "x" } });
    Object.assign(command.comment, { id: 778, body: "/triage override low tests only", user: { login: "alice", id: 6, type: "User" } });
    command.sender = { login: "alice", id: 6, type: "User" };
    await receive(app.probot, "issue_comment", command);
    expect(errors(app)).toEqual([]);

    // A push brings a critical change: the override no longer holds.
    const newHead = "2222222222222222222222222222222222222222";
    const push = nock(API);
    mockFiles(push, CRITICAL);
    reviews(push, []);
    let run: Json = {};
    let body = "";
    push.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
    push.post(`${REPO_PATH}/check-runs`, (b) => ((run = b), true)).reply(201, { id: 43 });
    push.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((body = b.body), true)).reply(200, { id: 555 });
    push.delete(/\/issues\/2\/labels\/.*/).optionally().reply(200, []);
    push.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, []);
    await receive(app.probot, "pull_request", prPayload({ action: "synchronize", files: CRITICAL, headSha: newHead, labels: ["risk: low"], requested: ["bob"] }));
    expect(errors(app)).toEqual([]);
    expect(body).toContain("The override to low by @\u200balice lapsed: new commits raised the scored risk to critical.");
    expect(body).toContain("Critical risk");
    expect(run.output.summary).not.toContain("Level overridden");
  });
});
