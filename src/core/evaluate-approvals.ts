import type { Config, Level } from "../config/schema.js";

export interface ReviewFact {
  login: string;
  state: string;
  /** ISO time; reviews are compared by it to find each person's latest. */
  submittedAt: string;
  /** The commit the review was given on. */
  commitId?: string;
  /** Reviews by bots never count as approvals. */
  isBot?: boolean;
}

export interface ApprovalStatus {
  required: { lead: number; total: number; fresh: boolean };
  /** Approvals that count: by someone with write access, not the author, not a bot (and on the head when `fresh`). */
  approvedBy: string[];
  leadApprovedBy: string[];
  /** Approvals given on an older commit, where the level needs them on the head. */
  stale: string[];
  /** Approvals that do not count, with why (no write access). */
  notCounted: Array<{ login: string; why: string }>;
  /** Human phrases of what is missing, e.g. "lead approval (alice)". */
  missing: string[];
  satisfied: boolean;
}

const isBotLogin = (login: string) => /\[bot\]$/i.test(login);

/**
 * The latest review per person decides: a later "changes requested" cancels an approval,
 * a dismissed review counts for nothing, and comments do not change an earlier verdict.
 * The author's own reviews and bots' reviews are no verdict at all.
 */
export function latestReviews(reviews: readonly ReviewFact[], author: string): Map<string, ReviewFact> {
  const sorted = [...reviews].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  const latest = new Map<string, ReviewFact>();
  for (const r of sorted) {
    const login = r.login.toLowerCase();
    if (login === author.toLowerCase() || r.isBot || isBotLogin(login)) continue;
    if (r.state === "COMMENTED" || r.state === "PENDING") continue;
    latest.set(login, r);
  }
  return latest;
}

/** Who approved, by their latest review: the people whose access must be checked. */
export function approvers(reviews: readonly ReviewFact[], author: string): string[] {
  return [...latestReviews(reviews, author)].filter(([, r]) => r.state === "APPROVED").map(([login]) => login);
}

/**
 * Whether the approvals the level requires are there (SPEC §6, §11). An approval counts only
 * from someone with write access (a second account on a public repository must not make a PR
 * "ready"), never from the author or a bot, and, where the level says `fresh`, only on the
 * PR's current head commit.
 */
export function evaluateApprovals(input: {
  level: Level;
  config: Pick<Config, "governance">;
  reviews: readonly ReviewFact[];
  author: string;
  /** Members of the lead group (teams expanded), lower-cased. */
  leads: ReadonlySet<string>;
  /** The PR's head commit, for `fresh` rules. */
  headSha: string;
  /** Approvers with write access, lower-cased; undefined counts every approver (the check could not be made). */
  writers?: ReadonlySet<string>;
  /** When the PR's base last changed: where the level needs approvals on the head, earlier ones were given on another diff. */
  freshSince?: string;
}): ApprovalStatus {
  const rule = input.config.governance.approvals[input.level];
  const required = { lead: rule.lead, total: Math.max(rule.total, rule.lead), fresh: rule.fresh };
  const approvedBy: string[] = [];
  const stale: string[] = [];
  const notCounted: ApprovalStatus["notCounted"] = [];
  for (const [login, review] of [...latestReviews(input.reviews, input.author)].sort(([a], [b]) => a.localeCompare(b))) {
    if (review.state !== "APPROVED") continue;
    if (input.writers && !input.writers.has(login)) {
      notCounted.push({ login, why: "no write access to the repository" });
      continue;
    }
    if (required.fresh && (review.commitId !== input.headSha || (input.freshSince !== undefined && review.submittedAt < input.freshSince))) {
      stale.push(login);
      continue;
    }
    approvedBy.push(login);
  }
  const leadApprovedBy = approvedBy.filter((l) => input.leads.has(l));
  const missing: string[] = [];
  if (leadApprovedBy.length < required.lead) {
    const n = required.lead - leadApprovedBy.length;
    const who = [...input.leads].filter((l) => l !== input.author.toLowerCase()).sort();
    missing.push(`${n} lead approval${n === 1 ? "" : "s"}${who.length ? ` (${who.join(", ")})` : " (no lead group members are configured)"}`);
  }
  if (approvedBy.length < required.total) {
    const n = required.total - approvedBy.length;
    // Lead approvals still missing are already named above; only the rest is extra.
    const extra = n - Math.max(0, required.lead - leadApprovedBy.length);
    if (extra > 0) missing.push(`${extra} more approval${extra === 1 ? "" : "s"}`);
  }
  return { required, approvedBy, leadApprovedBy, stale, notCounted, missing, satisfied: missing.length === 0 };
}
