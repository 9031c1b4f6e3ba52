import { LRUCache } from "lru-cache";
import type { LoadedConfig } from "../config/load-config.js";

/**
 * Configs per repository for a short while: a burst of events on one repository reads the
 * file once. A push to the default branch drops the entry, so a merged change applies at once.
 */
export class ConfigCache {
  #cache: LRUCache<string, LoadedConfig>;

  constructor(ttlMs = 60_000, max = 1000) {
    this.#cache = new LRUCache<string, LoadedConfig>({ max, ttl: ttlMs });
  }

  async get(key: string, load: () => Promise<LoadedConfig>): Promise<LoadedConfig> {
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const loaded = await load();
    this.#cache.set(key, loaded);
    return loaded;
  }

  invalidate(key: string): void {
    this.#cache.delete(key);
  }

  get size(): number {
    return this.#cache.size;
  }
}
