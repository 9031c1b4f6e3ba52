import { beforeEach, describe, expect, it } from "vitest";
import { buildApp, fixture, type TestApp } from "../helpers/app.js";
import {
  API,
  REPO_PATH,
  TEAM_CONFIG,
  file,
  mockConfig,
  mockFiles,
  mockOpenPulls,
  mockReviews,
  mockToken,
  nock,
  prPayload,
  receive,
  type FileSpec,
} from "../helpers/scenario.js";

const CONFIG = `${TEAM_CONFIG}
checklists:
  - name: Security
    when: { paths: ["src/auth/**"] }
    items:
      - Input is validated at the boundary
      - { text: "Threat model updated", required: true, by: lead }
      - { text: "No secrets in logs", required: true, by: reviewer }
governance:
  approvals:
    high: { lead: 1, total: 1 }
    critical: { lead: 1, total: 2 }
`;

const FILES: FileSpec[] = [file("src/auth/login.ts", 20)];
const BOT = { login: "review-triage[bot]", id: 9000, type: "Bot" };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function errors(app: TestApp) {
  return app.logs.filter((l) => (l.level as number) >= 50);
}

/** Tick or untick the task line that contains `text`. */
function toggle(body: string, text: string, checked: boolean): string {
  return body
    .split("\n")
    .map((line) => (line.includes(text) && line.includes("<!-- rt:item:") ? line.replace(/^- \[[ x]\]/, checked ? "- [x]" : "- [ ]") : line))
    .join("\n");
}

function editedPayload(sender: string, before: string, after: string): Json {
  const payload = structuredClone(fixture<Json>("issue_comment", "edited"));
  payload.installation = { id: 1, node_id: "x" };
  payload.issue.number = 2;
  payload.issue.state = "open";
  payload.issue.pull_request = { url: `https://api.github.com${REPO_PATH}/pulls/2` };
  payload.comment.id = 555;
  payload.comment.user = BOT;
  payload.comment.performed_via_github_app = null;
  payload.comment.body = after;
  payload.changes = { body: { from: before } };
  payload.sender = { login: sender, id: 1, type: sender.endsWith("[bot]") ? "Bot" : "User" };
  return payload;
}

function commandPayload(sender: string, body: string): Json {
  const payload = structuredClone(fixture<Json>("issue_comment", "created"));
  payload.issue.number = 2;
  payload.issue.state = "open";
  payload.issue.pull_request = { url: `https://api.github.com${REPO_PATH}/pulls/2` };
  payload.comment.id = 777;
  payload.comment.body = body;
  payload.comment.user = { login: sender, id: 2, type: "User" };
  payload.sender = { login: sender, id: 2, type: "User" };
  return payload;
}

function reviewPayload(action: "submitted" | "dismissed", reviewer: string, state: string): Json {
  const payload = structuredClone(fixture<Json>("pull_request_review", action));
  const pr = prPayload({ files: FILES, labels: ["risk: high"], requested: [] }).pull_request as Json;
  payload.pull_request = { ...payload.pull_request, ...pr };
  payload.review.user = { login: reviewer, id: 3, type: "User" };
  payload.review.state = state;
  payload.sender = { login: reviewer, id: 3, type: "User" };
  return payload;
}

/** The reads every re-evaluation makes after the first event (config is cached). */
function mockReads(scope: nock.Scope, reviews: Array<{ login: string; state: string; at?: string }> = [], fetchPull = true) {
  if (fetchPull) scope.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files: FILES, labels: ["risk: high"], requested: ["alice"] }).pull_request as Json);
  mockFiles(scope, FILES);
  mockReviews(scope, reviews);
}

/**
 * A checklist edit as GitHub delivers it: the app reads the comment as it is now, and the
 * editor's write access. `current` differs from `after` when a later edit undid this one.
 */
async function edit(app: TestApp, scope: nock.Scope, sender: string, before: string, after: string, options: { access?: string; current?: string } = {}) {
  scope.get(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555, body: options.current ?? after, user: BOT });
  if (!scope.pendingMocks().some((m) => m.includes(`/collaborators/${sender}/permission`))) permission(scope, sender, options.access ?? "read");
  await receive(app.probot, "issue_comment", editedPayload(sender, before, after));
}

function permission(scope: nock.Scope, login: string, level: string) {
  scope.get(`${REPO_PATH}/collaborators/${login}/permission`).reply(200, { permission: level, role_name: level, user: { login } });
}

