import type { IncomingMessage, ServerResponse } from "node:http";
import { LRUCache } from "lru-cache";
import { listConfigWarnings } from "../config/config-warnings.js";
import { problemToLine } from "../config/format-issues.js";
import { loadConfig, type LoadedConfig } from "../config/load-config.js";
import { CONFIG_PATH } from "../config/parse-config.js";
import { DEFAULT_APPROVALS, durationMs } from "../config/schema.js";
import type { ConfigCache } from "../github/config-cache.js";
import type { TeamCache } from "../github/expand-teams.js";
import { exchangeCode, listVisibleRepositories, readUser, TokenRejectedError, type VisibleRepository } from "../github/read-user-access.js";
import type { Logger, Octokit } from "../github/types.js";
import type { DashboardSettings } from "../server/read-server-settings.js";
import { buildPeopleReport, UnknownRepositoryError, type PeopleReportResult } from "../reports/index.js";
import { DashboardStore } from "../storage/dashboard-store.js";
import { DashboardSessionStore } from "../storage/dashboard-session-store.js";
import type { Db } from "../storage/open-database.js";
import { describeError } from "../describe-error.js";
import { DashboardSessions, SESSION_COOKIE, STATE_COOKIE, type Session } from "./dashboard-sessions.js";
import { html, type SafeHtml } from "./html.js";
import { renderConfigPage, type ConfigStatus } from "./render-config-page.js";
import { renderHealthPage } from "./render-health-page.js";
import { DASHBOARD_CSS, renderLayout, type PageName, type Viewer } from "./render-layout.js";
import { renderLoadPage } from "./render-load-page.js";
import { renderPeoplePage } from "./render-people-page.js";
import { renderQueuePage, type RepoRules } from "./render-queue-page.js";

/** The people reports' window, as the `report` command's default. */
const PEOPLE_WINDOW_DAYS = 90;

export interface DashboardOptions {
  settings: DashboardSettings | undefined;
  db: Db;
  /** The app's installation client, to read each repository's config as the app does. */
  installationOctokit: (installationId: number) => Promise<Octokit>;
  configs: ConfigCache;
  teams: TeamCache;
  extendsOwners: readonly string[];
  log: Logger;
  clock?: () => Date;
}

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** What GitHub says the user can see is asked again after this long. */
const ACCESS_TTL_MS = 30_000;
/** Repositories' configs are read this many at a time. */
const CONFIG_READS_AT_ONCE = 8;
/** A pending request is stale after this when the repository's config says nothing else (escalation's default). */
const DEFAULT_STALE_MS = durationMs("24h");

const SECURITY_HEADERS = (webUrl: string) => ({
  // No scripts at all; styles only from the app's own stylesheet; forms post only to the app.
  "content-security-policy": `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' ${webUrl}; frame-ancestors 'none'; base-uri 'none'`,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
});

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}, webUrl = "https://github.com"): true {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS(webUrl), ...headers }).end(body);
  return true;
}

function redirect(res: ServerResponse, location: string, cookies: string[] = [], webUrl?: string): true {
  res.writeHead(302, { location, ...(cookies.length ? { "set-cookie": cookies } : {}), ...SECURITY_HEADERS(webUrl ?? "https://github.com") }).end();
  return true;
}

const STYLESHEET = "/dashboard/assets/dashboard.css";

function sendStylesheet(res: ServerResponse): true {
  res.writeHead(200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" }).end(DASHBOARD_CSS);
  return true;
}

async function readForm(req: IncomingMessage, limit = 4096): Promise<URLSearchParams | undefined> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > limit) return undefined;
  }
  return new URLSearchParams(body);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

const DISABLED_PAGE = renderLayout({
  title: "The dashboard is off",
  body: html`<div class="notice"><p>The dashboard signs people in with the GitHub App's own OAuth credentials, and none are set.</p>
<p>To turn it on, set these on the server and restart it:</p><ul>
<li><code>GITHUB_CLIENT_ID</code> and <code>GITHUB_CLIENT_SECRET</code>: the app's client id and a client secret (the setup flow writes them to <code>.env</code>; otherwise the app's settings page on GitHub, "Client secrets").</li>
<li><code>SESSION_SECRET</code>: at least 32 random characters that sign the session cookies (e.g. <code>openssl rand -hex 32</code>).</li>
<li>Optionally <code>DASHBOARD_URL</code>, the address people reach the app at, for the OAuth callback; and in the app's settings on GitHub, the callback URL <code>&lt;that address&gt;/dashboard/callback</code>.</li></ul></div>`,
});

