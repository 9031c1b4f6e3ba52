import { getPrivateKey } from "@probot/get-private-key";
import { readAnalyzerEnv } from "../handlers/analyze-pull-request.js";

/** Probot's webhook secret when none is set: public knowledge, so anyone could forge events. */
export const DEVELOPMENT_SECRET = "development";

export interface ServerSettings extends StorageSettings {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  webhookPath: string;
  host: string;
  port: number;
  concurrency: number;
  shutdownGraceSeconds: number;
  /** Owners besides a repository's own that `_extends` may read from. */
  extendsOwners: string[];
  /** Days of history kept for closed pull requests. */
  historyDays: number;
  /** Bearer token `/metrics` requires, when set. */
  metricsToken?: string;
  /** The dashboard for leads, on when the app's OAuth client credentials are set. */
  dashboard?: DashboardSettings;
  production: boolean;
  /** Things the operator should know at start-up (logged as warnings). */
  warnings: string[];
}

export interface DashboardSettings {
  clientId: string;
  clientSecret: string;
  /** Signs the session cookies and derives the key the stored GitHub tokens are encrypted with. */
  sessionSecret: string;
  /** Where GitHub's sign-in pages are: https://github.com, or the GitHub Enterprise Server host. */
  webUrl: string;
  /** GitHub's REST API: https://api.github.com, or <GHE host>/api/v3. */
  apiUrl: string;
  /** The app's public address, for the OAuth callback URL (else the app's registered callback URL is used). */
  publicUrl?: string;
  /** Cookies only over HTTPS (the public URL is https, or production). */
  secureCookies: boolean;
}

/** Signed cookies need a secret nobody can guess: at least this many characters. */
export const MIN_SESSION_SECRET_LENGTH = 32;

/** A setting the app cannot start with; the message says which variable and what to do. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new SettingsError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** Where the app keeps its data: the server and the `report` command read the same variables. */
export interface StorageSettings {
  databaseUrl?: string;
  dataDir: string;
  databasePoolSize: number;
}

/** DATABASE_URL (PostgreSQL), else DATA_DIR (the embedded database), and DATABASE_POOL_SIZE. */
export function readStorageSettings(env: NodeJS.ProcessEnv): StorageSettings {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//i.test(databaseUrl)) throw new SettingsError("DATABASE_URL must be a postgres:// or postgresql:// URL");
  return {
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir: env.DATA_DIR?.trim() || "./data",
    databasePoolSize: integer(env, "DATABASE_POOL_SIZE", 10, 1, 100),
  };
}

/** Whether the environment holds a GitHub App's credentials (else `npm start` runs the setup flow). */
export function hasAppCredentials(env: NodeJS.ProcessEnv): boolean {
  let key: string | null = null;
  try {
    key = getPrivateKey({ env });
  } catch {
    key = null;
  }
  return Boolean(env.APP_ID?.trim() && key);
}

