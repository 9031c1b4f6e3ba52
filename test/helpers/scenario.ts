import nock from "nock";
import type { Probot } from "probot";
import { API, CONFIG_URL, RAW, mockToken } from "./github.js";
import { deliveryId, fixture } from "./app.js";

export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;

/**
 * A team of a lead and three seniors, with the SPEC's starting weights, bands and matrix
 * pinned, so routing scenarios do not move with calibration: the link and bands put the
 * band edges at likelihood 0.30, 0.50 and 0.70 (p = 0.1192, 0.5, 0.8808). GitHub's busy
 * status is not read (one GraphQL call per triage): tests about it switch it back on.
 */
export const TEAM_CONFIG = `
reviewers:
  lead: [alice]
  seniors: [bob, carol, dave]
routing:
  strategy: least-loaded
  max_load: 3
  respect_busy: false
risk:
  impact:
    - { paths: ["src/auth/**"], impact: critical, reason: "identity" }
    - { paths: ["migrations/**"], impact: high }
    - { paths: ["docs/**"], impact: low }
  weights: { size: 0.55, files: 0.25, directories: 0.1, fix: 0.1, change_type: 0, test_gap: 0, static_analysis: 0 }
  link: { intercept: -5, slope: 10 }
  bands: { medium: 0.1192, high: 0.5, very_high: 0.8808 }
  matrix:
    low: { high: medium, critical: high }
    medium: { high: high }
`;

export interface FileSpec {
  filename: string;
  additions: number;
  deletions?: number;
  status?: string;
  patch?: string;
}

/** A patch of `n` added lines of code. */
export function addedLines(n: number, prefix = "const x"): string {
  return `@@ -0,0 +1,${n} @@\n${Array.from({ length: n }, (_, i) => `+${prefix}${i} = ${i};`).join("\n")}`;
}

export function file(filename: string, additions: number, extra: Partial<FileSpec> = {}): FileSpec {
  return { filename, additions, deletions: 0, status: "added", patch: addedLines(additions), ...extra };
}