/**
 * The dashboard for leads under `/dashboard` (README, "Dashboard"): sign-in with the GitHub
 * App's user-to-server OAuth, and pages read from the history for exactly the repositories
 * GitHub says the user can see.
 */
export function handleDashboard(options: DashboardOptions): Route {
  const { settings } = options;
  const clock = options.clock ?? (() => new Date());
  if (!settings) {
    return async (req, res) => {
      const path = (req.url ?? "").split("?")[0]!;
      if (path !== "/dashboard" && !path.startsWith("/dashboard/")) return false;
      if (path === STYLESHEET) return sendStylesheet(res);
      return send(res, 200, DISABLED_PAGE);
    };
  }
  const sessions = new DashboardSessions(settings.sessionSecret, new DashboardSessionStore(options.db), settings.secureCookies, clock);
  const store = new DashboardStore(options.db);
  const access = new LRUCache<string, VisibleRepository[]>({ max: 1000, ttl: ACCESS_TTL_MS });
  const redirectUri = settings.publicUrl ? `${settings.publicUrl}/dashboard/callback` : undefined;
  const page = (res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}) => send(res, status, body, headers, settings.webUrl);

  const signInPage = (note?: string) =>
    renderLayout({
      title: "Sign in",
      body: html`${note ? html`<p class="notice warn">${note}</p>` : ""}<p>The dashboard shows the review queue, reviewer load, people reports, review health and config status of the repositories you can see on GitHub.</p>
<p><a class="button primary" href="/dashboard/login">Sign in with GitHub</a></p>`,
    });

  const visible = async (session: Session): Promise<VisibleRepository[]> => {
    const hit = access.get(session.id);
    if (hit) return hit;
    const repos = await listVisibleRepositories(settings.apiUrl, session.token);
    access.set(session.id, repos);
    return repos;
  };

  const configOf = async (repo: VisibleRepository): Promise<LoadedConfig | undefined> => {
    try {
      return await options.configs.get(repo.fullName.toLowerCase(), async () => {
        const octokit = await options.installationOctokit(repo.installationId);
        const ref = { owner: repo.owner, repo: repo.name };
        return loadConfig({ octokit, repo: <T>(o?: T) => ({ ...ref, ...o }) } as unknown as Parameters<typeof loadConfig>[0], { extendsOwners: options.extendsOwners });
      });
    } catch (error) {
      options.log.warn({ repo: repo.fullName, error: describeError(error) }, "dashboard: could not read the repository's config");
      return undefined;
    }
  };

  const leadsOf = async (repo: VisibleRepository, loaded: LoadedConfig | undefined): Promise<Set<string>> => {
    if (!loaded?.ok) return new Set();
    const members = loaded.config.reviewers[loaded.config.governance.lead_group] ?? [];
    const leads = new Set<string>();
    for (const member of members) {
      const team = /^@([^/]+)\/(.+)$/.exec(member);
      if (!team) {
        leads.add(member.toLowerCase());
        continue;
      }
      try {
        const octokit = await options.installationOctokit(repo.installationId);
        for (const login of await options.teams.members(octokit, team[1]!, team[2]!)) leads.add(login.toLowerCase());
      } catch (error) {
        options.log.warn({ repo: repo.fullName, team: member, error: describeError(error) }, "dashboard: could not read a lead team's members");
      }
    }
    return leads;
  };

  const rulesOf = async (repo: VisibleRepository): Promise<RepoRules> => {
    const loaded = await configOf(repo);
    if (!loaded?.ok) return { leads: new Set(), staleAfterMs: DEFAULT_STALE_MS, approvals: DEFAULT_APPROVALS, unknown: true };
    return { approvals: loaded.config.governance.approvals, leads: await leadsOf(repo, loaded), staleAfterMs: durationMs(loaded.config.escalation.nudge_after) };
  };

  const pages: Record<PageName, (repos: VisibleRepository[], session: Session) => Promise<SafeHtml>> = {
    queue: async (repos) => {
      const queue = await store.reviewQueue(
        repos.map((r) => r.id),
        clock(),
      );
      const involved = repos.filter((r) => queue.prs.some((p) => p.repoId === r.id));
      const rules = new Map((await mapLimit(involved, CONFIG_READS_AT_ONCE, async (r) => [r.id, await rulesOf(r)] as const)).map(([id, rule]) => [id, rule]));
      const htmlUrl = new Map(repos.map((r) => [r.fullName, r.htmlUrl]));
      return renderQueuePage({
        queue,
        now: clock(),
        repositories: repos.length,
        rulesFor: (id) => rules.get(id) ?? { leads: new Set(), staleAfterMs: DEFAULT_STALE_MS },
        urlOf: (repo, number) => `${htmlUrl.get(repo) ?? `${settings.webUrl}/${repo}`}/pull/${number}`,
      });
    },
    load: async (repos) => {
      const [load, configs] = await Promise.all([store.reviewerLoad(repos.map((r) => r.id)), mapLimit(repos, CONFIG_READS_AT_ONCE, configOf)]);
      return renderLoadPage({ load, maxLoads: configs.map((c) => (c?.ok ? c.config.routing.max_load : 5)) });
    },
    people: async (repos, session) => {
      const verdicts = await mapLimit(repos, CONFIG_READS_AT_ONCE, async (r) => r.admin || (await leadsOf(r, await configOf(r))).has(session.login.toLowerCase()));
      const allowedRepos = repos.filter((_, i) => verdicts[i]);
      const allowed = allowedRepos.map((r) => r.fullName);
      const hidden = repos.length - allowed.length;
      const selected = allowedRepos[0];
      if (!selected) return renderPeoplePage({ allowed, hidden, windowDays: PEOPLE_WINDOW_DAYS });
      const until = clock();
      const since = new Date(until.getTime() - PEOPLE_WINDOW_DAYS * 86_400_000);
      let report: PeopleReportResult | undefined;
      try {
        report = await buildPeopleReport(options.db, { owner: selected.owner, repo: selected.name, repoId: selected.id, since, until });
      } catch (error) {
        if (!(error instanceof UnknownRepositoryError)) throw error;
      }
      return renderPeoplePage({ allowed, hidden, selected: selected.fullName, windowDays: PEOPLE_WINDOW_DAYS, ...(report ? { report } : {}) });
    },
    health: async (repos) => {
      const configs = await mapLimit(repos, CONFIG_READS_AT_ONCE, configOf);
      const leadGroups = [...new Set(configs.map((c) => (c?.ok ? c.config.governance.lead_group : "lead")))];
      return renderHealthPage(
        await store.weeklyHealth(
          repos.map((r) => r.id),
          clock(),
          leadGroups,
        ),
      );
    },
    config: async (repos) => {
      const statuses = await mapLimit(repos, CONFIG_READS_AT_ONCE, async (repo): Promise<ConfigStatus> => {
        const loaded = await configOf(repo);
        const fileUrl = `${repo.htmlUrl}/blob/${encodeURIComponent(repo.defaultBranch)}/${CONFIG_PATH}`;
        if (!loaded) return { repo: repo.fullName, fileUrl, state: "unknown", problems: ["GitHub did not let the app read the file just now; try again later."], warnings: [] };
        if (!loaded.ok) return { repo: repo.fullName, fileUrl, state: "invalid", problems: loaded.problems.map(problemToLine), warnings: [] };
        return {
          repo: repo.fullName,
          fileUrl,
          state: loaded.source === "file" ? "valid" : "defaults",
          problems: [],
          warnings: listConfigWarnings(loaded.config).map((w) => `${w.path}: ${w.message}`),
        };
      });
      return renderConfigPage(statuses);
    },
  };
  const TITLES: Record<PageName, string> = { queue: "Review queue", load: "Reviewer load", people: "People", health: "Review health", config: "Config status" };
  const PATHS: Record<string, PageName> = { "/dashboard": "queue", "/dashboard/": "queue", "/dashboard/load": "load", "/dashboard/people": "people", "/dashboard/health": "health", "/dashboard/config": "config" };

  const signIn = (res: ServerResponse) => {
    const { state, cookie } = sessions.newState();
    const url = new URL(`${settings.webUrl}/login/oauth/authorize`);
    url.searchParams.set("client_id", settings.clientId);
    url.searchParams.set("state", state);
    if (redirectUri) url.searchParams.set("redirect_uri", redirectUri);
    return redirect(res, url.toString(), [cookie], settings.webUrl);
  };

  const callback = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    const clearState = sessions.clearCookie(STATE_COOKIE);
    if (!sessions.checkState(req, query.get("state"))) {
      options.log.warn({}, "dashboard: sign-in refused: the state does not match the one this browser was given");
      return page(res, 400, signInPage("Sign-in failed: the request did not come from this browser's sign-in (or took longer than 10 minutes). Please sign in again."), { "set-cookie": clearState });
    }
    const code = query.get("code");
    const token = code ? await exchangeCode({ webUrl: settings.webUrl, clientId: settings.clientId, clientSecret: settings.clientSecret, code, ...(redirectUri ? { redirectUri } : {}) }) : undefined;
    if (!token) {
      options.log.warn({}, "dashboard: sign-in refused: GitHub did not exchange the code for a token");
      return page(res, 400, signInPage("Sign-in failed: GitHub did not accept the sign-in. Please try again."), { "set-cookie": clearState });
    }
    const user = await readUser(settings.apiUrl, token);
    const { cookie } = await sessions.create(user, token);
    options.log.info({ login: user.login }, "dashboard: signed in");
    return redirect(res, "/dashboard", [clearState, cookie], settings.webUrl);
  };

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    const path = url.pathname;
    if (path !== "/dashboard" && !path.startsWith("/dashboard/")) return false;
    const method = req.method ?? "GET";
    if (path === STYLESHEET && (method === "GET" || method === "HEAD")) return sendStylesheet(res);
    if (path === "/dashboard/logout") {
      if (method !== "POST") return page(res, 405, renderLayout({ title: "Sign out", body: html`<p>Sign out with the button at the top of a dashboard page.</p>` }), { allow: "POST" });
      const session = await sessions.read(req);
      const form = await readForm(req);
      if (session && !sessions.crypto.checkFormToken(session.id, form?.get("csrf") ?? undefined)) {
        options.log.warn({ login: session.login }, "dashboard: sign-out refused: the form token does not match the session");
        return page(res, 403, renderLayout({ title: "Sign out", body: html`<p class="notice warn">That sign-out did not come from a dashboard page. Use the button at the top of a page.</p><p><a href="/dashboard">Back to the dashboard</a></p>` }));
      }
      if (session) {
        await sessions.end(session);
        access.delete(session.id);
        options.log.info({ login: session.login }, "dashboard: signed out");
      }
      return redirect(res, "/dashboard", [sessions.clearCookie(SESSION_COOKIE)]);
    }
    if (method !== "GET" && method !== "HEAD") return page(res, 405, renderLayout({ title: "Not allowed", body: html`<p>Only GET here.</p>` }), { allow: "GET" });
    if (path === "/dashboard/login") return signIn(res);
    if (path === "/dashboard/callback") return callback(req, res, url.searchParams);
    const name = PATHS[path];
    if (!name) return page(res, 404, renderLayout({ title: "Not found", body: html`<p>No such dashboard page. <a href="/dashboard">Back to the review queue</a>.</p>` }));
    const session = await sessions.read(req);
    if (!session) return page(res, 401, signInPage());
    const viewer: Viewer = { login: session.login, formToken: sessions.crypto.formToken(session.id) };
    let repos: VisibleRepository[];
    try {
      repos = await visible(session);
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) {
        options.log.warn({ login: session.login, error: describeError(error) }, "dashboard: could not ask GitHub which repositories the user can see");
        return page(res, 502, renderLayout({ title: "GitHub did not answer", viewer, body: html`<p class="notice warn">GitHub did not say which repositories you can see just now, so there is nothing to show. Please try again in a moment.</p>` }));
      }
      await sessions.end(session);
      return page(res, 401, signInPage("GitHub no longer accepts your sign-in. Please sign in again."), { "set-cookie": sessions.clearCookie(SESSION_COOKIE) });
    }
    // `?repo=owner/name` narrows a page to one repository, and only to one the user can see:
    // an unknown and a hidden repository get the same answer.
    const only = url.searchParams.get("repo");
    if (only !== null) {
      repos = repos.filter((r) => r.fullName.toLowerCase() === only.toLowerCase());
      if (!repos.length) return page(res, 404, renderLayout({ title: "Not found", page: name, viewer, body: html`<p class="notice warn">No repository ${only} that you can see has Review Triage installed.</p>` }));
    }
    const body = await pages[name](repos, session);
    const scope = only !== null ? html`<p class="muted">Repository ${repos[0]!.fullName} · <a href="${path}">all your repositories</a></p>` : html`<p class="muted">${repos.length} repositor${repos.length === 1 ? "y" : "ies"} you can see</p>`;
    return page(res, 200, renderLayout({ title: TITLES[name], page: name, viewer, body: html`${scope}${body}` }));
  };
}
