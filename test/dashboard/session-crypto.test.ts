import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { DashboardSessions } from "../../src/dashboard/dashboard-sessions.js";
import type { DashboardSessionStore } from "../../src/storage/dashboard-session-store.js";
import { hashId, randomId, SessionCrypto } from "../../src/dashboard/session-crypto.js";

const SECRET = "x".repeat(40);

describe("session cryptography", () => {
  it("verifies its own signatures and nothing else", () => {
    const crypto = new SessionCrypto(SECRET);
    const signed = crypto.sign("abc");
    expect(crypto.verify(signed)).toBe("abc");
    expect(crypto.verify(signed.replace(/^abc/, "abd"))).toBeUndefined();
    expect(crypto.verify(`${signed}x`)).toBeUndefined();
    expect(crypto.verify("abc")).toBeUndefined();
    expect(crypto.verify(undefined)).toBeUndefined();
    expect(new SessionCrypto("y".repeat(40)).verify(signed)).toBeUndefined();
  });

  it("encrypts tokens so that only the same secret reads them, and any change is detected", () => {
    const crypto = new SessionCrypto(SECRET);
    const sealed = crypto.encrypt("gho_secret_token");
    expect(sealed).not.toContain("gho_");
    expect(crypto.encrypt("gho_secret_token")).not.toBe(sealed);
    expect(crypto.decrypt(sealed)).toBe("gho_secret_token");
    expect(new SessionCrypto("y".repeat(40)).decrypt(sealed)).toBeUndefined();
    const parts = sealed.split(".");
    parts[3] = parts[3]!.slice(0, -2) + (parts[3]!.endsWith("AA") ? "BB" : "AA");
    expect(crypto.decrypt(parts.join("."))).toBeUndefined();
    expect(crypto.decrypt("not sealed")).toBeUndefined();
  });

  it("binds form tokens to the session", () => {
    const crypto = new SessionCrypto(SECRET);
    const [a, b] = [randomId(), randomId()];
    expect(crypto.checkFormToken(a, crypto.formToken(a))).toBe(true);
    expect(crypto.checkFormToken(b, crypto.formToken(a))).toBe(false);
    expect(crypto.checkFormToken(a, undefined)).toBe(false);
    expect(hashId(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashId(a)).not.toContain(a);
  });
});

describe("dashboard session cookies", () => {
  const rows = new Map<string, unknown>();
  const store = {
    create: async (hash: string, row: unknown) => void rows.set(hash, row),
    get: async (hash: string) => rows.get(hash),
    delete: async (hash: string) => void rows.delete(hash),
    prune: async () => 0,
  } as unknown as DashboardSessionStore;
  const request = (cookie: string) => ({ headers: { cookie } }) as IncomingMessage;
  const pair = (setCookie: string) => setCookie.split(";")[0]!;

  it("are __Host- cookies over https: a cookie of the plain name (planted by a sibling subdomain) is not read", async () => {
    const secure = new DashboardSessions(SECRET, store, true);
    const { cookie } = await secure.create({ id: "1", login: "lead" }, "gho_token");
    expect(cookie).toMatch(/^__Host-rt_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
    expect((await secure.read(request(pair(cookie))))?.login).toBe("lead");
    // The same signed value under the name without the prefix, as a subdomain could set it.
    expect(await secure.read(request(pair(cookie).replace("__Host-", "")))).toBeUndefined();
    const { state, cookie: stateCookie } = secure.newState();
    expect(stateCookie.startsWith("__Host-rt_oauth_state=")).toBe(true);
    expect(secure.checkState(request(pair(stateCookie)), state)).toBe(true);
    expect(secure.checkState(request(pair(stateCookie).replace("__Host-", "")), state)).toBe(false);
  });

  it("keep their plain names over http (local use), where the prefix cannot be set", async () => {
    const plain = new DashboardSessions(SECRET, store, false);
    const { cookie } = await plain.create({ id: "2", login: "dev" }, "gho_token");
    expect(cookie).toMatch(/^rt_session=[^;]+; Path=\/dashboard; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    expect((await plain.read(request(pair(cookie))))?.login).toBe("dev");
  });
});
