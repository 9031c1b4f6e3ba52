import { LRUCache } from "lru-cache";
import { ConfigCache } from "../github/config-cache.js";
import { TeamCache } from "../github/expand-teams.js";
import { KeyedSerialQueue } from "../github/keyed-serial-queue.js";
import { PrStateStore } from "../github/pr-state.js";
import { WriteQueue } from "../github/write-queue.js";

/** Everything the handlers share across events; every cache in it is bounded. */
export interface AppDeps {
  store: PrStateStore;
  writes: WriteQueue;
  prQueue: KeyedSerialQueue;
  configs: ConfigCache;
  teams: TeamCache;
  /** Delivery ids already handled: a redelivered webhook is a no-op. */
  deliveries: LRUCache<string, true>;
  /** Per repository: people GitHub refused as reviewers (422), so they are not retried at once. */
  refused: LRUCache<string, string>;
  appId?: number;
}

export function createAppDeps(options: { appId?: number; configTtlMs?: number } = {}): AppDeps {
  return {
    store: new PrStateStore(5000),
    writes: new WriteQueue(1),
    prQueue: new KeyedSerialQueue(),
    configs: new ConfigCache(options.configTtlMs ?? 60_000, 1000),
    teams: new TeamCache(),
    deliveries: new LRUCache<string, true>({ max: 10_000 }),
    refused: new LRUCache<string, string>({ max: 5000, ttl: 60 * 60 * 1000 }),
    ...(options.appId ? { appId: options.appId } : {}),
  };
}
