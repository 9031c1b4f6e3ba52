import { CONFIG_URL, RAW } from "./github.js";
import { file, mockFiles, mockToken, nock, prPayload, REPO_PATH } from "./scenario.js";
import type { TestServer } from "./server.js";

/** The stale-review escalation scenarios' PR, config and mocks (test/server, test/attack). */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const FILES = [file("src/session.ts", 40), file("src/store.ts", 40), file("src/util.ts", 40)];
export const CONFIG = `
reviewers:
  seniors: [bob, carol, dave]
routing:
  low: [{ from: seniors, count: 1 }]
  medium: [{ from: seniors, count: 1 }]
  high: [{ from: seniors, count: 1 }]
  critical: [{ from: seniors, count: 1 }]
  respect_busy: false
escalation:
  enabled: true
  nudge_after: 24h
  reassign_after: 48h
  working_days: [mon, tue, wed, thu, fri, sat, sun]
`;
export const WEEK_AHEAD = 7 * 24 * 3600 * 1000;

export async function rows(t: TestServer, query: string): Promise<Json[]> {
  return (await t.database.executeSql(query)).rows as Json[];
}

/** The queue waits by the database's clock: make the scheduled escalations due now, as the moved clock says they are. */
export async function dueNow(t: TestServer): Promise<void> {
  await t.database.executeSql("UPDATE pgboss.job SET start_after = now() WHERE name = 'escalation' AND state < 'active'");
  t.server.queue.notify();
}

/** The reads and writes of a first `opened`: the load comes from one listing of open PRs (the backfill). */
export function mockOpened(scope: nock.Scope, open: Json[] = [], token = true): { requested: string[] } {
  if (token) mockToken(scope);
  scope.get((uri) => CONFIG_URL.test(uri)).reply(200, CONFIG, RAW);
  mockFiles(scope, FILES);
  scope.get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, open);
  const out = { requested: [] as string[] };
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((out.requested = b.reviewers), true)).reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 41 });
  scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 555 });
  scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
  return out;
}

/** What an escalation job reads: the PR as it is now, then everything a triage reads. */
export function mockEscalationReads(scope: nock.Scope, requested: string[]): void {
  scope.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files: FILES, requested, labels: ["risk: medium"] }).pull_request as Json);
  mockFiles(scope, FILES);
  scope.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
}

/**
 * A nudge coming due: its job's reads, the reply it posts (recorded), the sticky comment and
 * check it may update, and the PR read by the reassignment's job that finds itself early.
 */
export function mockNudge(scope: nock.Scope, requested: string[], config = CONFIG): { reply: string } {
  scope.get((uri) => CONFIG_URL.test(uri)).optionally().reply(200, config, RAW);
  mockEscalationReads(scope, requested);
  scope.get(`${REPO_PATH}/pulls/2`).optionally().reply(200, prPayload({ files: FILES, requested, labels: ["risk: medium"] }).pull_request as Json);
  scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).optionally().reply(200, []);
  const seen = { reply: "" };
  scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((seen.reply = b.body), true)).reply(201, { id: 600 });
  scope.patch(`${REPO_PATH}/issues/comments/555`).optionally().reply(200, { id: 555 });
  scope.patch(`${REPO_PATH}/check-runs/41`).optionally().reply(200, { id: 41 });
  return seen;
}

