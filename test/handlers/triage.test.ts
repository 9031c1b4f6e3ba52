import { describe, expect, it } from "vitest";
import { createAnalyzer } from "../../src/handlers/analyze-pull-request.js";
import { buildApp, deliveryId, type TestApp } from "../helpers/app.js";
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
} from "../helpers/scenario.js";

function errors(app: TestApp) {
  return app.logs.filter((l) => (l.level as number) >= 50);
}

const MEDIUM_FILES = [file("src/session.ts", 40), file("src/store.ts", 40), file("src/util.ts", 40)];

/**
 * The first `opened` event of a medium PR, every write accepted and checked off by the strict
 * mocks; returns who the app requested.
 */
async function openMediumPr(app: TestApp, labels: string[] = []): Promise<string[]> {
  const scope = nock(API);
  mockToken(scope);
  mockConfig(scope);
  mockFiles(scope, MEDIUM_FILES);
  mockOpenPulls(scope, {});
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
  scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 2 });
  scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
  await receive(app.probot, "pull_request", prPayload({ files: MEDIUM_FILES, labels }));
  expect(nock.pendingMocks()).toEqual([]);
  return (app.logs.find((l) => l.msg === "PR triaged") as { picks: string[] }).picks;
}

describe("triage on pull_request events", () => {
  it("routes a medium PR to the least-loaded senior, labels it, comments once and opens the check (8 calls)", async () => {
    const app = await buildApp();
    const calls: string[] = [];
    const scope = nock(API);
    scope.on("request", (req: { method: string; path: string }) => calls.push(`${req.method} ${req.path.split("?")[0]}`));
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, { bob: 2, dave: 1 });
    let reviewBody: unknown;
    let checkBody: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
    let commentBody = "";
    let labelBody: unknown;
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((reviewBody = b), true)).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((checkBody = b), true)).reply(201, { id: 77 });
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((commentBody = b.body), true)).reply(201, { id: 555 });
    scope.post(`${REPO_PATH}/issues/2/labels`, (b) => ((labelBody = b), true)).reply(200, [{ name: "risk: medium", color: "fbca04" }]);

    await receive(app.probot, "pull_request", prPayload({ files: MEDIUM_FILES }));

    expect(errors(app)).toEqual([]);
    expect(reviewBody).toEqual({ reviewers: ["carol"], team_reviewers: [] });
    expect(labelBody).toEqual({ labels: ["risk: medium"] });
    expect(checkBody).toMatchObject({
      name: "Review Triage",
      head_sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      status: "in_progress",
      output: { title: "Needs: 1 more approval" },
    });
    expect(checkBody.output.summary).toContain("**medium** risk");
    expect(commentBody).toContain("<!-- review-triage:sticky -->");
    expect(commentBody).toContain("🟡 Medium risk");
    expect(commentBody).toContain("@carol — requested: seniors: least loaded (0 open review requests)");
    expect(commentBody).toContain("| size |");
    expect(calls).toHaveLength(8);
    // Reviewers are the most urgent write: requested before the check, comment and label.
    const writes = calls.filter((c) => !c.startsWith("GET") && !c.includes("access_tokens"));
    expect(writes[0]).toBe(`POST ${REPO_PATH}/pulls/2/requested_reviewers`);
  });

  it("sends a critical PR to the lead and a senior, and explains a lead-author fallback", async () => {
    const app = await buildApp();
    const scope = nock(API);
    const files = [file("src/auth/login.ts", 400), file("src/auth/token.ts", 300)];
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, files);
    mockOpenPulls(scope, { bob: 1, carol: 1, dave: 0 });
    let reviewBody: unknown;
    let commentBody = "";
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((reviewBody = b), true)).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((commentBody = b.body), true)).reply(201, { id: 2 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: critical", color: "b60205" }]);

    // alice, the only lead, wrote it: her place goes to the next group.
    await receive(app.probot, "pull_request", prPayload({ files, author: "alice" }));

    expect(errors(app)).toEqual([]);
    expect(reviewBody).toEqual({ reviewers: ["dave", "bob"], team_reviewers: [] });
    expect(commentBody).toContain("🔴 Critical risk");
    expect(commentBody).toContain("The author is the only member of lead; picked from seniors instead.");
    expect(commentBody).toContain("alice (lead): is the author");
    expect(commentBody).toContain("| `src/auth/login.ts` | critical | `src/auth/**` | identity |");
  });

  it("keeps a draft's check waiting (never passing), then triages it when it is marked ready, without duplicate requests", async () => {
    const app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, {});
    let draftCheck: Record<string, unknown> = {};
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((draftCheck = b), true)).reply(201, { id: 10 });
    await receive(app.probot, "pull_request", prPayload({ draft: true, files: MEDIUM_FILES }));
    expect(draftCheck).toMatchObject({ status: "in_progress", output: { title: "Draft: not reviewed yet" } });
    expect(draftCheck).not.toHaveProperty("conclusion");
    expect(nock.pendingMocks()).toEqual([]);

    // ready_for_review: the app reads what may exist (comments, reviews) and triages once;
    // the draft's run, still in progress, is updated rather than replaced.
    const ready = nock(API);
    mockFiles(ready, MEDIUM_FILES);
    mockReviews(ready, []);
    let reviewBody: unknown;
    ready.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((reviewBody = b), true)).reply(201, {});
    ready.patch(`${REPO_PATH}/check-runs/10`, (b) => b.status === "in_progress").reply(200, { id: 10 });
    ready.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).reply(200, []);
    ready.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 20 });
    ready.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    await receive(app.probot, "pull_request", prPayload({ action: "ready_for_review", files: MEDIUM_FILES }));
    expect(errors(app)).toEqual([]);
    expect(reviewBody).toEqual({ reviewers: expect.any(Array), team_reviewers: [] });
    expect((reviewBody as { reviewers: string[] }).reviewers).toHaveLength(1);
  });

  it("requests nobody for a bot's PR, but its check still requires the approvals of its level", async () => {
    const app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, {});
    let check: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 1 });
    scope.post(`${REPO_PATH}/issues/2/labels`, { labels: ["risk: medium"] }).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    await receive(app.probot, "pull_request", prPayload({ author: "renovate[bot]", authorType: "Bot", files: MEDIUM_FILES }));
    expect(errors(app)).toEqual([]);
    expect(check).toMatchObject({ status: "in_progress", output: { title: "Needs: 1 more approval" } });
    expect(check.output.summary).toContain("Not triaged: it was opened by a bot (renovate[bot])");
  });

  it("concludes a skipped PR's check as skipped only when governance.enforce_on_skipped is false", async () => {
    const app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, `${TEAM_CONFIG}governance:\n  enforce_on_skipped: false\n`);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, {});
    let check: Record<string, unknown> = {};
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 1 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    await receive(app.probot, "pull_request", prPayload({ title: "WIP: session handling", files: MEDIUM_FILES }));
    expect(errors(app)).toEqual([]);
    expect(check).toMatchObject({ status: "completed", conclusion: "skipped", output: { title: 'Skipped: its title contains "WIP"' } });
  });

  it("writes nothing on an event that changes nothing (mocks only the reads)", async () => {
    const app = await buildApp();
    const picked = await openMediumPr(app);

    // Someone adds an unrelated label: triage runs again and finds nothing to change.
    const reads = nock(API);
    mockFiles(reads, MEDIUM_FILES);
    mockReviews(reads, []);
    await receive(
      app.probot,
      "pull_request",
      prPayload({ action: "labeled", label: "enhancement", labels: ["enhancement", "risk: medium"], requested: picked, files: MEDIUM_FILES }),
    );
    expect(errors(app)).toEqual([]);
    expect(app.logs.at(-1)).toMatchObject({ msg: "PR triaged; no change", writes: 0 });
  });

  it("ignores edits that do not touch the title or base, and the app's own risk labels", async () => {
    const app = await buildApp();
    await receive(app.probot, "pull_request", prPayload({ action: "edited", changes: { body: { from: "old" } }, files: MEDIUM_FILES }));
    await receive(app.probot, "pull_request", prPayload({ action: "labeled", label: "risk: high", files: MEDIUM_FILES }));
    expect(errors(app)).toEqual([]);
  });

  it("replaces a reviewer GitHub refuses (422) with the next candidate and says so", async () => {
    const app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, { bob: 1, dave: 2 });
    scope
      .post(`${REPO_PATH}/pulls/2/requested_reviewers`, { reviewers: ["carol"], team_reviewers: [] })
      .reply(422, { message: "Reviews may only be requested from collaborators." });
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, { reviewers: ["bob"], team_reviewers: [] }).reply(201, {});
    let commentBody = "";
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((commentBody = b.body), true)).reply(201, { id: 2 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    await receive(app.probot, "pull_request", prPayload({ files: MEDIUM_FILES }));
    expect(errors(app)).toEqual([]);
    expect(commentBody).toContain("@bob — requested");
    // Named, not mentioned: notes never notify anyone (a zero-width space follows the @).
    expect(commentBody).toContain("@\u200bcarol could not be requested: GitHub refused the review request (Reviews may only be requested from collaborators.)");
  });

  it("escalates when new commits raise the risk, keeping the existing reviewer", async () => {
    const app = await buildApp();
    const first = nock(API);
    mockToken(first);
    mockConfig(first);
    mockFiles(first, MEDIUM_FILES);
    mockOpenPulls(first, { bob: 1, dave: 1 });
    first.post(`${REPO_PATH}/pulls/2/requested_reviewers`, { reviewers: ["carol"], team_reviewers: [] }).reply(201, {});
    first.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
    first.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 2 });
    first.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    await receive(app.probot, "pull_request", prPayload({ files: MEDIUM_FILES }));

    const files = [...MEDIUM_FILES, file("src/auth/session.ts", 600)];
    const second = nock(API);
    mockFiles(second, files);
    mockReviews(second, []);
    let reviewBody: unknown;
    let commentBody = "";
    let checkBody: Record<string, unknown> = {};
    second.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((reviewBody = b), true)).reply(201, {});
    second.post(`${REPO_PATH}/check-runs`, (b) => ((checkBody = b), true)).reply(201, { id: 3 });
    second.patch(`${REPO_PATH}/issues/comments/2`, (b) => ((commentBody = b.body), true)).reply(200, { id: 2 });
    second.delete(`${REPO_PATH}/issues/2/labels/${encodeURIComponent("risk: medium")}`).reply(200, []);
    second.post(`${REPO_PATH}/issues/2/labels`, { labels: ["risk: critical"] }).reply(200, [{ name: "risk: critical", color: "b60205" }]);
    await receive(
      app.probot,
      "pull_request",
      prPayload({ action: "synchronize", headSha: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", labels: ["risk: medium"], requested: ["carol"], files }),
    );
    expect(errors(app)).toEqual([]);
    // carol still covers the senior place; only the lead is added.
    expect(reviewBody).toEqual({ reviewers: ["alice"], team_reviewers: [] });
    expect(commentBody).toContain("Risk rose from medium to critical; requested @\u200balice for the higher level.");
    expect(checkBody).toMatchObject({ head_sha: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", output: { title: "Needs: 1 lead approval (alice), 1 more approval" } });
  });

  it("turns an invalid config into one failing check with a readable line per problem, and nothing else", async () => {
    const app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, "reviewers:\n  lead: alice\nrouting:\n  strategy: fastest\n  hihg: []\n");
    let check: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 1 });
    await receive(app.probot, "pull_request", prPayload({ files: MEDIUM_FILES }));
    expect(errors(app)).toEqual([]);
    expect(check).toMatchObject({ name: "Review Triage", status: "completed", conclusion: "failure", output: { title: "Invalid .github/review-triage.yml" } });
    expect(check.output.summary).toMatchInlineSnapshot(`
      "Review Triage did not triage this pull request because its configuration is invalid (3 problems):

      - reviewers.lead: expected a list or "codeowners"; found string "alice"
      - routing.strategy: expected one of "least-loaded", "round-robin", "random"; found "fastest"
      - routing.hihg: expected a known key (did you mean "high"?); found unknown key "hihg"

      Files read: \`Codertocat/Hello-World:.github/review-triage.yml\` (from the default branch).
      Fix the file on the default branch, then re-run this check. Reference: https://github.com/review-triage/review-triage#configuration"
    `);
    expect(check.output.summary).not.toContain("ZodError");
  });

  it("dry-runs a config change in the PR against the new file, applying the old one", async () => {
    const app = await buildApp();
    const scope = nock(API);
    const files = [file(".github/review-triage.yml", 5, { status: "modified" })];
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, files);
    mockOpenPulls(scope, {});
    scope
      .get((uri) => uri.startsWith(`${REPO_PATH}/contents/`) && uri.includes("ref=ec26c3e57ca3a959ca5aad62de7213c562f8c821"))
      .reply(200, "reviewers:\n  lead: [zed]\n  seniors: [yan]\n", { "content-type": "text/plain; charset=utf-8" });
    let check: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
    // The config file is a built-in sensitive kind (high impact); five lines keep likelihood low,
    // which the new file's default matrix leaves low.
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, { reviewers: ["bob"], team_reviewers: [] }).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 1 });
    scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 2 });
    scope.post(`${REPO_PATH}/issues/2/labels`, { labels: ["risk: medium"] }).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    await receive(app.probot, "pull_request", prPayload({ files }));
    expect(errors(app)).toEqual([]);
    expect(check.output.summary).toContain("**This PR changes .github/review-triage.yml** (applies only after merge):");
    expect(check.output.summary).toMatch(/Under the new config this PR would be \*\*low\*\* risk \(score \d+\) and routed to @\u200byan \(seniors\)\./);
  });

  it("keeps a 100-file PR within 8 REST calls, installation token included, with the production wiring", async () => {
    // The app as `npm start` runs it, static analysis included; these files are not JS/TS,
    // so nothing is fetched for linting (a JS/TS file costs one contents read more).
    const app = await buildApp({ extras: { analyze: createAnalyzer() } });
    const files = Array.from({ length: 100 }, (_, i) => file(`pkg/module${i % 10}/file${i}.go`, 12));
    const calls: string[] = [];
    const scope = nock(API);
    scope.on("request", (req: { method: string; path: string }) => calls.push(`${req.method} ${req.path.split("?")[0]}`));
    mockToken(scope);
    mockConfig(scope, TEAM_CONFIG);
    mockFiles(scope, files);
    mockOpenPulls(scope, {});
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
    scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 2 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: high", color: "d93f0b" }]);
    await receive(app.probot, "pull_request", prPayload({ files }));
    expect(errors(app)).toEqual([]);
    expect(calls).toEqual([
      "POST /app/installations/1/access_tokens",
      `GET ${REPO_PATH}/contents/.github%2Freview-triage.yml`,
      `GET ${REPO_PATH}/pulls/2/files`,
      `GET ${REPO_PATH}/pulls`,
      `POST ${REPO_PATH}/pulls/2/requested_reviewers`,
      `POST ${REPO_PATH}/check-runs`,
      `POST ${REPO_PATH}/issues/2/comments`,
      `POST ${REPO_PATH}/issues/2/labels`,
    ]);
  });

  it("after a force-push with the same diff, only the new commit's check run is written", async () => {
    const app = await buildApp();
    const picked = await openMediumPr(app);

    const pushed = nock(API);
    mockFiles(pushed, MEDIUM_FILES);
    mockReviews(pushed, []);
    let check: Record<string, unknown> = {};
    pushed.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 3 });
    await receive(
      app.probot,
      "pull_request",
      prPayload({ action: "synchronize", headSha: "cccccccccccccccccccccccccccccccccccccccc", labels: ["risk: medium"], requested: picked, files: MEDIUM_FILES }),
    );
    expect(errors(app)).toEqual([]);
    expect(check).toMatchObject({ head_sha: "cccccccccccccccccccccccccccccccccccccccc", status: "in_progress" });
  });

  it("labels a docs-only PR low risk and routes it to one senior", async () => {
    const app = await buildApp();
    const files = [file("docs/setup.md", 80), file("docs/faq.md", 20)];
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, files);
    mockOpenPulls(scope, { bob: 1, carol: 1 });
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, { reviewers: ["dave"], team_reviewers: [] }).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
    scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 2 });
    scope.post(`${REPO_PATH}/issues/2/labels`, { labels: ["risk: low"] }).reply(200, [{ name: "risk: low", color: "ededed" }]);
    // The label was created on the fly without a colour: the app gives it one.
    scope.patch(`${REPO_PATH}/labels/${encodeURIComponent("risk: low")}`, { color: "0e8a16", description: "Review Triage: low risk" }).reply(200, {});
    await receive(app.probot, "pull_request", prPayload({ files, title: "docs: explain setup" }));
    expect(errors(app)).toEqual([]);
  });

  it("keeps going when one write fails, and logs it with the delivery id", async () => {
    const app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, {});
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(500, { message: "Server Error" });
    let comment = "";
    let check: Record<string, unknown> = {};
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 1 });
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((comment = b.body), true)).reply(201, { id: 2 });
    const id = deliveryId();
    await receive(app.probot, "pull_request", prPayload({ files: MEDIUM_FILES }), id);
    expect(comment).toContain("<!-- review-triage:sticky -->");
    expect(check).toMatchObject({ name: "Review Triage" });
    const write = app.logs.filter((l) => l.msg === "a write failed; the other writes went ahead");
    expect(write).toMatchObject([{ delivery: id, level: 40, error: { status: 500, type: "HttpError" } }]);
    // The delivery fails as a whole so that its job is retried (every write is idempotent);
    // without a queue (as here) that is the error logged.
    const failures = errors(app);
    expect(failures).toMatchObject([{ delivery: id, msg: "handler failed", error: { type: "WritesFailedError" } }]);
    expect(app.deps.failures.get(id)).toBeDefined();
    // A log-safe error: no request headers or bodies, and never the webhook payload.
    expect(JSON.stringify([...write, ...failures])).not.toMatch(/authorization|"headers"|"body"|"installation"/);
  });
});

