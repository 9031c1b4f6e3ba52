import type { PrMemory } from "../core/pr-memory.js";
import type { Db } from "./open-database.js";

export type PrState = PrMemory;


export function prKey(repoId: number | string, prNumber: number): string {
  return `${repoId}#${prNumber}`;
}

/** Per-PR state in the database: the truth, shared by every process. */
export class PrStateStore {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<PrState | undefined> {
    const row = await this.db.selectFrom("pr_state").select("state").where("pr_key", "=", key).executeTakeFirst();
    return row ? (row.state as PrState) : undefined;
  }

  async save(key: string, where: { repo: string; number: number }, state: PrState): Promise<void> {
    const json = JSON.stringify(state);
    await this.db
      .insertInto("pr_state")
      .values({ pr_key: key, repo: where.repo, number: where.number, state: json })
      .onConflict((oc) => oc.column("pr_key").doUpdateSet({ state: json, updated_at: new Date() }))
      .execute();
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom("pr_state").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
