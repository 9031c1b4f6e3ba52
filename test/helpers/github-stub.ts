import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small, stateful stand-in for GitHub's REST API (as GitHub Enterprise Server serves it,
 * under /api/v3), for runs of the real app in its own process: benchmarks and the crash test.
 * It keeps what the app writes (review requests, comments, check runs, labels) so a run can
 * check the end state, and counts what must never happen twice.
 */

export const STUB_APP_ID = 4242;
export const STUB_BOT = "review-triage[bot]";

export interface StubPull {
  number: number;
  title: string;
  author: string;
  headSha: string;
  requested: Set<string>;
  labels: Set<string>;
  files: Array<{ filename: string; status: string; additions: number; deletions: number; changes: number; patch?: string }>;
}

export interface StubComment {
  id: number;
  issue: number;
  body: string;
  updates: number;
}

export interface StubCheckRun {
  id: number;
  headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string; text?: string };
}

export interface StubOptions {
  owner: string;
  repo: string;
  config: string;
  /** Delay of every answer, so that work is in flight when a process is killed. */
  latencyMs?: number;
  /** GitHub's secondary limit on content-creating requests (per minute); 0: none. */
  writesPerMinute?: number;
}

/** A storm of failures: while set, answer this fraction of the requests (all but the token) with `status`. */
export interface StubFault {
  status: number;
  /** 0..1; 1 = every request. */
  fraction: number;
  /** "primary": a 403 with x-ratelimit-remaining 0 and a reset `resetInSeconds` away; "secondary": a 403 secondary limit with retry-after. */
  kind?: "error" | "primary" | "secondary";
  resetInSeconds?: number;
  /** only writes */
  writesOnly?: boolean;
}