describe("stale payloads and governed PRs", () => {
  it("does not request anyone else when a queued event's payload predates the app's request", async () => {
    const app = await buildApp();
    await openMediumPr(app, ["enhancement"]);

    // `labeled` was sent together with `opened`: its payload lists no reviewers yet.
    const second = nock(API);
    mockFiles(second, MEDIUM_FILES);
    mockReviews(second, []);
    await receive(app.probot, "pull_request", prPayload({ action: "labeled", label: "enhancement", labels: ["enhancement", "risk: medium"], files: MEDIUM_FILES }));
    expect(errors(app)).toEqual([]);
    expect(app.logs.at(-1)).toMatchObject({ msg: "PR triaged; no change", writes: 0 });
  });

  it("keeps governing a triaged PR when someone adds WIP to its title", async () => {
    const app = await buildApp();
    const picked = await openMediumPr(app);

    const second = nock(API);
    mockFiles(second, MEDIUM_FILES);
    mockReviews(second, []);
    // No write is mocked: turning the check to "skipped" would fail this test.
    await receive(
      app.probot,
      "pull_request",
      prPayload({ action: "edited", changes: { title: { from: "Add session handling" } }, title: "WIP Add session handling", labels: ["risk: medium"], requested: picked, files: MEDIUM_FILES }),
    );
    expect(errors(app)).toEqual([]);
    expect(app.logs.at(-1)).toMatchObject({ msg: "PR triaged; no change" });
  });
});

describe("malformed payloads", () => {
  it("logs a clear line and makes no call for a truncated pull_request payload", async () => {
    const app = await buildApp();
    const payload = prPayload({ files: MEDIUM_FILES });
    delete (payload.pull_request as Record<string, unknown>).head;
    await receive(app.probot, "pull_request", payload);
    expect(errors(app)).toEqual([]);
    expect(app.logs.at(-1)).toMatchObject({ level: 40, msg: "malformed webhook payload; ignored", missing: "pull_request.head.sha" });
  });
});