describe("checklists and governance", () => {
  let app: TestApp;
  let comment = "";
  let check: Json = {};

  beforeEach(async () => {
    app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, CONFIG);
    mockFiles(scope, FILES);
    mockOpenPulls(scope, {});
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, { reviewers: ["alice"], team_reviewers: [] }).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 41 });
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((comment = b.body), true)).reply(201, { id: 555 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: high", color: "d93f0b" }]);
    await receive(app.probot, "pull_request", prPayload({ files: FILES }));
    expect(errors(app)).toEqual([]);
  });

  it("shows applicable checklists as task lists that say who must tick, and names what is missing", () => {
    expect(comment).toContain("#### Checklists");
    expect(comment).toContain("**Security** <sub>(src/auth/login.ts changed)</sub>");
    expect(comment).toMatch(/- \[ \] Threat model updated <sub>\(\*\*required\*\*, ticked by a lead\)<\/sub> <!-- rt:item:[0-9a-f]{8} -->/);
    expect(comment).toMatch(/- \[ \] Input is validated at the boundary <sub>\(ticked by author\)<\/sub>/);
    expect(check).toMatchObject({ status: "in_progress", output: { title: "Needs: 1 lead approval (alice), 2 required checklist items" } });
  });

  it("reverts a tick by someone who may not tick the item, and explains it", async () => {
    const scope = nock(API);
    mockReads(scope);
    let updated = "";
    scope.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((updated = b.body), true)).reply(200, { id: 555 });
    // mallory ticks the lead's item; the check does not change, so it is not rewritten.
    await edit(app, scope, "mallory", comment, toggle(comment, "Threat model updated", true));
    expect(errors(app)).toEqual([]);
    expect(updated).toMatch(/- \[ \] Threat model updated/);
    expect(updated).toContain('@\u200bmallory\'s tick of "Threat model updated" was reverted: only the lead group (alice) may tick it.');
  });

  it("records a lead's tick with who and when, in the check run where only the app writes", async () => {
    const scope = nock(API);
    mockReads(scope);
    let updated = "";
    let checkUpdate: Json = {};
    scope.patch(`${REPO_PATH}/check-runs/41`, (b) => ((checkUpdate = b), true)).reply(200, { id: 41 });
    scope.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((updated = b.body), true)).reply(200, { id: 555 });
    await edit(app, scope, "alice", comment, toggle(comment, "Threat model updated", true));
    expect(errors(app)).toEqual([]);
    expect(updated).toMatch(/- \[x\] Threat model updated .* — ✔ @\u200balice, \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(checkUpdate.output.title).toBe("Needs: 1 lead approval (alice), 1 required checklist item");
    expect(checkUpdate.output.text).toContain("| Security | Threat model updated | @\u200balice |");
    expect(checkUpdate.output.text).toMatch(/<!-- review-triage:record [A-Za-z0-9+/=]+ -->/);
  });

  it("refuses the author ticking a reviewer item, accepts a reviewer with write access", async () => {
    const first = nock(API);
    mockReads(first);
    first.patch(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555 });
    permission(first, "erin", "write");
    await edit(app, first, "erin", comment, toggle(comment, "No secrets in logs", true));
    expect(errors(app)).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);

    const second = nock(API);
    mockReads(second);
    permission(second, "bob", "write");
    let updated = "";
    second.patch(`${REPO_PATH}/check-runs/41`).reply(200, { id: 41 });
    second.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((updated = b.body), true)).reply(200, { id: 555 });
    await edit(app, second, "bob", comment, toggle(comment, "No secrets in logs", true));
    expect(errors(app)).toEqual([]);
    expect(updated).toMatch(/- \[x\] No secrets in logs .* — ✔ @\u200bbob/);
    expect(updated).toContain("@\u200berin's tick of \"No secrets in logs\" was reverted: only a reviewer with write access, other than the author, may tick it.");
  });

  it("cannot be forged by editing the comment's text", async () => {
    const scope = nock(API);
    mockReads(scope);
    let updated = "";
    scope.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((updated = b.body), true)).reply(200, { id: 555 });
    const forged = comment.replace("Threat model updated <sub>", "Threat model updated — ✔ @alice <sub>").replace("- [ ] Threat model", "- [ ] Threat model");
    await edit(app, scope, "mallory", comment, forged);
    expect(errors(app)).toEqual([]);
    expect(updated).toBe(comment);
  });

  it("passes only with the lead's approval and every required item, and fails again when the approval is dismissed", async () => {
    const ticks = nock(API);
    mockReads(ticks);
    permission(ticks, "bob", "write");
    let body = toggle(toggle(comment, "Threat model updated", true), "No secrets in logs", true);
    ticks.patch(`${REPO_PATH}/check-runs/41`).reply(200, { id: 41 });
    ticks.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((body = b.body), true)).reply(200, { id: 555 });
    // bob ticks both; only his reviewer item is accepted.
    await edit(app, ticks, "bob", comment, body);
    expect(nock.pendingMocks()).toEqual([]);

    // From now on bob's recorded tick is re-checked on every evaluation (does he still have write access?).
    const lead = nock(API);
    mockReads(lead);
    permission(lead, "bob", "write");
    lead.patch(`${REPO_PATH}/check-runs/41`).reply(200, { id: 41 });
    lead.patch(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555 });
    await edit(app, lead, "alice", body, toggle(body, "Threat model updated", true));
    expect(nock.pendingMocks()).toEqual([]);

    const approved = nock(API);
    mockReads(approved, [{ login: "alice", state: "APPROVED" }]);
    permission(approved, "alice", "admin");
    permission(approved, "bob", "write");
    let done: Json = {};
    approved.patch(`${REPO_PATH}/check-runs/41`, (b) => ((done = b), true)).reply(200, { id: 41 });
    await receive(app.probot, "pull_request_review", reviewPayload("submitted", "alice", "approved"));
    expect(errors(app)).toEqual([]);
    expect(done).toMatchObject({ status: "completed", conclusion: "success", output: { title: "Ready: high risk, approvals and checklists complete" } });

    const dismissed = nock(API);
    mockReads(dismissed, [{ login: "alice", state: "DISMISSED" }]);
    permission(dismissed, "bob", "write");
    let again: Json = {};
    // GitHub cannot take a concluded run back to "in progress": a new run is created.
    dismissed.post(`${REPO_PATH}/check-runs`, (b) => ((again = b), true)).reply(201, { id: 42 });
    await receive(app.probot, "pull_request_review", reviewPayload("dismissed", "alice", "dismissed"));
    expect(errors(app)).toEqual([]);
    expect(again).toMatchObject({ status: "in_progress", output: { title: "Needs: 1 lead approval (alice)" } });
  });

  it("accepts /triage override only from the lead group, and records it", async () => {
    const denied = nock(API);
    permission(denied, "bob", "write");
    let reply = "";
    denied.post(`${REPO_PATH}/issues/2/comments`, (b) => ((reply = b.body), true)).reply(201, { id: 900 });
    await receive(app.probot, "issue_comment", commandPayload("bob", "/triage override low it is only a rename"));
    expect(errors(app)).toEqual([]);
    expect(reply).toBe("@bob, only the lead group (alice) can override the risk level. Nothing was changed.");

    const allowed = nock(API);
    permission(allowed, "alice", "admin");
    mockReads(allowed);
    let checkUpdate: Json = {};
    let updated = "";
    allowed.patch(`${REPO_PATH}/check-runs/41`, (b) => ((checkUpdate = b), true)).reply(200, { id: 41 });
    allowed.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((updated = b.body), true)).reply(200, { id: 555 });
    allowed.delete(`${REPO_PATH}/issues/2/labels/${encodeURIComponent("risk: high")}`).reply(200, []);
    allowed.post(`${REPO_PATH}/issues/2/labels`, { labels: ["risk: low"] }).reply(200, [{ name: "risk: low", color: "0e8a16" }]);
    allowed.post(`${REPO_PATH}/issues/2/comments`, (b) => ((reply = b.body), true)).reply(201, { id: 901 });
    await receive(app.probot, "issue_comment", commandPayload("alice", "/triage override low generated code only"));
    expect(errors(app)).toEqual([]);
    expect(updated).toContain("Risk level overridden from high to low by @\u200balice: generated code only");
    expect(checkUpdate.output.summary).toContain("Level overridden to **low** by @\u200balice: generated code only");
    expect(reply).toContain("Risk level overridden to **low** by @alice");
  });

  it("ignores commands from people without write access, and answers unknown ones with help", async () => {
    const scope = nock(API);
    scope.get(`${REPO_PATH}/collaborators/stranger/permission`).reply(200, { permission: "read", role_name: "read" });
    await receive(app.probot, "issue_comment", commandPayload("stranger", "/triage override low trust me"));
    expect(nock.pendingMocks()).toEqual([]);

    const help = nock(API);
    permission(help, "bob", "write");
    let reply = "";
    help.post(`${REPO_PATH}/issues/2/comments`, (b) => ((reply = b.body), true)).reply(201, { id: 902 });
    await receive(app.probot, "issue_comment", commandPayload("bob", "/triage frobnicate"));
    expect(errors(app)).toEqual([]);
    expect(reply).toContain("`/triage explain`");
  });

  it("replies to /triage explain with the full explanation", async () => {
    const scope = nock(API);
    permission(scope, "bob", "write");
    mockReads(scope);
    let reply = "";
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((reply = b.body), true)).reply(201, { id: 903 });
    await receive(app.probot, "issue_comment", commandPayload("bob", "/triage explain"));
    expect(errors(app)).toEqual([]);
    expect(reply).toContain("### Review Triage explained: 🟠 High risk");
    expect(reply).toContain("| `src/auth/login.ts` | critical | `src/auth/**` | identity |");
    expect(reply).toContain("- @alice:");
  });

  it("does nothing for commands on a closed pull request", async () => {
    const payload = commandPayload("alice", "/triage rerun");
    payload.issue.state = "closed";
    await receive(app.probot, "issue_comment", payload);
    expect(errors(app)).toEqual([]);
  });
});
