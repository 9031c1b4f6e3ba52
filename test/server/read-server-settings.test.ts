import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDotEnv } from "../../src/server/load-dot-env.js";
import { readServerSettings, SettingsError } from "../../src/server/read-server-settings.js";
import { testKey } from "../helpers/app.js";

const base = () => ({ APP_ID: "7", PRIVATE_KEY: testKey() });

describe("server settings", () => {
  it("warns loudly in development when WEBHOOK_SECRET is unset, and refuses in production", () => {
    const dev = readServerSettings(base());
    expect(dev.webhookSecret).toBe("development");
    expect(dev.warnings.join(" ")).toContain("anyone who can reach this server can forge them");
    expect(() => readServerSettings({ ...base(), NODE_ENV: "production" })).toThrow(SettingsError);
    expect(() => readServerSettings({ ...base(), NODE_ENV: "production" })).toThrow(/WEBHOOK_SECRET is not set/);
    expect(readServerSettings({ ...base(), NODE_ENV: "production", WEBHOOK_SECRET: "s" }).warnings).toEqual([]);
  });

  it("names the variable it cannot use", () => {
    expect(() => readServerSettings({ ...base(), WORKER_CONCURRENCY: "lots" })).toThrow('WORKER_CONCURRENCY must be a whole number from 1 to 200, got "lots"');
    expect(() => readServerSettings({ ...base(), DATABASE_URL: "mysql://x" })).toThrow("DATABASE_URL must be a postgres:// or postgresql:// URL");
    expect(() => readServerSettings({ PRIVATE_KEY: testKey() })).toThrow("APP_ID must be the GitHub App's numeric id");
    expect(readServerSettings({ ...base(), EXTENDS_ALLOWED_OWNERS: " acme, shared ," }).extendsOwners).toEqual(["acme", "shared"]);
    // The analyzer's variables too, before the server opens anything.
    expect(() => readServerSettings({ ...base(), ANALYSIS_WORKERS: "two" })).toThrow(SettingsError);
    expect(() => readServerSettings({ ...base(), ANALYSIS_PR_BUDGET_MS: "10s" })).toThrow('ANALYSIS_PR_BUDGET_MS must be a whole number from 100 to 3600000 (default 10000), got "10s"');
  });

  it("turns the dashboard on with the app's OAuth client credentials, and then requires a long SESSION_SECRET", () => {
    expect(readServerSettings(base()).dashboard).toBeUndefined();
    const creds = { GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "shh" };
    expect(() => readServerSettings({ ...base(), ...creds })).toThrow(SettingsError);
    expect(() => readServerSettings({ ...base(), ...creds })).toThrow(/SESSION_SECRET is not set: with GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET set the dashboard is on/);
    expect(() => readServerSettings({ ...base(), ...creds, SESSION_SECRET: "short" })).toThrow("SESSION_SECRET is too short (5 characters)");
    expect(() => readServerSettings({ ...base(), GITHUB_CLIENT_ID: "Iv1.abc" })).toThrow(/GITHUB_CLIENT_SECRET is not set/);
    const secret = "s".repeat(32);
    expect(readServerSettings({ ...base(), ...creds, SESSION_SECRET: secret }).dashboard).toEqual({
      clientId: "Iv1.abc",
      clientSecret: "shh",
      sessionSecret: secret,
      webUrl: "https://github.com",
      apiUrl: "https://api.github.com",
      secureCookies: false,
    });
    const ghes = readServerSettings({ ...base(), ...creds, SESSION_SECRET: secret, GHE_HOST: "git.example.com", DASHBOARD_URL: "https://triage.example.com/", NODE_ENV: "production", WEBHOOK_SECRET: "w" }).dashboard;
    expect(ghes).toMatchObject({ webUrl: "https://git.example.com", apiUrl: "https://git.example.com/api/v3", publicUrl: "https://triage.example.com", secureCookies: true });
    expect(() => readServerSettings({ ...base(), ...creds, SESSION_SECRET: secret, DASHBOARD_URL: "triage.example.com" })).toThrow(/DASHBOARD_URL must be the app's public address/);
  });

  it("reads .env without overriding what the shell set", () => {
    const dir = mkdtempSync(join(tmpdir(), "rt-env-"));
    try {
      const file = join(dir, ".env");
      writeFileSync(file, "APP_ID=123\nPORT=3000\nWEBHOOK_SECRET=from-file\nLOG_LEVEL=\n");
      const env: NodeJS.ProcessEnv = { PORT: "4000", LOG_LEVEL: "debug" };
      expect(loadDotEnv(env, file).sort()).toEqual(["APP_ID", "WEBHOOK_SECRET"]);
      expect(env).toEqual({ PORT: "4000", LOG_LEVEL: "debug", APP_ID: "123", WEBHOOK_SECRET: "from-file" });
      expect(loadDotEnv({}, join(dir, "missing"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
