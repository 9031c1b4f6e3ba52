import { ReadError } from "./gather-pull-request.js";

interface ErrorResponse {
  headers?: Record<string, string | number | undefined>;
  data?: unknown;
}

function responseOf(error: unknown): ErrorResponse | undefined {
  return (error as { response?: ErrorResponse } | null)?.response;
}

/** GitHub's own explanation ("Resource not accessible by personal access token", SSO, …). */
function gitHubMessage(error: unknown): string | undefined {
  const data = responseOf(error)?.data;
  const message = (data as { message?: unknown } | undefined)?.message;
  return typeof message === "string" && message ? message : undefined;
}

/** Which permission each read needs, for the 403 message (fine-grained token names). */
function permissionFor(what: string): string {
  if (what.includes("team")) return "Members: read on the organization";
  if (what.includes("review-triage.yml") || what.includes("static analysis")) return "Contents: read";
  if (what.includes("check run")) return "Checks: read";
  return "Pull requests: read";
}

/**
 * One line a person can act on for a failed read: what was being read, what GitHub said, and
 * what to change (the token, its access, or nothing but waiting).
 */
export function describeReadError(error: unknown, context: { target: string; slug: string; baseUrl: string }): string {
  const read = error instanceof ReadError ? error : undefined;
  const what = read?.what ?? "GitHub";
  const cause = read ? read.cause : error;
  const status = read?.status;
  const said = gitHubMessage(cause);
  if (status === 401) {
    return `GITHUB_TOKEN was rejected by ${context.baseUrl} (401 ${said ?? "Bad credentials"}): it is mistyped, expired or revoked; create a token that can read ${context.slug}`;
  }
  if (status === 404 && what === "the pull request") {
    return `${context.target} not found, or the token cannot see it (GitHub answers 404 for private repositories the token has no access to)`;
  }
  if (status === 403 || status === 429) {
    const headers = responseOf(cause)?.headers ?? {};
    if (String(headers["x-ratelimit-remaining"]) === "0" || status === 429 || /rate limit/i.test(said ?? "")) {
      const reset = Number(headers["x-ratelimit-reset"]);
      const until = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : "";
      return `GitHub's rate limit for this token is used up${until} while reading ${what}; try again later`;
    }
    return (
      `the token lacks access to ${what} of ${context.slug} (403${said ? `: ${said}` : ""}); ` +
      `a fine-grained token needs ${permissionFor(what)} on ${context.slug}, a classic token the repo scope (for a private repository)`
    );
  }
  if (status !== undefined && status >= 500) {
    return `GitHub answered ${status} while reading ${what}${said ? ` (${said})` : ""}; try again in a moment`;
  }
  if (status !== undefined) return `reading ${what} failed: ${status}${said ? ` ${said}` : ""}`;
  const message = cause instanceof Error ? cause.message : String(cause);
  return `cannot read ${what} from ${context.baseUrl}: ${message}`;
}
