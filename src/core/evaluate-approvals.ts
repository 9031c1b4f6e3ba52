import type { Config, Level } from "../config/schema.js";

export interface ReviewFact {
  login: string;
  state: string;
  /** ISO time; reviews are compared by it to find each person's latest. */
  submittedAt: string;
  commitId?: string;
}

export interface ApprovalStatus {
  required: { lead: number; total: number };
  approvedBy: string[];
  leadApprovedBy: string[];
  /** Human phrases of what is missing, e.g. "lead approval (alice)". */
  missing: string[];
  satisfied: boolean;
}

/**
 * The latest review per person decides: a later "changes requested" cancels an approval,
 * a dismissed review counts for nothing, and comments do not change an earlier verdict.
 */
export function latestVerdicts(reviews: readonly ReviewFact[], author: string): Map<string, string> {
  const sorted = [...reviews].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  const verdict = new Map<string, string>();
  for (const r of sorted) {
    const login = r.login.toLowerCase();
    if (login === author.toLowerCase()) continue;
    if (r.state === "COMMENTED" || r.state === "PENDING") continue;
    verdict.set(login, r.state);
  }
  return verdict;
}

export function evaluateApprovals(input: {
  level: Level;
  config: Pick<Config, "governance">;
  reviews: readonly ReviewFact[];
  author: string;
  /** Members of the lead group (teams expanded), lower-cased. */
  leads: ReadonlySet<string>;
}): ApprovalStatus {
  const rule = input.config.governance.approvals[input.level] ?? { lead: 0, total: 0 };
  const required = { lead: rule.lead, total: Math.max(rule.total, rule.lead) };
  const verdicts = latestVerdicts(input.reviews, input.author);
  const approvedBy = [...verdicts].filter(([, s]) => s === "APPROVED").map(([l]) => l).sort();
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
  return { required, approvedBy, leadApprovedBy, missing, satisfied: missing.length === 0 };
}
