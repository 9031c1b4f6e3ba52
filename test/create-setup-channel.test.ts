import { createServer } from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import { run } from "probot";
import { SmeeClient } from "smee-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSetupChannel, NO_CHANNEL_HELP } from "../src/create-setup-channel.js";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { log, lines };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("createSetupChannel", () => {
  afterEach(() => vi.restoreAllMocks());

  it("creates the channel with smee-client and says where webhooks come from", async () => {
    const spy = vi.spyOn(SmeeClient, "createChannel").mockResolvedValue("https://smee.io/abc123");
    const { log, lines } = capture();
    await expect(createSetupChannel(log).createChannel()).resolves.toBe("https://smee.io/abc123");
    expect(spy).toHaveBeenCalledOnce();
    expect(lines).toMatchObject([{ level: 30, url: "https://smee.io/abc123", msg: expect.stringContaining("WEBHOOK_PROXY_URL") }]);
  });

  it("says how to set WEBHOOK_PROXY_URL when smee.io cannot be reached, and fails so nothing is written to .env", async () => {
    const { log, lines } = capture();
    const channel = createSetupChannel(log, () => Promise.reject(new Error("fetch failed")));
    await expect(channel.createChannel()).rejects.toThrow("fetch failed");
    expect(lines).toEqual([expect.objectContaining({ level: 40, reason: "fetch failed", msg: NO_CHANNEL_HELP })]);
    expect(NO_CHANNEL_HELP).toContain("https://smee.io/new");
    expect(NO_CHANNEL_HELP).toContain("WEBHOOK_PROXY_URL=");
    expect(NO_CHANNEL_HELP).toContain("NO_SMEE_SETUP=true");
  });
});

describe("Probot's setup flow with the channel", () => {
  const saved: Record<string, string | undefined> = {};
  const keys = ["WEBHOOK_PROXY_URL", "NO_SMEE_SETUP", "PROJECT_DOMAIN"];
  beforeEach(() => {
    for (const key of keys) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
  });
  afterEach(() => {
    for (const key of keys) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  async function startSetup(create: () => Promise<string>) {
    const port = await freePort();
    const { log, lines } = capture();
    const written: NodeJS.ProcessEnv[] = [];
    const server = await run(() => {}, {
      // No APP_ID or PRIVATE_KEY: the manifest setup flow.
      env: { PORT: String(port), HOST: "127.0.0.1" },
      log,
      SmeeClient: createSetupChannel(log, create),
      updateEnv: (env: NodeJS.ProcessEnv) => {
        written.push(env);
        Object.assign(process.env, env);
        return env;
      },
    });
    try {
      const page = await (await fetch(`http://127.0.0.1:${port}/probot`)).text();
      return { page, lines, written };
    } finally {
      await server.stop();
    }
  }

  it("registers the app with the new smee.io channel as its webhook URL", async () => {
    const { page, written } = await startSetup(async () => "https://smee.io/abc123");
    expect(written).toEqual([{ WEBHOOK_PROXY_URL: "https://smee.io/abc123" }]);
    expect(page).toContain("https://smee.io/abc123");
  });

  it("prints how to set WEBHOOK_PROXY_URL when the channel cannot be created", async () => {
    const { written, lines } = await startSetup(() => Promise.reject(new Error("getaddrinfo ENOTFOUND smee.io")));
    expect(written).toEqual([]);
    expect(lines.some((l) => l.msg === NO_CHANNEL_HELP && l.reason === "getaddrinfo ENOTFOUND smee.io")).toBe(true);
  });
});
