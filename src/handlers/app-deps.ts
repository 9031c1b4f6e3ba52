import { LRUCache } from "lru-cache";
import { ConfigCache } from "../github/config-cache.js";
import { TeamCache } from "../github/expand-teams.js";
import { BusyStatusCache } from "../github/read-busy-status.js";
import { CodeownersCache } from "../github/read-codeowners.js";
import { WriteQueue } from "../queue/write-queue.js";
import type { Database } from "../storage/open-database.js";
import { HistoryStore } from "../storage/history-store.js";
import { PrStateStore } from "../storage/pr-state-store.js";
import type { EscalationScheduler } from "../queue/schedule-escalations.js";
import type { AcceptedDelivery } from "../server/webhook-intake.js";
import { RefusedReviewerStore } from "../storage/refused-reviewer-store.js";

/**
 * What the handlers share across events. The truth (PR state, refusals) is in the database;
 * what is in memory is a bounded cache or bookkeeping for the deliveries in flight.
 */
export interface AppDeps {
  store: Pick<PrStateStore, "get" | "save">;
  refused: Pick<RefusedReviewerStore, "list" | "add" | "prune">;
  /** The PRs, triages, requests, reviews, ticks and escalations over time. */
  history: HistoryLike;
  /** The time history and escalations go by (tests move it). */
  clock: () => Date;
  /** Schedules stale-review escalations (absent where no queue runs: they are not scheduled). */
  escalations?: EscalationScheduler;
  /**
   * Queues a delivery the app makes itself, run like one GitHub sent (under its PR's lock), once
   * per id: a re-check of a PR. Absent where no queue runs.
   */
  enqueue?: (delivery: InternalDelivery) => Promise<"queued" | "duplicate">;
  writes: WriteQueue;
  configs: ConfigCache;
  teams: TeamCache;
  codeowners: CodeownersCache;
  busy: BusyStatusCache;
  /** Delivery id → which attempt this is (set by the job that runs it; 1 when run directly). */
  attempts: Map<string, number>;
  /** Delivery id → the error its handler failed with, for the job to retry. */
  failures: LRUCache<string, { error: unknown }>;
  appId?: number;
  /** Owners besides a repository's own that its `_extends` may read from (EXTENDS_ALLOWED_OWNERS). */
  extendsOwners: string[];
  /**
   * The app's bot account (`<slug>[bot]`): its comments are recognised by it, and, without an
   * app id (Action mode: `github-actions[bot]`), its check runs by the slug.
   */
  botLogin?: string;
  /**
   * Where review load is counted: the history, across the installation (the app), or the
   * repository's open PRs, one paged list (Action mode, which keeps no history).
   */
  reviewLoad?: "history" | "open-prs";
}

/**
 * A delivery the app queues itself: the shape GitHub's take at the intake, and optionally an id
 * prefix: when a delivery with it is still waiting, nothing more is queued.
 */
export type InternalDelivery = AcceptedDelivery & { unlessQueued?: string };

/** What the handlers need of the history: the database's store, or one that keeps nothing (Action mode). */
export type HistoryLike = Pick<
  HistoryStore,
  | "upsertPullRequest"
  | "recordRepository"
  | "markBackfilled"
  | "recordTriage"
  | "recordRequest"
  | "pendingRequests"
  | "pullRequest"
  | "removeRequest"
  | "recordReview"
  | "recordChecklistEvents"
  | "recordOverride"
  | "lapseOverrides"
  | "openRequestLoad"
  | "openPullsOnHead"
  | "withdrewAppRequest"
>;

export function createAppDeps(options: { database: Database; appId?: number; configTtlMs?: number; extendsOwners?: string[] }): AppDeps {
  return {
    store: new PrStateStore(options.database.db),
    refused: new RefusedReviewerStore(options.database.db),
    history: new HistoryStore(options.database.db),
    clock: () => new Date(),
    writes: new WriteQueue(1),
    configs: new ConfigCache(options.configTtlMs ?? 60_000, 1000),
    teams: new TeamCache(),
    codeowners: new CodeownersCache(),
    busy: new BusyStatusCache(),
    attempts: new Map(),
    extendsOwners: options.extendsOwners ?? [],
    failures: new LRUCache<string, { error: unknown }>({ max: 1000 }),
    ...(options.appId ? { appId: options.appId } : {}),
  };
}
