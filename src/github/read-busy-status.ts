import { LRUCache } from "lru-cache";
import type { Octokit, RepoRef } from "./types.js";

/** A status changes when someone sets or clears it; five minutes is fresh enough and saves a query per event. */
const BUSY_TTL_MS = 5 * 60 * 1000;

/** Most logins asked in one query: GitHub limits a query's size and cost, and groups are at most 200. */
export const MAX_BUSY_LOGINS = 100;

/** Longest status message kept; only a short quote of it is ever shown. */
const MAX_MESSAGE = 200;

interface Status {
  busy: boolean;
  message: string;
}

/** Statuses per organization and login, bounded and short-lived. */
export class BusyStatusCache {
  #cache: LRUCache<string, Status>;

  constructor(ttlMs = BUSY_TTL_MS, max = 5000) {
    this.#cache = new LRUCache<string, Status>({ max, ttl: ttlMs });
  }

  get(key: string): Status | undefined {
    return this.#cache.get(key);
  }

  set(key: string, status: Status): void {
    this.#cache.set(key, status);
  }

  /**
   * Queries under way, by key: PRs opened together (a burst) ask for the same people at the
   * same moment, and one query answers them all.
   */
  readonly inflight = new Map<string, Promise<unknown>>();
}

export interface BusyStatus {
  /** Lower-cased login → status message (user-written, possibly empty), for chooseReviewers' `busy`. */
  busy: Map<string, string>;
  notes: string[];
}

/**
 * The query for `count` logins, one alias each. Logins come from the config, so they travel
 * as variables, never inside the query text.
 */
export function busyStatusQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$l${i}: String!`).join(", ");
  const fields = Array.from({ length: count }, (_, i) => `  u${i}: user(login: $l${i}) { status { indicatesLimitedAvailability message } }`).join("\n");
  return `query ReviewTriageBusyStatus(${variables}) {\n${fields}\n}`;
}

type Answer = Record<string, { status: { indicatesLimitedAvailability: boolean; message: string | null } | null } | null>;

/** GraphQL answers with partial data plus errors; a login that is no user is only NOT_FOUND. */
function partialData(error: unknown): Answer | undefined {
  const { data, errors } = error as { data?: Answer; errors?: Array<{ type?: string }> };
  if (!data || !Array.isArray(errors) || !errors.every((e) => e.type === "NOT_FOUND")) return undefined;
  return data;
}

/**
 * Who among `logins` has set a GitHub status with "busy" (limited availability), in ONE
 * GraphQL query for everyone not cached. Failure-tolerant: when the query fails, nobody is
 * treated as busy and a note says so, since a missing status must not stop a triage. Teams
 * and bots have no user status and are not asked.
 */
export async function readBusyStatus(octokit: Octokit, repo: RepoRef, logins: Iterable<string>, cache: BusyStatusCache): Promise<BusyStatus> {
  const busy = new Map<string, string>();
  const notes: string[] = [];
  // Statuses can be visible to one organization's members only: keep them apart per owner.
  const scope = repo.owner.toLowerCase();
  const wanted = [...new Set([...logins].map((l) => l.toLowerCase()))].filter((l) => !l.startsWith("@") && !/\[bot\]$/.test(l));
  const missing: string[] = [];
  const waiting = new Set<Promise<unknown>>();
  for (const login of wanted) {
    const hit = cache.get(`${scope}/${login}`);
    const pending = cache.inflight.get(`${scope}/${login}`);
    if (hit) {
      if (hit.busy) busy.set(login, hit.message);
    } else if (pending) waiting.add(pending);
    else missing.push(login);
  }
  if (waiting.size) {
    await Promise.allSettled(waiting);
    for (const login of wanted) {
      const hit = cache.get(`${scope}/${login}`);
      if (hit?.busy) busy.set(login, hit.message);
    }
  }
  if (missing.length === 0) return { busy, notes };
  const asked = missing.slice(0, MAX_BUSY_LOGINS);
  if (missing.length > asked.length) {
    notes.push(`GitHub status was read for ${asked.length} of ${missing.length} candidates; the others were not checked for busy.`);
  }
  const variables = Object.fromEntries(asked.map((login, i) => [`l${i}`, login]));
  let data: Answer;
  const query = octokit.graphql<Answer>(busyStatusQuery(asked.length), variables);
  for (const login of asked) cache.inflight.set(`${scope}/${login}`, query);
  try {
    data = await query;
  } catch (error) {
    const partial = partialData(error);
    if (!partial) {
      const status = (error as { status?: number }).status;
      notes.push(`GitHub status could not be read${status ? ` (${status})` : ""}, so nobody was treated as busy.`);
      return { busy, notes };
    }
    data = partial;
  } finally {
    for (const login of asked) if (cache.inflight.get(`${scope}/${login}`) === query) cache.inflight.delete(`${scope}/${login}`);
  }
  asked.forEach((login, i) => {
    const status = data[`u${i}`]?.status;
    const entry = { busy: status?.indicatesLimitedAvailability === true, message: (status?.message ?? "").slice(0, MAX_MESSAGE) };
    cache.set(`${scope}/${login}`, entry);
    if (entry.busy) busy.set(login, entry.message);
  });
  return { busy, notes };
}
