/** The pull request `review-triage explain` looks at, and which API serves it. */
export interface ExplainTarget {
  owner: string;
  repo: string;
  number: number;
  /** The host of a pasted PR URL, when one was given (used to find the API of GitHub Enterprise Server). */
  webHost?: string;
}

// GitHub's own rules: a login is alphanumeric with single inner hyphens, at most 39 characters;
// a repository name is letters, digits, `.`, `_` and `-`, at most 100 characters.
const OWNER = "[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}";
const REPO = "[A-Za-z0-9._-]{1,100}";
const SHORT = new RegExp(`^(${OWNER})/(${REPO})#([1-9][0-9]{0,9})$`);
const URL_PATH = new RegExp(`^/(${OWNER})/(${REPO})/pull/([1-9][0-9]{0,9})(?:/[A-Za-z0-9/_-]*)?$`);

const REPOSITORY = new RegExp(`^(${OWNER})/(${REPO})$`);

/** `owner/repo` by GitHub's naming rules; undefined when it is not one. */
export function parseRepositoryName(text: string): { owner: string; repo: string } | undefined {
  const m = REPOSITORY.exec(text);
  if (!m || m[2] === "." || m[2] === "..") return undefined;
  return { owner: m[1]!, repo: m[2]!.replace(/\.git$/, "") };
}

/** `owner/repo#N`, or a PR URL as copied from the browser (`…/pull/N/files` too); undefined when neither. */
export function parseTarget(text: string): ExplainTarget | undefined {
  const short = SHORT.exec(text);
  if (short) return toTarget(short[1]!, short[2]!, short[3]!);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  // The token goes to the API of this host, so never over plain HTTP.
  if (url.protocol !== "https:") return undefined;
  const path = URL_PATH.exec(url.pathname.replace(/\/+$/, ""));
  if (!path) return undefined;
  const target = toTarget(path[1]!, path[2]!, path[3]!);
  const host = url.host.toLowerCase();
  return target && { ...target, webHost: host === "www.github.com" ? "github.com" : host };
}

function toTarget(owner: string, repo: string, number: string): ExplainTarget | undefined {
  // `.` and `..` match the name pattern but are not repositories; they would change the URL path.
  if (repo === "." || repo === "..") return undefined;
  const n = Number(number);
  return Number.isSafeInteger(n) ? { owner, repo: repo.replace(/\.git$/, ""), number: n } : undefined;
}

export const PUBLIC_API_URL = "https://api.github.com";

/**
 * The REST API to call. `GITHUB_API_URL` wins (as in GitHub Actions); otherwise a URL on a
 * host other than github.com is a GitHub Enterprise Server, whose API lives at `/api/v3`.
 * A URL on one host with `GITHUB_API_URL` on another would send the token to the wrong
 * server for the wrong PR, so that is refused.
 */
export function resolveApiUrl(target: ExplainTarget, envApiUrl: string | undefined): { ok: true; baseUrl: string } | { ok: false; message: string } {
  const configured = envApiUrl?.trim();
  if (configured) {
    let api: URL;
    try {
      api = new URL(configured);
    } catch {
      return { ok: false, message: `GITHUB_API_URL is not a URL: ${JSON.stringify(configured)}` };
    }
    const baseUrl = configured.replace(/\/+$/, "");
    if (target.webHost && webHostOf(api) !== target.webHost) {
      return {
        ok: false,
        message: `the pull request URL is on ${target.webHost} but GITHUB_API_URL points at ${api.host}; unset GITHUB_API_URL or give owner/repo#N`,
      };
    }
    return { ok: true, baseUrl };
  }
  if (!target.webHost || target.webHost === "github.com") return { ok: true, baseUrl: PUBLIC_API_URL };
  return { ok: true, baseUrl: `https://${target.webHost}/api/v3` };
}

/** The web host an API URL serves: api.github.com serves github.com, a GHES API its own host. */
function webHostOf(api: URL): string {
  const host = api.host.toLowerCase();
  return host === "api.github.com" ? "github.com" : host;
}
