import { LRUCache } from "lru-cache";
import { ConfigCache } from "../github/config-cache.js";
import { TeamCache } from "../github/expand-teams.js";
import { BusyStatusCache } from "../github/read-busy-status.js";
import { CodeownersCache } from "../github/read-codeowners.js";
import type { AppDeps, HistoryLike } from "../handlers/app-deps.js";
import { WriteQueue } from "../queue/write-queue.js";
import type { PrState } from "../storage/pr-state-store.js";

/**
 * The PR memory of one Action run. The run handles one event and then ends, so there is no
 * store to read: every PR starts as "touched" (an earlier run may have written anything, so
 * nothing is assumed absent and the app's artefacts are looked up), and the pipeline recalls
 * the rest from its check run's record (see `recallRecord`). What the run saves is kept only
 * until the process ends.
 */
class RunMemory {
  readonly #states = new Map<string, PrState>();

  async get(key: string): Promise<PrState> {
    return this.#states.get(key) ?? { touched: true };
  }

  async save(key: string, _where: { repo: string; number: number }, state: PrState): Promise<void> {
    this.#states.set(key, state);
  }
}

/** Reviewers GitHub refused (422) during this run: not asked again in it. */
class RunRefusals {
  readonly #refused = new Map<string, Map<string, string>>();

  async list(repo: string): Promise<Map<string, string>> {
    return new Map(this.#refused.get(repo.toLowerCase()));
  }

  async add(repo: string, login: string, reason: string): Promise<void> {
    const key = repo.toLowerCase();
    if (!this.#refused.has(key)) this.#refused.set(key, new Map());
    this.#refused.get(key)!.set(login.toLowerCase(), reason);
  }

  async prune(): Promise<void> {}
}

/** No history in Action mode: nothing is recorded, and review load comes from the open PRs. */
export const NO_HISTORY: HistoryLike = {
  upsertPullRequest: async () => undefined,
  // "Already backfilled": there is nothing to backfill into.
  recordRepository: async () => ({ backfilled: true }),
  markBackfilled: async () => undefined,
  recordTriage: async () => undefined,
  recordRequest: async () => ({ id: "", created: false }),
  pendingRequests: async () => [],
  pullRequest: async () => undefined,
  removeRequest: async () => undefined,
  recordReview: async () => ({ first: false }),
  recordChecklistEvents: async () => undefined,
  recordOverride: async () => undefined,
  lapseOverrides: async () => undefined,
  openRequestLoad: async () => new Map<string, number>(),
  // No history: PRs sharing a head commit are not known (README, "Governance").
  openPullsOnHead: async () => [],
  withdrewAppRequest: async () => false,
};

/**
 * The handlers' dependencies for one Action run: the same pipeline as the app, with no
 * database, no queue and no escalations; the token's bot account identifies the action's own
 * comment and check runs.
 */
export function createActionDeps(options: { botLogin: string }): AppDeps {
  return {
    store: new RunMemory(),
    refused: new RunRefusals(),
    history: NO_HISTORY,
    clock: () => new Date(),
    writes: new WriteQueue(1),
    configs: new ConfigCache(60_000, 10),
    teams: new TeamCache(),
    codeowners: new CodeownersCache(),
    busy: new BusyStatusCache(),
    attempts: new Map(),
    failures: new LRUCache<string, { error: unknown }>({ max: 10 }),
    extendsOwners: [],
    botLogin: options.botLogin,
    reviewLoad: "open-prs",
  };
}