/** A new file whose whole `text` the patch adds. */
export function addedFile(filename: string, text: string): FileSpec {
  const lines = text.replace(/\n$/, "").split("\n");
  return file(filename, lines.length, { patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}` });
}

export interface PrOptions {
  action?: string;
  number?: number;
  author?: string;
  authorType?: string;
  title?: string;
  draft?: boolean;
  labels?: string[];
  requested?: string[];
  files?: FileSpec[];
  headSha?: string;
  changes?: Record<string, unknown>;
  label?: string;
}

/** A real pull_request payload, adjusted for the scenario. */
let pushes = 0;

export function prPayload(options: PrOptions = {}): Record<string, unknown> {
  const action = options.action ?? "opened";
  const base = fixture<Record<string, unknown>>("pull_request", action === "opened" || action === "synchronize" || action === "ready_for_review" || action === "labeled" ? action : "opened");
  const payload = structuredClone(base) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const pr = payload.pull_request;
  const files = options.files ?? [];
  payload.action = action;
  payload.number = options.number ?? 2;
  pr.number = options.number ?? 2;
  pr.title = options.title ?? "Add session handling";
  pr.draft = options.draft ?? false;
  pr.state = "open";
  pr.user.login = options.author ?? "erin";
  pr.user.type = options.authorType ?? "User";
  pr.labels = (options.labels ?? []).map((name, i) => ({ id: i + 1, name, color: "ededed" }));
  pr.requested_reviewers = (options.requested ?? []).map((login, i) => ({ login, id: 1000 + i, type: "User" }));
  pr.requested_teams = [];
  pr.head.sha = options.headSha ?? "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
  // A push updates the PR: each synchronize payload made is a second newer than the last (the
  // app reads a PR from GitHub when an event no newer than the last names another head).
  if (action === "synchronize") pr.updated_at = new Date(Date.parse(pr.updated_at) + ++pushes * 1000).toISOString().replace(".000Z", "Z");
  pr.additions = files.reduce((n, f) => n + f.additions, 0);
  pr.deletions = files.reduce((n, f) => n + (f.deletions ?? 0), 0);
  pr.changed_files = files.length;
  if (options.changes) payload.changes = options.changes;
  if (options.label) payload.label = { id: 99, name: options.label, color: "ededed" };
  return payload;
}

export async function receive(probot: Probot, name: string, payload: Record<string, unknown>, id = deliveryId()): Promise<void> {
  await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
}

/** Read mocks shared by most scenarios. */
export function mockConfig(scope: nock.Scope, yaml: string | null = TEAM_CONFIG): nock.Scope {
  if (yaml === null) {
    scope.get((uri) => CONFIG_URL.test(uri) && uri.startsWith(`${REPO_PATH}/`)).reply(404, { message: "Not Found" });
    return scope.get((uri) => CONFIG_URL.test(uri) && uri.startsWith(`/repos/${OWNER}/.github/`)).reply(404, { message: "Not Found" });
  }
  return scope.get((uri) => CONFIG_URL.test(uri) && uri.startsWith(`${REPO_PATH}/`)).reply(200, yaml, RAW);
}

export function mockFiles(scope: nock.Scope, files: FileSpec[], number = 2): nock.Scope {
  return scope.get(`${REPO_PATH}/pulls/${number}/files`).query({ per_page: 100 }).reply(
    200,
    files.map((f) => ({ sha: "abc", filename: f.filename, status: f.status ?? "added", additions: f.additions, deletions: f.deletions ?? 0, changes: f.additions + (f.deletions ?? 0), ...(f.patch !== undefined ? { patch: f.patch } : {}) })),
  );
}

/** Open PRs with their requested reviewers: the load of each person. */
export function mockOpenPulls(scope: nock.Scope, load: Record<string, number>, number = 2): nock.Scope {
  const pulls: Array<{ number: number; requested_reviewers: Array<{ login: string }> }> = [];
  let n = 100;
  for (const [login, count] of Object.entries(load)) {
    for (let i = 0; i < count; i++) pulls.push({ number: n++, requested_reviewers: [{ login }] });
  }
  pulls.push({ number, requested_reviewers: [] });
  return scope.get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, pulls);
}

export function mockReviews(scope: nock.Scope, reviews: Array<{ login: string; state: string; at?: string }>, number = 2): nock.Scope {
  return scope
    .get(`${REPO_PATH}/pulls/${number}/reviews`)
    .query({ per_page: 100 })
    .reply(
      200,
      reviews.map((r, i) => ({ id: i + 1, user: { login: r.login, type: "User" }, state: r.state, submitted_at: r.at ?? `2026-01-0${i + 1}T00:00:00Z`, commit_id: "ec26c3e" })),
    );
}

export { API, mockToken, nock };

/** A blob as GitHub's GraphQL API describes it. */
export interface BlobAnswer {
  text: string | null;
  byteSize: number;
  isBinary: boolean | null;
  isTruncated: boolean;
}

export const blobOf = (text: string): BlobAnswer => ({ text, byteSize: Buffer.byteLength(text), isBinary: false, isTruncated: false });

/**
 * The analyzer's GraphQL query for file contents, answered from `blobs` by path (a string is a
 * text file); paths not listed answer null, as GitHub does for a path with nothing at it.
 */
export function mockBlobs(scope: nock.Scope, blobs: Record<string, string | BlobAnswer>, options: { delayMs?: number } = {}): nock.Scope {
  const interceptor = scope.post("/graphql", (body: { query?: string }) => typeof body.query === "string" && body.query.includes("object(expression:"));
  return (options.delayMs ? interceptor.delay(options.delayMs) : interceptor).reply(200, (_uri, body) => {
    const { variables } = body as { variables: Record<string, string> };
    const repository: Record<string, BlobAnswer | null> = {};
    for (const [key, expression] of Object.entries(variables)) {
      if (!/^e\d+$/.test(key)) continue;
      const value = blobs[expression.slice(expression.indexOf(":") + 1)];
      repository[`f${key.slice(1)}`] = value === undefined ? null : typeof value === "string" ? blobOf(value) : value;
    }
    return { data: { repository } };
  });
}
