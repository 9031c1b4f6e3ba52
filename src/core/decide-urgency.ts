import type { Config } from "../config/schema.js";
import { compileGlobs, type GlobSet } from "./glob.js";

export interface UrgencyFacts {
  labels: readonly string[];
  headRef: string;
  baseRef: string;
}

/** Why a PR is urgent: the first match of each kind, as the config and the PR spell it. */
export type UrgencyReason =
  | { kind: "label"; label: string }
  | { kind: "head_branch"; branch: string; pattern: string }
  | { kind: "base_branch"; branch: string; pattern: string };

export interface Urgency {
  urgent: boolean;
  reasons: UrgencyReason[];
}

// Compiled once per pattern list: the same config object serves every event until it changes.
const compiled = new WeakMap<readonly string[], GlobSet>();

function globs(patterns: readonly string[]): GlobSet {
  let set = compiled.get(patterns);
  if (!set) {
    set = compileGlobs(patterns);
    compiled.set(patterns, set);
  }
  return set;
}

function firstPattern(patterns: readonly string[], branch: string): string | undefined {
  if (!patterns.length || !branch) return undefined;
  const index = globs(patterns).firstMatch(branch);
  return index < 0 ? undefined : patterns[index];
}

/**
 * Whether a PR is urgent (`urgency.urgent`): any of its labels (case-insensitive, as GitHub
 * compares them), its head branch or its base branch matching. Branch globs are matched like
 * path globs, so `hotfix/**` matches `hotfix/login` and `hotfix/a/b`. Urgency orders work and
 * shortens escalation; it never changes what the PR needs to merge, because an author picks
 * their own head branch name.
 */
export function decideUrgency(config: Config["urgency"], pr: UrgencyFacts): Urgency {
  const rules = config.urgent;
  const reasons: UrgencyReason[] = [];
  const labels = new Map(pr.labels.map((l) => [l.toLowerCase(), l]));
  const label = rules.labels.find((l) => labels.has(l.toLowerCase()));
  if (label) reasons.push({ kind: "label", label: labels.get(label.toLowerCase())! });
  const head = firstPattern(rules.head_branches, pr.headRef);
  if (head) reasons.push({ kind: "head_branch", branch: pr.headRef, pattern: head });
  const base = firstPattern(rules.base_branches, pr.baseRef);
  if (base) reasons.push({ kind: "base_branch", branch: pr.baseRef, pattern: base });
  return { urgent: reasons.length > 0, reasons };
}
