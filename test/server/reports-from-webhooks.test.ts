import { afterEach, describe, expect, it } from "vitest";
import { buildPeopleReport, buildRepositoryReport, type PeopleReport } from "../../src/reports/index.js";
import { fixture } from "../helpers/app.js";
import { API, CONFIG_URL, RAW } from "../helpers/github.js";
import { file, mockFiles, mockToken, nock, prPayload, REPO_PATH } from "../helpers/scenario.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/**
 * The reports from what the app recorded of real webhooks through the whole path (intake →
 * queue → jobs): a PR opened (high, routed to the lead), GitHub's event for the app's own
 * review request, the lead's approval, the merge.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FILES = [file("src/session.ts", 40), file("src/store.ts", 40), file("src/util.ts", 40)];
const CONFIG = `
reviewers:
  lead: [dave]
  seniors: [bob, carol]
routing:
  high: [{ from: lead, count: 1 }]
  respect_busy: false
risk:
  impact:
    - { paths: ["src/**"], impact: critical }
`;

let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("reports from webhooks", () => {
  it("counts a high-risk PR routed to the lead, its time to first review, and its clean landing", async () => {
    running = await startTestServer();
    const opened = nock(API);
    mockToken(opened);
    opened.get((uri) => CONFIG_URL.test(uri)).reply(200, CONFIG, RAW);
    mockFiles(opened, FILES);
    opened.get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, []);
    let requested: string[] = [];
    opened.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((requested = b.reviewers), true)).reply(201, {});
    opened.post(`${REPO_PATH}/check-runs`).reply(201, { id: 41 });
    opened.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 555 });
    opened.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: high", color: "d93f0b" }]);
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    expect(requested).toEqual(["dave"]);
    const [request] = (await running.database.executeSql("SELECT requested_at FROM review_requests")).rows as Array<{ requested_at: Date }>;
    const requestedAt = request!.requested_at.getTime();

    // GitHub's event for the app's own request: the same request, not a second one.
    const requestEvent = prPayload({ files: FILES, requested: ["dave"] }) as Json;
    requestEvent.action = "review_requested";
    requestEvent.requested_reviewer = { login: "dave", id: 7, type: "User" };
    requestEvent.sender = { login: "review-triage[bot]", type: "Bot" };
    await running.post("pull_request", requestEvent);
    await running.idle();

    // The lead approves two hours after the request.
    const submittedAt = new Date(requestedAt + 2 * 3_600_000).toISOString();
    const review = structuredClone(fixture<Json>("pull_request_review", "submitted"));
    review.pull_request = { ...review.pull_request, ...(prPayload({ files: FILES }).pull_request as Json) };
    review.review = { ...review.review, id: 9001, user: { login: "dave", type: "User" }, state: "approved", commit_id: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", submitted_at: submittedAt };
    review.sender = { login: "dave", type: "User" };
    const reads = nock(API);
    reads.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files: FILES, requested: [], labels: ["risk: high"] }).pull_request as Json);
    mockFiles(reads, FILES);
    reads.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [{ id: 9001, user: { login: "dave", type: "User" }, state: "APPROVED", submitted_at: submittedAt, commit_id: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" }]);
    reads.get(`${REPO_PATH}/collaborators/dave/permission`).reply(200, { permission: "write", role_name: "write" });
    let conclusion: string | undefined;
    reads.patch(`${REPO_PATH}/check-runs/41`, (b) => ((conclusion = b.conclusion), true)).reply(200, { id: 41 });
    reads.patch(`${REPO_PATH}/issues/comments/555`).optionally().reply(200, { id: 555 });
    await running.post("pull_request_review", review);
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    expect(conclusion).toBe("success");

    const mergedAt = new Date(requestedAt + 3 * 3_600_000).toISOString();
    const closed = prPayload({ files: FILES }) as Json;
    closed.action = "closed";
    Object.assign(closed.pull_request, { state: "closed", merged: true, merged_at: mergedAt, closed_at: mergedAt });
    await running.post("pull_request", closed);
    await running.idle();
    expect(running.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);

    const window = { owner: "Codertocat", repo: "Hello-World", since: new Date("2019-01-01T00:00:00Z"), until: new Date(requestedAt + 86_400_000) };
    const repository = await buildRepositoryReport(running.database.db, window);
    expect(repository.pullRequests).toEqual({ total: 1, byLevel: { low: 0, medium: 0, high: 1, critical: 0 }, untriaged: 0 });
    expect(repository.routedToLead).toEqual({ pullRequests: 1, share: 1, byLevel: { low: 0, medium: 0, high: 1, critical: 0 } });
    expect(repository.timeToFirstReview.high).toEqual({ count: 1, medianSeconds: 7200, p90Seconds: 7200 });
    expect(repository.timeToApproval.high).toEqual({ count: 1, medianSeconds: 7200, p90Seconds: 7200 });

    const people = (await buildPeopleReport(running.database.db, window)) as PeopleReport;
    expect(people.authors).toEqual([
      expect.objectContaining({ login: "erin", highRiskMerged: 1, cleanHighRiskLandings: 1, followedByFix: 0, mergedWithoutApprovals: 0, reviewRounds: { total: 0, reviewedPullRequests: 1, perReviewedPullRequest: 0 } }),
    ]);
    expect(people.reviewers).toEqual([
      expect.objectContaining({ login: "dave", reviews: 1, reviewedByLevel: { low: 0, medium: 0, high: 1, critical: 0 }, requests: 1, answered: 1, medianTimeToFirstReviewSeconds: 7200, openRequests: 0 }),
    ]);
  }, 60_000);
});