export interface GitHubStub {
  url: string;
  /** GHE_HOST for the app: GitHub Enterprise Server's API lives under /api/v3. */
  host: string;
  pulls: Map<number, StubPull>;
  comments: StubComment[];
  checkRuns: StubCheckRun[];
  stats: { requests: number; writes: number; secondaryLimited: number; duplicateRequests: number; reviewerRequestTimes: number[] };
  addPull(pull: Omit<StubPull, "requested" | "labels">): StubPull;
  /** Whether PR `n` ended as it should: requested reviewers, one sticky comment, one run on its head, one risk label. */
  complete(n: number): boolean;
  /** Start (or stop, with undefined) a storm of failures. */
  setFault(fault: StubFault | undefined): void;
  faulted: number;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

export async function startGitHubStub(options: StubOptions): Promise<GitHubStub> {
  const { owner, repo } = options;
  const base = `/api/v3/repos/${owner}/${repo}`;
  const pulls = new Map<number, StubPull>();
  const comments: StubComment[] = [];
  const checkRuns: StubCheckRun[] = [];
  const stats = { requests: 0, writes: 0, secondaryLimited: 0, duplicateRequests: 0, reviewerRequestTimes: [] as number[] };
  const writeTimes: number[] = [];
  let nextId = 1000;
  let fault: StubFault | undefined;
  let faulted = 0;
  let faultCounter = 0;

  const pullJson = (p: StubPull) => ({
    number: p.number,
    title: p.title,
    state: "open",
    draft: false,
    user: { login: p.author, type: "User" },
    head: { sha: p.headSha, ref: `feature-${p.number}` },
    base: { ref: "main", repo: { id: 1, default_branch: "main" } },
    labels: [...p.labels].map((name) => ({ name })),
    requested_reviewers: [...p.requested].map((login) => ({ login })),
    requested_teams: [],
    additions: p.files.reduce((n, f) => n + f.additions, 0),
    deletions: p.files.reduce((n, f) => n + f.deletions, 0),
    changed_files: p.files.length,
  });
  const commentJson = (c: StubComment) => ({
    id: c.id,
    body: c.body,
    user: { login: STUB_BOT, type: "Bot" },
    performed_via_github_app: { id: STUB_APP_ID },
  });
  const runJson = (r: StubCheckRun) => ({
    id: r.id,
    head_sha: r.headSha,
    name: r.name,
    status: r.status,
    conclusion: r.conclusion,
    app: { id: STUB_APP_ID, slug: STUB_BOT.replace("[bot]", "") },
    output: { ...r.output, annotations_count: 0 },
  });

  const route = (method: string, path: string, query: URLSearchParams, body: Record<string, any>, res: ServerResponse): void => { // eslint-disable-line @typescript-eslint/no-explicit-any
    let m: RegExpMatchArray | null;
    if (method === "POST" && /^\/api\/v3\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return json(res, 201, { token: "ghs_stub", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    }
    if (method === "GET" && path === "/api/v3/app") return json(res, 200, { id: STUB_APP_ID, slug: "review-triage" });
    if (method === "GET" && path.startsWith(`${base}/contents/`)) {
      if (decodeURIComponent(path.slice(`${base}/contents/`.length)) === ".github/review-triage.yml") {
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(options.config);
        return;
      }
      return json(res, 404, { message: "Not Found" });
    }
    if (method === "GET" && path.includes("/contents/")) return json(res, 404, { message: "Not Found" });
    if (method === "GET" && path === `${base}/pulls`) return json(res, 200, [...pulls.values()].map(pullJson));
    if ((m = path.match(new RegExp(`^${base}/pulls/(\\d+)(/.*)?$`)))) {
      const pull = pulls.get(Number(m[1]));
      if (!pull) return json(res, 404, { message: "Not Found" });
      const rest = m[2] ?? "";
      if (method === "GET" && rest === "") return json(res, 200, pullJson(pull));
      if (method === "GET" && rest === "/files") return json(res, 200, Number(query.get("page") ?? 1) > 1 ? [] : pull.files);
      if (method === "GET" && rest === "/reviews") return json(res, 200, []);
      if (method === "POST" && rest === "/requested_reviewers") {
        stats.reviewerRequestTimes.push(Date.now());
        for (const login of (body.reviewers as string[]) ?? []) {
          if (pull.requested.has(login.toLowerCase())) stats.duplicateRequests++;
          pull.requested.add(login.toLowerCase());
        }
        return json(res, 201, pullJson(pull));
      }
    }
    if ((m = path.match(new RegExp(`^${base}/issues/(\\d+)/comments$`)))) {
      const issue = Number(m[1]);
      if (method === "GET") return json(res, 200, comments.filter((c) => c.issue === issue).map(commentJson));
      if (method === "POST") {
        const c = { id: nextId++, issue, body: String(body.body ?? ""), updates: 0 };
        comments.push(c);
        return json(res, 201, commentJson(c));
      }
    }
    if ((m = path.match(new RegExp(`^${base}/issues/comments/(\\d+)$`))) && method === "PATCH") {
      const c = comments.find((x) => x.id === Number(m![1]));
      if (!c) return json(res, 404, { message: "Not Found" });
      c.body = String(body.body ?? "");
      c.updates++;
      return json(res, 200, commentJson(c));
    }
    if ((m = path.match(new RegExp(`^${base}/commits/([^/]+)/check-runs$`))) && method === "GET") {
      const runs = checkRuns.filter((r) => r.headSha === m![1] && (!query.get("check_name") || r.name === query.get("check_name"))).reverse();
      return json(res, 200, { total_count: runs.length, check_runs: runs.map(runJson) });
    }
    if (path === `${base}/check-runs` && method === "POST") {
      const r = { id: nextId++, headSha: String(body.head_sha), name: String(body.name), status: String(body.status ?? "queued"), conclusion: body.conclusion ?? null, output: body.output ?? {} };
      checkRuns.push(r);
      return json(res, 201, runJson(r));
    }
    if ((m = path.match(new RegExp(`^${base}/check-runs/(\\d+)$`))) && method === "PATCH") {
      const r = checkRuns.find((x) => x.id === Number(m![1]));
      if (!r) return json(res, 404, { message: "Not Found" });
      if (body.status) r.status = body.status;
      if (body.conclusion !== undefined) r.conclusion = body.conclusion;
      if (body.output) r.output = { ...r.output, ...body.output };
      return json(res, 200, runJson(r));
    }
    if ((m = path.match(new RegExp(`^${base}/issues/(\\d+)/labels(?:/(.+))?$`)))) {
      const pull = pulls.get(Number(m[1]));
      if (!pull) return json(res, 404, { message: "Not Found" });
      if (method === "POST") {
        for (const name of (body.labels as string[]) ?? []) pull.labels.add(name);
        return json(res, 200, [...pull.labels].map((name) => ({ name, color: "d93f0b" })));
      }
      if (method === "DELETE" && m[2]) {
        const name = decodeURIComponent(m[2]);
        if (!pull.labels.delete(name)) return json(res, 404, { message: "Label does not exist" });
        return json(res, 200, [...pull.labels].map((n) => ({ name: n })));
      }
    }
    if (path.startsWith(`${base}/labels/`) && method === "PATCH") return json(res, 200, {});
    if (method === "POST" && path === "/api/graphql") return json(res, 200, { data: {} });
    return json(res, 404, { message: `stub has no route for ${method} ${path}` });
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const method = req.method ?? "GET";
      stats.requests++;
      const isWrite = method !== "GET" && method !== "HEAD" && !url.pathname.includes("/access_tokens") && url.pathname !== "/api/graphql";
      const answer = () => {
        if (fault && !url.pathname.includes("/access_tokens") && (!fault.writesOnly || isWrite)) {
          faultCounter++;
          if ((faultCounter * fault.fraction) % 1 < fault.fraction || fault.fraction >= 1) {
            faulted++;
            if (fault.kind === "primary") {
              res.writeHead(403, { "content-type": "application/json", "x-ratelimit-remaining": "0", "x-ratelimit-limit": "5000", "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + (fault.resetInSeconds ?? 5)) }).end(JSON.stringify({ message: "API rate limit exceeded for installation ID 1." }));
              return;
            }
            if (fault.kind === "secondary") {
              res.writeHead(403, { "content-type": "application/json", "retry-after": String(fault.resetInSeconds ?? 5) }).end(JSON.stringify({ message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }));
              return;
            }
            return json(res, fault.status, { message: "Server Error" });
          }
        }
        if (isWrite) {
          const now = Date.now();
          while (writeTimes.length && now - writeTimes[0]! > 60_000) writeTimes.shift();
          if (options.writesPerMinute && writeTimes.length >= options.writesPerMinute) {
            stats.secondaryLimited++;
            return json(res, 403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." });
          }
          writeTimes.push(now);
          stats.writes++;
        }
        let body: Record<string, unknown> = {};
        try {
          body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
        } catch {
          return json(res, 400, { message: "Problems parsing JSON" });
        }
        route(method, url.pathname, url.searchParams, body, res);
      };
      if (options.latencyMs) setTimeout(answer, options.latencyMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    pulls,
    comments,
    checkRuns,
    stats,
    addPull(pull) {
      const full = { ...pull, requested: new Set<string>(), labels: new Set<string>() };
      pulls.set(pull.number, full);
      return full;
    },
    complete(n) {
      const pull = pulls.get(n);
      if (!pull) return false;
      const sticky = comments.filter((c) => c.issue === n && c.body.includes("<!-- review-triage:sticky -->"));
      const runs = checkRuns.filter((r) => r.headSha === pull.headSha && r.name === "Review Triage");
      const risk = [...pull.labels].filter((l) => l.startsWith("risk: "));
      return pull.requested.size > 0 && sticky.length === 1 && runs.length === 1 && risk.length === 1;
    },
    setFault(f) {
      fault = f;
    },
    get faulted() {
      return faulted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