/** Read and check every variable the server uses (README, "Environment variables"). */
export function readServerSettings(env: NodeJS.ProcessEnv): ServerSettings {
  const warnings: string[] = [];
  const production = env.NODE_ENV === "production";
  const appId = Number(env.APP_ID);
  if (!Number.isSafeInteger(appId) || appId <= 0) throw new SettingsError(`APP_ID must be the GitHub App's numeric id, got "${env.APP_ID ?? ""}"`);
  let privateKey: string | null;
  try {
    privateKey = getPrivateKey({ env });
  } catch (error) {
    throw new SettingsError(`the private key could not be read: ${(error as Error).message}`);
  }
  if (!privateKey) throw new SettingsError("PRIVATE_KEY or PRIVATE_KEY_PATH must give the GitHub App's private key");
  // The analyzer reads its own variables when it starts; a bad one is said here, before anything opens.
  try {
    readAnalyzerEnv(env);
  } catch (error) {
    throw new SettingsError((error as Error).message);
  }
  let webhookSecret = env.WEBHOOK_SECRET ?? "";
  if (!webhookSecret) {
    if (production) {
      throw new SettingsError(
        "WEBHOOK_SECRET is not set. Without it anyone who can reach the webhook URL can forge events (ticks, overrides, approvals). " +
          "Set it to the secret of the GitHub App's webhook.",
      );
    }
    webhookSecret = DEVELOPMENT_SECRET;
    warnings.push(
      `WEBHOOK_SECRET is not set: webhooks are checked against the public development secret "${DEVELOPMENT_SECRET}", so anyone who can reach this server can forge them. ` +
        "Never run like this where others can reach it; with NODE_ENV=production the app refuses to start.",
    );
  }
  const dashboard = readDashboardSettings(env, production);
  const storage = readStorageSettings(env);
  return {
    appId,
    privateKey,
    webhookSecret,
    webhookPath: env.WEBHOOK_PATH?.trim() || "/api/github/webhooks",
    host: env.HOST?.trim() || "localhost",
    port: integer(env, "PORT", 3000, 0, 65535),
    ...storage,
    concurrency: integer(env, "WORKER_CONCURRENCY", 20, 1, 200),
    shutdownGraceSeconds: integer(env, "SHUTDOWN_GRACE_SECONDS", 20, 0, 3600),
    historyDays: integer(env, "HISTORY_DAYS", 400, 1, 10_000),
    ...(env.METRICS_TOKEN?.trim() ? { metricsToken: env.METRICS_TOKEN.trim() } : {}),
    ...(dashboard ? { dashboard } : {}),
    extendsOwners: (env.EXTENDS_ALLOWED_OWNERS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    production,
    warnings,
  };
}

/**
 * The dashboard's settings (README, "Dashboard"): off without the app's OAuth client
 * credentials; with them, SESSION_SECRET is required, as WEBHOOK_SECRET is for webhooks.
 */
function readDashboardSettings(env: NodeJS.ProcessEnv, production: boolean): DashboardSettings | undefined {
  const clientId = env.GITHUB_CLIENT_ID?.trim() ?? "";
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim() ?? "";
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) {
    throw new SettingsError(`${clientId ? "GITHUB_CLIENT_SECRET" : "GITHUB_CLIENT_ID"} is not set: the dashboard needs both the GitHub App's client id and client secret (the setup flow writes them to .env), or neither to stay off`);
  }
  const sessionSecret = env.SESSION_SECRET ?? "";
  if (sessionSecret.length < MIN_SESSION_SECRET_LENGTH) {
    throw new SettingsError(
      `SESSION_SECRET ${sessionSecret ? `is too short (${sessionSecret.length} characters)` : "is not set"}: with GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET set the dashboard is on, ` +
        `and its session cookies are signed with SESSION_SECRET. Set it to at least ${MIN_SESSION_SECRET_LENGTH} random characters (e.g. \`openssl rand -hex 32\`), or unset the client credentials to turn the dashboard off.`,
    );
  }
  const gheHost = env.GHE_HOST?.trim();
  const protocol = env.GHE_PROTOCOL?.trim() || "https";
  if (protocol !== "https" && protocol !== "http") throw new SettingsError(`GHE_PROTOCOL must be https or http, got "${protocol}"`);
  const webUrl = gheHost ? `${protocol}://${gheHost}` : "https://github.com";
  const apiUrl = gheHost ? `${webUrl}/api/v3` : "https://api.github.com";
  const rawPublic = env.DASHBOARD_URL?.trim().replace(/\/+$/, "");
  let publicUrl: string | undefined;
  if (rawPublic) {
    let parsed: URL;
    try {
      parsed = new URL(rawPublic);
    } catch {
      throw new SettingsError(`DASHBOARD_URL must be the app's public address, e.g. https://triage.example.com, got "${rawPublic}"`);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new SettingsError(`DASHBOARD_URL must be an http(s) address, got "${rawPublic}"`);
    publicUrl = rawPublic;
  }
  return { clientId, clientSecret, sessionSecret, webUrl, apiUrl, ...(publicUrl ? { publicUrl } : {}), secureCookies: publicUrl ? publicUrl.startsWith("https:") : production };
}
