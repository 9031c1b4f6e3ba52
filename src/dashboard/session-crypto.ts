import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The dashboard's cryptography, all from SESSION_SECRET: cookies are `value.signature`
 * (HMAC-SHA256, compared in constant time); the users' GitHub tokens are stored encrypted
 * with AES-256-GCM under a key derived from the secret (HKDF), so a copy of the database
 * alone gives no one GitHub access.
 */
export class SessionCrypto {
  readonly #signKey: Buffer;
  readonly #tokenKey: Buffer;

  constructor(secret: string) {
    this.#signKey = Buffer.from(hkdfSync("sha256", secret, "review-triage", "dashboard cookie signing", 32));
    this.#tokenKey = Buffer.from(hkdfSync("sha256", secret, "review-triage", "dashboard token encryption", 32));
  }

  #mac(value: string): string {
    return createHmac("sha256", this.#signKey).update(value).digest("base64url");
  }

  sign(value: string): string {
    return `${value}.${this.#mac(value)}`;
  }

  /** The value of a cookie this process signed, or undefined when it was forged or altered. */
  verify(signed: string | undefined): string | undefined {
    if (!signed) return undefined;
    const dot = signed.lastIndexOf(".");
    if (dot <= 0) return undefined;
    const value = signed.slice(0, dot);
    return equal(signed.slice(dot + 1), this.#mac(value)) ? value : undefined;
  }

  /** A token for a form, bound to the session (logout's CSRF check). */
  formToken(sessionId: string): string {
    return this.#mac(`form:${sessionId}`);
  }

  checkFormToken(sessionId: string, given: string | undefined): boolean {
    return given !== undefined && equal(given, this.formToken(sessionId));
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#tokenKey, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
  }

  /** The plain text, or undefined when it was not encrypted with this secret (rotated, altered). */
  decrypt(sealed: string): string | undefined {
    const [version, iv, tag, body] = sealed.split(".");
    if (version !== "v1" || !iv || !tag || body === undefined) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#tokenKey, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      return undefined;
    }
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A new random id: session ids and OAuth `state` values. */
export function randomId(): string {
  return randomBytes(32).toString("base64url");
}

/** Sessions are stored by the hash of their id: the table alone cannot be replayed as cookies. */
export function hashId(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}
