import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for what the dashboard asks of GitHub (as GitHub Enterprise Server
 * serves it: web pages at the root, the API under /api/v3), for a real browser and for
 * the benchmark: the OAuth authorize page and token exchange, the user's installations
 * and repositories, and what the app itself reads (installation tokens, config files).
 */

export interface StubUser {
  id: number;
  login: string;
  /** Full names of the repositories GitHub lists for this user, and which they administer. */
  repos: readonly string[];
  admin?: readonly string[];
}

export interface StubRepo {
  id: number;
  fullName: string;
  installationId: number;
  /** `.github/review-triage.yml` on the default branch; absent: no file. */
  config?: string;
}

export interface DashboardGitHubStub {
  url: string;
  /** GHE_HOST for the app. */
  host: string;
  /** Where the authorize page sends the browser back to (the app's callback URL). */
  callbackUrl: string;
  /** Requests by `METHOD path`, to check what the app asked. */
  requests: string[];
  close(): Promise<void>;
}

const CLIENT_ID = "Iv1.stubclient";
export const STUB_CLIENT = { GITHUB_CLIENT_ID: CLIENT_ID, GITHUB_CLIENT_SECRET: "stub-client-secret" };

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function body(req: IncomingMessage): Promise<string> {
  let out = "";
  for await (const chunk of req) out += String(chunk);
  return out;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startDashboardGitHubStub(options: { users: readonly StubUser[]; repos: readonly StubRepo[] }): Promise<DashboardGitHubStub> {
  const byToken = new Map(options.users.map((u) => [`gho_${u.login}`, u]));
  const repos = new Map(options.repos.map((r) => [r.fullName.toLowerCase(), r]));
  const requests: string[] = [];
  const stub: DashboardGitHubStub = { url: "", host: "", callbackUrl: "", requests, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://stub.invalid");
      const path = url.pathname;
      requests.push(`${req.method} ${path}`);
      if (path === "/login/oauth/authorize") {
        if (url.searchParams.get("client_id") !== CLIENT_ID) return json(res, 400, { error: "unknown client" });
        const state = url.searchParams.get("state") ?? "";
        const links = options.users
          .map((u) => `<li><a href="/login/oauth/approve?login=${encodeURIComponent(u.login)}&state=${encodeURIComponent(state)}">Authorize as ${escape(u.login)}</a></li>`)
          .join("");
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html lang="en"><head><title>Authorize Review Triage</title></head><body><h1>Authorize Review Triage</h1><ul>${links}</ul></body></html>`);
        return;
      }
      if (path === "/login/oauth/approve") {
        const target = new URL(stub.callbackUrl);
        target.searchParams.set("code", `code-${url.searchParams.get("login")}`);
        target.searchParams.set("state", url.searchParams.get("state") ?? "");
        res.writeHead(302, { location: target.toString() }).end();
        return;
      }
      if (path === "/login/oauth/access_token" && req.method === "POST") {
        const form = JSON.parse((await body(req)) || "{}") as Record<string, string>;
        if (form.client_id !== CLIENT_ID || form.client_secret !== STUB_CLIENT.GITHUB_CLIENT_SECRET) return json(res, 401, { error: "incorrect_client_credentials" });
        const login = /^code-(.+)$/.exec(form.code ?? "")?.[1];
        if (!login || !byToken.has(`gho_${login}`)) return json(res, 200, { error: "bad_verification_code" });
        return json(res, 200, { access_token: `gho_${login}`, token_type: "bearer", scope: "" });
      }
      if (!path.startsWith("/api/v3/")) return json(res, 404, { message: "Not Found" });
      const api = path.slice("/api/v3".length);
      const installation = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(api);
      if (installation && req.method === "POST") {
        return json(res, 201, { token: `ghs_installation_${installation[1]}`, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { contents: "read", metadata: "read" } });
      }
      const contents = /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(api);
      if (contents) {
        const repo = repos.get(`${contents[1]}/${contents[2]}`.toLowerCase());
        if (!repo?.config || decodeURIComponent(contents[3]!) !== ".github/review-triage.yml") return json(res, 404, { message: "Not Found" });
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(repo.config);
        return;
      }
      const token = (req.headers.authorization ?? "").replace(/^(token|bearer)\s+/i, "");
      const user = byToken.get(token);
      if (!user) return json(res, 401, { message: "Bad credentials" });
      if (api === "/user") return json(res, 200, { id: user.id, login: user.login });
      const visible = user.repos.map((name) => repos.get(name.toLowerCase())!).filter(Boolean);
      if (api === "/user/installations") {
        const ids = [...new Set(visible.map((r) => r.installationId))];
        return json(res, 200, { total_count: ids.length, installations: ids.map((id) => ({ id, account: { login: "acme" } })) });
      }
      const listing = /^\/user\/installations\/(\d+)\/repositories$/.exec(api);
      if (listing) {
        const list = visible.filter((r) => String(r.installationId) === listing[1]);
        return json(res, 200, {
          total_count: list.length,
          repositories: list.map((r) => ({
            id: r.id,
            name: r.fullName.split("/")[1],
            full_name: r.fullName,
            owner: { login: r.fullName.split("/")[0] },
            html_url: `${stub.url}/${r.fullName}`,
            default_branch: "main",
            permissions: { admin: Boolean(user.admin?.includes(r.fullName)), push: true, pull: true },
          })),
        });
      }
      return json(res, 404, { message: "Not Found" });
    })().catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { message: String(error) });
    });
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", () => listening()));
  const port = (server.address() as AddressInfo).port;
  stub.url = `http://127.0.0.1:${port}`;
  stub.host = `127.0.0.1:${port}`;
  stub.close = () =>
    new Promise<void>((closed) => {
      server.close(() => closed());
      server.closeAllConnections();
    });
  return stub;
}
