import { Octokit } from "@octokit/rest";
import { config } from "@probot/octokit-plugin-config";

/**
 * `octokit.config.get` is what Probot's `context.config` uses: the same `_extends` and org
 * `.github` fallback the app applies, so the CLI loads exactly the config the app would.
 */
const CliOctokitClass = Octokit.plugin(config);

export type CliOctokit = InstanceType<typeof CliOctokitClass>;

/** Thrown before anything but a read leaves the process. */
export class WriteRefusedError extends Error {
  constructor(method: string, url: string) {
    super(`refused to send ${method} ${url}: review-triage explain only reads`);
    this.name = "WriteRefusedError";
  }
}

export interface ReadOnlyOctokit {
  octokit: CliOctokit;
  /** Every request sent, as `GET /path`, in order. */
  requests: string[];
}

/**
 * An Octokit that can only read. `explain` promises to write nothing; rather than trust every
 * code path it reuses from the app, the client itself refuses any method but GET and HEAD,
 * and GraphQL documents other than a single query (the app reads file contents that way).
 */
export function createReadOnlyOctokit(options: { token: string; baseUrl: string; warn: (message: string) => void }): ReadOnlyOctokit {
  const requests: string[] = [];
  const octokit = new CliOctokitClass({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: "review-triage-cli",
    // The request-log plugin prints every failed request to the console; each failure is
    // reported once by the command instead, with what was being read and what to do.
    log: { debug: () => {}, info: () => {}, warn: options.warn, error: () => {} },
  });
  octokit.hook.before("request", (request) => {
    const method = request.method.toUpperCase();
    // The hook sees the URL template; the parsed URL says which resource was read.
    const full = octokit.request.endpoint.parse(request).url;
    const url = full.startsWith(options.baseUrl) ? full.slice(options.baseUrl.length) : full;
    if (method !== "GET" && method !== "HEAD" && !isGraphqlQuery(url, request)) throw new WriteRefusedError(method, url);
    requests.push(`${method} ${url}`);
  });
  return { octokit, requests };
}

/**
 * A GraphQL request that can only read: a document that opens with `query` and names no
 * mutation or subscription anywhere (a document may hold several operations). Stricter than
 * GraphQL needs, which is fine: the app's only document is its blob query, whose user-controlled
 * parts (file paths) travel as variables.
 */
function isGraphqlQuery(url: string, request: { query?: unknown }): boolean {
  if (!/^\/(api\/)?graphql$/.test(url.replace(/^https?:\/\/[^/]+/, ""))) return false;
  const query = typeof request.query === "string" ? request.query : "";
  return /^\s*query\b/.test(query) && !/\b(mutation|subscription)\b/.test(query);
}
