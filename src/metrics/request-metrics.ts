import { metrics } from "./metrics.js";

interface RequestOptions {
  method?: string;
}

interface OctokitLike {
  hook: {
    after(name: "request", hook: (response: { status: number; headers: Record<string, string | number | undefined> }, options: RequestOptions) => void): void;
    error(name: "request", hook: (error: unknown, options: RequestOptions) => unknown): void;
  };
}

/**
 * An Octokit plugin that counts every request to GitHub by method and status, and keeps the
 * rate limit GitHub reports for the installation the client acts for.
 */
export function requestMetrics(octokit: unknown, options: { auth?: { installationId?: number | string } | unknown }): void {
  const client = octokit as OctokitLike;
  const auth = options.auth as { installationId?: number | string } | undefined;
  const installation = String(auth?.installationId ?? "app");
  const remaining = (headers: Record<string, string | number | undefined> | undefined) => {
    const left = Number(headers?.["x-ratelimit-remaining"]);
    if (Number.isFinite(left)) metrics.rateLimitRemaining.set({ installation }, left);
  };
  client.hook.after("request", (response, request) => {
    metrics.githubRequests.inc({ method: request.method ?? "GET", status: String(response.status) });
    remaining(response.headers);
  });
  client.hook.error("request", (error, request) => {
    const e = error as { status?: number; response?: { headers?: Record<string, string | number | undefined> } };
    metrics.githubRequests.inc({ method: request.method ?? "GET", status: String(e.status ?? "error") });
    remaining(e.response?.headers);
    throw error;
  });
}
