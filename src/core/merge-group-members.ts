import type { Candidate } from "./choose-reviewers.js";

/**
 * Group members from the config with those found for the same groups elsewhere (CODEOWNERS):
 * the config's first, then the others, each person once. A person listed by name and also an
 * owner keeps the owner's `via`, so the comment says why they are relevant to this change.
 */
export function mergeGroupMembers(members: Record<string, Candidate[]>, extra: Record<string, Candidate[]>): Record<string, Candidate[]> {
  const out: Record<string, Candidate[]> = { ...members };
  for (const [group, added] of Object.entries(extra)) {
    const list = [...(members[group] ?? [])];
    const index = new Map(list.map((c, i) => [c.login.toLowerCase(), i]));
    for (const candidate of added) {
      const at = index.get(candidate.login.toLowerCase());
      if (at === undefined) {
        index.set(candidate.login.toLowerCase(), list.length);
        list.push(candidate);
      } else if (candidate.via && !list[at]!.via) {
        list[at] = { ...list[at]!, via: candidate.via };
      }
    }
    out[group] = list;
  }
  return out;
}
