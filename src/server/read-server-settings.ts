import { getPrivateKey } from "@probot/get-private-key";

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
  production: boolean;
  /** Things the operator should know at start-up (logged as warnings). */
  warnings: string[];
}

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
    extendsOwners: (env.EXTENDS_ALLOWED_OWNERS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    production,
    warnings,
  };
}
