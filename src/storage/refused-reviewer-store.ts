import type { Db } from "./open-database.js";

/** How long a refused reviewer is left alone before the app tries them again. */
const REFUSAL_TTL_MS = 60 * 60 * 1000;

/** People GitHub refused as reviewers (422: usually no access), per repository. */
export class RefusedReviewerStore {
  constructor(private readonly db: Db) {}

  /** login (lower case) → why, for the refusals that still hold. */
  async list(repo: string, now = new Date()): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom("refused_reviewers").select(["login", "reason"]).where("repo", "=", repo.toLowerCase()).where("until", ">", now).execute();
    return new Map(rows.map((r) => [r.login, r.reason]));
  }

  async add(repo: string, login: string, reason: string, now = new Date()): Promise<void> {
    const until = new Date(now.getTime() + REFUSAL_TTL_MS);
    await this.db
      .insertInto("refused_reviewers")
      .values({ repo: repo.toLowerCase(), login: login.toLowerCase(), reason, until })
      .onConflict((oc) => oc.columns(["repo", "login"]).doUpdateSet({ reason, until }))
      .execute();
  }

  async prune(now = new Date()): Promise<void> {
    await this.db.deleteFrom("refused_reviewers").where("until", "<", now).execute();
  }
}
