import type { Config, Level } from "../config/schema.js";

export interface Candidate {
  /** A login, or `@org/team` when teams are requested as teams. */
  login: string;
  isTeam: boolean;
  /** Why they are in the group when the config does not name them, e.g. "owner of src/payments/** via CODEOWNERS". */
  via?: string;
}

export interface ChooseReviewersInput {
  level: Level;
  config: Pick<Config, "reviewers" | "routing">;
  prNumber: number;
  author: string;
  /** Group name → members, teams already expanded (or kept as teams when request_teams). */
  members: Record<string, Candidate[]>;
  /** Open review requests per login across the repository's other open PRs. */
  load: ReadonlyMap<string, number>;
  /** Currently requested on this PR (users and `@org/team`). */
  requested: ReadonlySet<string>;
  /** Have already submitted a review on this PR. */
  reviewed: ReadonlySet<string>;
  /** GitHub refused them (422: no access), or a human removed them after we asked. */
  unavailable?: ReadonlyMap<string, string>;
  /**
   * People whose GitHub status says they are busy, by lower-cased login, with their status
   * message (user-written text, possibly empty); skipped unless `routing.respect_busy` is off.
   */
  busy?: ReadonlyMap<string, string>;
}

export interface Pick_ {
  login: string;
  isTeam: boolean;
  group: string;
  load: number;
  /** Why this person: the group, the strategy and what decided it. */
  reason: string;
}

export interface Skip {
  login: string;
  group: string;
  reason: string;
}

export interface ReviewerChoice {
  /** New people to request now. */
  picks: Pick_[];
  /** People already on the PR who satisfy a routing step. */
  kept: Pick_[];
  skipped: Skip[];
  notes: string[];
}

const lower = (s: string) => s.toLowerCase();

/** 32-bit FNV-1a: a stable, seedable hash, so the same PR always gets the same answer. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function isBot(login: string): boolean {
  return /\[bot\]$/i.test(login);
}

/** Longest status message quoted in a skip reason; the rest is cut. */
export const MAX_STATUS_TEXT = 60;

/**
 * "is busy (GitHub status: …)". The message is whatever the person typed: only its length
 * and its whitespace are tamed here (one line, at most MAX_STATUS_TEXT characters); the
 * renderers escape it like every other user-controlled string.
 */
export function busyReason(message: string): string {
  // Control characters and runs of whitespace become one space, so it stays one line.
  // eslint-disable-next-line no-control-regex
  const flat = message.replace(/[\u0000-\u001f\u007f\u2028\u2029\s]+/g, " ").trim();
  if (!flat) return "is busy (GitHub status)";
  const chars = [...flat];
  const shown = chars.length > MAX_STATUS_TEXT ? `${chars.slice(0, MAX_STATUS_TEXT - 1).join("").trimEnd()}…` : flat;
  return `is busy (GitHub status: ${shown})`;
}

/**
 * Order the eligible members of a group by the configured strategy. Every order is
 * deterministic for a given PR number.
 */
function orderCandidates(
  eligible: Candidate[],
  strategy: Config["routing"]["strategy"],
  prNumber: number,
  group: string,
  load: ReadonlyMap<string, number>,
): Candidate[] {
  const seeded = (c: Candidate) => stableHash(`${prNumber}:${group}:${lower(c.login)}`);
  if (strategy === "round-robin") {
    // Consecutive PRs start one place further along the group, so requests rotate evenly.
    const sorted = [...eligible].sort((a, b) => lower(a.login).localeCompare(lower(b.login)));
    const start = sorted.length ? prNumber % sorted.length : 0;
    return [...sorted.slice(start), ...sorted.slice(0, start)];
  }
  if (strategy === "random") {
    return [...eligible].sort((a, b) => seeded(a) - seeded(b) || a.login.localeCompare(b.login));
  }
  return [...eligible].sort(
    (a, b) => (load.get(lower(a.login)) ?? 0) - (load.get(lower(b.login)) ?? 0) || seeded(a) - seeded(b) || a.login.localeCompare(b.login),
  );
}

/**
 * Pick reviewers for a risk level (SPEC §4). Pure: every input is data, and the answer
 * explains each choice and each skipped candidate.
 */
