import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { DashboardSessionStore } from "../storage/dashboard-session-store.js";
import { hashId, randomId, SessionCrypto } from "./session-crypto.js";

export const SESSION_COOKIE = "rt_session";
export const STATE_COOKIE = "rt_oauth_state";
/** A session lasts a working day; GitHub's expiring user tokens last as long. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** The sign-in round trip through GitHub must finish within this. */
export const STATE_TTL_MS = 10 * 60 * 1000;

export interface Session {
  /** The cookie's id (only its hash is stored). */
  id: string;
  userId: string;
  login: string;
  token: string;
}

export function readCookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Sessions and the OAuth `state`: cookies are signed (HMAC of SESSION_SECRET) and
 * HttpOnly, SameSite=Lax, and over HTTPS `__Host-` cookies; the session itself is in the database, by the hash of its id,
 * with the user's token encrypted, so any replica can serve it and logout ends it everywhere.
 */
export class DashboardSessions {
  readonly crypto: SessionCrypto;

  constructor(
    secret: string,
    private readonly store: DashboardSessionStore,
    private readonly secure: boolean,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.crypto = new SessionCrypto(secret);
  }

  /**
   * A cookie's name as sent. Over HTTPS it has the `__Host-` prefix: the browser then takes it
   * only from this host, with `Secure` and `Path=/`, so a sibling subdomain cannot plant one (a
   * session or sign-in state of its choosing). Plain HTTP (local use) cannot have the prefix.
   */
  cookieName(name: string): string {
    return this.secure ? `__Host-${name}` : name;
  }

  cookie(name: string, value: string, maxAgeSeconds: number): string {
    const where = this.secure ? "Path=/" : "Path=/dashboard";
    return `${this.cookieName(name)}=${value}; ${where}; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${this.secure ? "; Secure" : ""}`;
  }

  clearCookie(name: string): string {
    return this.cookie(name, "", 0);
  }

  /** A new `state` for GitHub's sign-in page, and the cookie that remembers it. */
  newState(): { state: string; cookie: string } {
    const state = randomId();
    const expires = this.clock().getTime() + STATE_TTL_MS;
    return { state, cookie: this.cookie(STATE_COOKIE, this.crypto.sign(`${state}~${expires}`), STATE_TTL_MS / 1000) };
  }

  /** Whether the callback's `state` is the one this browser was sent off with, and still fresh. */
  checkState(req: IncomingMessage, given: string | null): boolean {
    const value = this.crypto.verify(readCookies(req).get(this.cookieName(STATE_COOKIE)));
    if (!value || !given) return false;
    const [state, expires] = value.split("~");
    if (!state || Number(expires) < this.clock().getTime()) return false;
    return timingSafeStringEqual(state, given);
  }

  async create(user: { id: string; login: string }, token: string): Promise<{ session: Session; cookie: string }> {
    const id = randomId();
    await this.store.create(hashId(id), { userId: user.id, login: user.login, token: this.crypto.encrypt(token), expiresAt: new Date(this.clock().getTime() + SESSION_TTL_MS) });
    return { session: { id, userId: user.id, login: user.login, token }, cookie: this.cookie(SESSION_COOKIE, this.crypto.sign(id), SESSION_TTL_MS / 1000) };
  }

  /** The request's session: none for a missing, forged, altered, expired or ended one. */
  async read(req: IncomingMessage): Promise<Session | undefined> {
    const id = this.crypto.verify(readCookies(req).get(this.cookieName(SESSION_COOKIE)));
    if (!id) return undefined;
    const stored = await this.store.get(hashId(id), this.clock());
    if (!stored) return undefined;
    const token = this.crypto.decrypt(stored.token);
    if (!token) return undefined;
    return { id, userId: stored.userId, login: stored.login, token };
  }

  async end(session: Session): Promise<void> {
    await this.store.delete(hashId(session.id));
  }

  /** Every `end` and expired row cleared, for the hourly prune. */
  prune(): Promise<number> {
    return this.store.prune(this.clock());
  }
}

function timingSafeStringEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
