import { describe, expect, it } from "vitest";
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
