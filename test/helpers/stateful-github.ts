import { API, CONFIG_URL, RAW, mockToken } from "../helpers/github.js";
import { FILES } from "../helpers/escalation-scenario.js";
import { nock, prPayload, REPO_PATH } from "../helpers/scenario.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A GitHub that keeps PR 2's state between calls (persisted nock routes): its requested
 * reviewers, open/closed/merged/draft state and comments; every write is recorded.
 */
export function statefulGitHub(config: string) {
  const gh = {
    requested: new Set<string>(),
    state: "open" as "open" | "closed",
    draft: false,
    merged: false,
    comments: [] as Json[],
    posts: [] as string[],
    requests: [] as string[][],
    deletes: [] as Array<{ reviewers: string[]; status: number }>,
    failDeletes: 0,
    /** Reviews on the PR (GET /reviews). */
    reviews: [] as Json[],
    /** Comment edits to fail with a 500 (the sticky comment's update). */
    failPatches: 0,
    nextId: 600,
    pull(): Json {
      const p = prPayload({ files: FILES, requested: [...gh.requested], labels: ["risk: medium"] }).pull_request as Json;
      p.state = gh.state;
      p.draft = gh.draft;
      if (gh.merged) Object.assign(p, { state: "closed", merged: true, merged_at: "2026-01-01T00:00:00Z", closed_at: "2026-01-01T00:00:00Z" });
      return p;
    },
  };
  const s = nock(API).persist();
  mockToken(nock(API).persist());
  s.get((uri) => CONFIG_URL.test(uri)).reply(200, config, RAW);
  s.get(`${REPO_PATH}/pulls`).query(true).reply(200, () => [gh.pull()]);
  s.get(`${REPO_PATH}/pulls/2`).reply(200, () => gh.pull());
  s.get(`${REPO_PATH}/pulls/2/files`).query(true).reply(200, FILES.map((f) => ({ sha: "abc", filename: f.filename, status: "added", additions: f.additions, deletions: 0, changes: f.additions, patch: f.patch })));
  s.get(`${REPO_PATH}/pulls/2/reviews`).query(true).reply(200, () => gh.reviews);
  s.get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, () => gh.comments);
  s.post(`${REPO_PATH}/issues/2/comments`).reply(201, (_u, b: Json) => {
    const c = { id: gh.nextId++, body: b.body, user: { login: "review-triage[bot]", type: "Bot" }, performed_via_github_app: { id: 123 } };
    gh.comments.push(c);
    gh.posts.push(b.body);
    return c;
  });
  s.patch(/\/repos\/Codertocat\/Hello-World\/issues\/comments\/\d+/).reply((u, body) => {
    if (gh.failPatches > 0) {
      gh.failPatches--;
      return [500, { message: "Server Error" }] as [number, Json];
    }
    const c = gh.comments.find((x) => u.endsWith(`/${x.id}`));
    if (c) c.body = (body as Json).body;
    return [200, c ?? { id: 1 }] as [number, Json];
  });
  s.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, (_u, b: Json) => {
    gh.requests.push(b.reviewers ?? []);
    for (const r of b.reviewers ?? []) gh.requested.add(String(r).toLowerCase());
    return gh.pull();
  });
  s.get(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(200, () => ({ users: [...gh.requested].map((login, i) => ({ login, id: 700 + i, type: "User" })), teams: [] }));
  s.delete(`${REPO_PATH}/pulls/2/requested_reviewers`).reply((_u, body) => {
    const b = body as Json;
    if (gh.failDeletes > 0) {
      gh.failDeletes--;
      gh.deletes.push({ reviewers: b.reviewers ?? [], status: 500 });
      return [500, { message: "Server Error" }] as [number, Json];
    }
    gh.deletes.push({ reviewers: b.reviewers ?? [], status: 200 });
    for (const r of b.reviewers ?? []) gh.requested.delete(String(r).toLowerCase());
    return [200, gh.pull()] as [number, Json];
  });
  s.post(/\/issues\/comments\/\d+\/reactions/).reply(201, { id: 1 });
  s.post(`${REPO_PATH}/check-runs`).reply(201, { id: 41 });
  s.patch(/\/check-runs\/\d+/).reply(200, { id: 41 });
  s.get(/\/commits\/.*\/check-runs/).query(true).reply(200, { total_count: 0, check_runs: [] });
  s.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
  s.get(/\/labels\//).reply(200, { name: "risk: medium", color: "fbca04" });
  s.get(/\/collaborators\/.*\/permission/).reply(200, { permission: "write", role_name: "write" });
  return gh;
}
