import type { Db } from "./open-database.js";

export interface StoredSession {
  userId: string;
  login: string;
  /** The GitHub token, as stored (encrypted by the caller). */
  token: string;
  expiresAt: Date;
}

/** Dashboard sessions in the database, so every replica knows every signed-in user. */
export class DashboardSessionStore {
  constructor(private readonly db: Db) {}

  async create(idHash: string, session: StoredSession): Promise<void> {
    await this.db
      .insertInto("dashboard_sessions")
      .values({ id_hash: idHash, user_id: session.userId, login: session.login, token: session.token, expires_at: session.expiresAt })
      .execute();
  }

  /** The session, unless it is unknown or expired. */
  async get(idHash: string, now = new Date()): Promise<StoredSession | undefined> {
    const row = await this.db
      .selectFrom("dashboard_sessions")
      .select(["user_id", "login", "token", "expires_at"])
      .where("id_hash", "=", idHash)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return row ? { userId: row.user_id, login: row.login, token: row.token, expiresAt: row.expires_at } : undefined;
  }

  async delete(idHash: string): Promise<void> {
    await this.db.deleteFrom("dashboard_sessions").where("id_hash", "=", idHash).execute();
  }

  async prune(now = new Date()): Promise<number> {
    const result = await this.db.deleteFrom("dashboard_sessions").where("expires_at", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