export function chooseReviewers(input: ChooseReviewersInput): ReviewerChoice {
  const { config, level, prNumber, load } = input;
  const author = lower(input.author);
  const requested = new Set([...input.requested].map(lower));
  const reviewed = new Set([...input.reviewed].map(lower));
  const away = new Set(config.routing.away.map(lower));
  const respectBusy = config.routing.respect_busy;
  const maxLoad = config.routing.max_load;
  const taken = new Set<string>();
  const picks: Pick_[] = [];
  const kept: Pick_[] = [];
  const skippedByKey = new Map<string, Skip>();
  const notes: string[] = [];
  const groupNames = Object.keys(config.reviewers);

  const skip = (login: string, group: string, reason: string) => {
    const key = `${lower(login)}|${group}`;
    if (!skippedByKey.has(key)) skippedByKey.set(key, { login, group, reason });
  };

  const mention = (login: string) => (login.startsWith("@") ? login : `@${login}`);

  /** Why an eligible candidate lost to the people picked before them. */
  const lostTo = (m: Candidate, winners: Pick_[]): string => {
    const names = winners.map((w) => mention(w.login)).join(", ");
    const last = winners.at(-1)!;
    const l = load.get(lower(m.login)) ?? 0;
    if (config.routing.strategy === "round-robin") return `${names} came first in rotation`;
    if (config.routing.strategy === "random") return `${names} drawn first (seeded by PR #${prNumber})`;
    if (l > last.load) return `has ${l} open review request${l === 1 ? "" : "s"}; ${names} had fewer`;
    return `as loaded as ${names} (${l} open review request${l === 1 ? "" : "s"}); the tie-break seeded by PR #${prNumber} chose ${names}`;
  };

  /**
   * Fill `count` places from one group; returns how many were filled. Every other member is
   * recorded with why they were not picked, so the comment and `explain` can say it.
   */
  const fill = (group: string, count: number): number => {
    const members = input.members[group] ?? [];
    let filled = 0;
    const keptHere: string[] = [];
    // People already on the PR satisfy the step first: no duplicate requests on redelivery,
    // ready-for-review or force-push, and human-added reviewers are respected.
    for (const m of members) {
      if (filled >= count) break;
      const key = lower(m.login);
      if (taken.has(key)) continue;
      if (requested.has(key) || reviewed.has(key)) {
        taken.add(key);
        keptHere.push(m.login);
        kept.push({
          login: m.login,
          isTeam: m.isTeam,
          group,
          load: load.get(key) ?? 0,
          reason: reviewed.has(key) ? `${group}: already reviewed this PR` : `${group}: already requested`,
        });
        filled++;
      }
    }
    const eligible: Candidate[] = [];
    for (const m of members) {
      const key = lower(m.login);
      if (taken.has(key) || requested.has(key) || reviewed.has(key)) continue;
      if (key === author) skip(m.login, group, "is the author");
      else if (!m.isTeam && isBot(m.login)) skip(m.login, group, "is a bot");
      else if (away.has(key)) skip(m.login, group, "is away");
      else if (!m.isTeam && respectBusy && input.busy?.has(key)) skip(m.login, group, busyReason(input.busy.get(key)!));
      else if (input.unavailable?.has(key)) skip(m.login, group, input.unavailable.get(key)!);
      else if (!m.isTeam && maxLoad > 0 && (load.get(key) ?? 0) >= maxLoad)
        skip(m.login, group, `has ${load.get(key) ?? 0} open review requests (max_load ${maxLoad})`);
      else eligible.push(m);
    }
    if (filled >= count) {
      const holders = keptHere.map(mention).join(", ");
      for (const m of eligible) skip(m.login, group, `not needed: ${holders} already ${keptHere.length === 1 ? "reviews" : "review"} for ${group}`);
      return filled;
    }
    const ordered = orderCandidates(eligible, config.routing.strategy, prNumber, group, load);
    const winners: Pick_[] = [];
    for (const m of ordered) {
      if (filled >= count) {
        skip(m.login, group, lostTo(m, winners));
        continue;
      }
      const key = lower(m.login);
      const l = load.get(key) ?? 0;
      const how =
        m.isTeam
          ? "team requested as a whole"
          : config.routing.strategy === "least-loaded"
            ? `least loaded (${l} open review request${l === 1 ? "" : "s"})`
            : config.routing.strategy === "round-robin"
              ? `next in rotation (${l} open review request${l === 1 ? "" : "s"})`
              : `drawn at random, seeded by PR #${prNumber} (${l} open review request${l === 1 ? "" : "s"})`;
      const why = `${group}: ${m.via ? `${m.via}, ${how}` : how}`;
      taken.add(key);
      const pick = { login: m.login, isTeam: m.isTeam, group, load: l, reason: why };
      picks.push(pick);
      winners.push(pick);
      filled++;
    }
    return filled;
  };

  const steps = config.routing[level];
  if (steps.length === 0) notes.push(`No routing is configured for ${level} risk.`);
  for (const step of steps) {
    if (!(step.from in config.reviewers)) {
      notes.push(`Group "${step.from}" is not defined under reviewers, so nobody was picked from it.`);
      continue;
    }
    let filled = fill(step.from, step.count);
    if (filled >= step.count) continue;
    // Fall back through the other groups in the order they are configured, e.g. when the
    // author is the only lead, a senior reviews instead.
    const onlyAuthor = (input.members[step.from] ?? []).every((m) => lower(m.login) === author);
    for (const next of groupNames) {
      if (next === step.from || filled >= step.count) continue;
      const before = filled;
      filled += fill(next, step.count - filled);
      if (filled > before) {
        notes.push(
          onlyAuthor && (input.members[step.from] ?? []).length > 0
            ? `The author is the only member of ${step.from}; picked from ${next} instead.`
            : `Not enough available people in ${step.from}; picked from ${next} instead.`,
        );
      }
    }
    if (filled < step.count) {
      notes.push(`Only ${filled} of ${step.count} reviewer${step.count === 1 ? "" : "s"} could be found for ${step.from}.`);
    }
  }
  const chosen = new Set([...picks, ...kept].map((p) => lower(p.login)));
  const skipped = [...skippedByKey.values()].filter((s) => !chosen.has(lower(s.login)));
  return { picks, kept, skipped, notes };
}
