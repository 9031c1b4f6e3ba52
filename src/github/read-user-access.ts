import { Octokit } from "@octokit/rest";

/** A repository the signed-in user can see, as GitHub lists it for their token. */
export interface VisibleRepository {
  id: string;
  fullName: string;
  owner: string;
  name: string;
  installationId: number;
  htmlUrl: string;
  defaultBranch: string;
  /** GitHub says the user administers it. */
  admin: boolean;
}

export interface GitHubUser {
  id: string;
  login: string;
}

/** The user's token is not (or no longer) accepted by GitHub: sign in again. */
export class TokenRejectedError extends Error {
  constructor() {
    super("GitHub no longer accepts the session's token");
    this.name = "TokenRejectedError";
  }
}

/** At most this many installations, and repositories per installation, are read per user. */
const MAX_INSTALLATIONS = 100;
const MAX_REPOSITORIES = 1000;

function userOctokit(apiUrl: string, token: string): Octokit {
  // Deliberately no logging hooks: the token must never reach a log line.
  return new Octokit({ auth: token, baseUrl: apiUrl, userAgent: "review-triage-dashboard", log: { debug() {}, info() {}, warn() {}, error() {} } });
}

async function rejectedAs401<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if ((error as { status?: number }).status === 401) throw new TokenRejectedError();
    throw error;
  }
}

/**
 * Exchange the code GitHub's sign-in page returned for the user's token (the GitHub App's
 * user-to-server flow). Returns undefined when GitHub refuses the code.
 */
export async function exchangeCode(options: { webUrl: string; clientId: string; clientSecret: string; code: string; redirectUri?: string }): Promise<string | undefined> {
  const response = await fetch(`${options.webUrl}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({
      client_id: options.clientId,
      client_secret: options.clientSecret,
      code: options.code,
      ...(options.redirectUri ? { redirect_uri: options.redirectUri } : {}),
    }),
  });
  if (!response.ok) return undefined;
  const body = (await response.json().catch(() => ({}))) as { access_token?: unknown };
  return typeof body.access_token === "string" && body.access_token ? body.access_token : undefined;
}

export async function readUser(apiUrl: string, token: string): Promise<GitHubUser> {
  const { data } = await rejectedAs401(userOctokit(apiUrl, token).rest.users.getAuthenticated());
  return { id: String(data.id), login: data.login };
}

/**
 * Every repository of this app's installations the user can see, as GitHub decides for
 * their token (`GET /user/installations`, then each installation's repositories).
 */
export async function listVisibleRepositories(apiUrl: string, token: string): Promise<VisibleRepository[]> {
  const octokit = userOctokit(apiUrl, token);
  const installations = await rejectedAs401(
    octokit.paginate(octokit.rest.apps.listInstallationsForAuthenticatedUser, { per_page: 100 }, (response, done) => {
      if (response.data.length >= MAX_INSTALLATIONS) done();
      return response.data;
    }),
  );
  const lists = await Promise.all(
    installations.slice(0, MAX_INSTALLATIONS).map((installation) =>
      rejectedAs401(
        octokit.paginate(octokit.rest.apps.listInstallationReposForAuthenticatedUser, { installation_id: installation.id, per_page: 100 }, (response, done) => {
          if (response.data.length >= MAX_REPOSITORIES) done();
          return response.data;
        }),
      ).then((repos) =>
        repos.slice(0, MAX_REPOSITORIES).map(
          (r): VisibleRepository => ({
            id: String(r.id),
            fullName: r.full_name,
            owner: r.owner.login,
            name: r.name,
            installationId: installation.id,
            htmlUrl: r.html_url,
            defaultBranch: r.default_branch ?? "main",
            admin: Boolean(r.permissions?.admin),
          }),
        ),
      ),
    ),
  );
  const seen = new Set<string>();
  return lists
    .flat()
    .filter((r) => !seen.has(r.id) && Boolean(seen.add(r.id)))
    .sort((a, b) => a.fullName.localeCompare(b.fullName));
}
