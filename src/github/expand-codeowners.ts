import { CODEOWNERS_SOURCE, type Config } from "../config/schema.js";
import type { Candidate } from "../core/choose-reviewers.js";
import { matchCodeowners, type CodeOwner } from "../core/match-codeowners.js";
import type { TeamCache } from "./expand-teams.js";
import { readCodeowners, type CodeownersCache } from "./read-codeowners.js";
import type { Octokit, RepoRef } from "./types.js";

export interface CodeownersDeps {
  codeowners: CodeownersCache;
  teams: TeamCache;
}

/** "owner of src/payments/** via CODEOWNERS", naming the pattern that gave them most files. */
function via(owner: CodeOwner): string {
  const [first, ...rest] = owner.patterns;
  return `owner of ${first} via CODEOWNERS${rest.length ? ` (and ${rest.length} more pattern${rest.length === 1 ? "" : "s"})` : ""}`;
}

/**
 * The candidates of every group that names `codeowners` (its value, or an entry of its list):
 * the CODEOWNERS owners of the changed files, each with the pattern that made them owner.
 * Teams behave like team entries: expanded to members, or kept whole with
 * `routing.request_teams`. Picking among them is chooseReviewers' job, by load like any
 * group, so a file with ten owners does not get ten requests. No group names `codeowners`:
 * no call at all. Merge the answer into expandGroups' with mergeGroupMembers.
 */
export async function expandCodeownersGroups(
  octokit: Octokit,
  repo: RepoRef,
  config: Pick<Config, "reviewers" | "routing">,
  files: readonly string[],
  deps: CodeownersDeps,
  notes: string[],
): Promise<Record<string, Candidate[]>> {
  const groups = Object.entries(config.reviewers)
    .filter(([, members]) => members.includes(CODEOWNERS_SOURCE))
    .map(([group]) => group);
  if (groups.length === 0) return {};
  const file = await readCodeowners(octokit, repo, deps.codeowners);
  if (!file) {
    notes.push(`No CODEOWNERS file in .github/, the repository root or docs/ on the default branch, so ${groups.join(", ")} got no code owners.`);
    return Object.fromEntries(groups.map((g) => [g, []]));
  }
  notes.push(...file.notes);
  const match = matchCodeowners(file.rules, files);
  notes.push(...match.notes);
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const add = (candidate: Candidate) => {
    if (seen.has(candidate.login.toLowerCase())) return;
    seen.add(candidate.login.toLowerCase());
    candidates.push(candidate);
  };
  for (const owner of match.owners) {
    if (!owner.isTeam) {
      add({ login: owner.owner.slice(1), isTeam: false, via: via(owner) });
      continue;
    }
    if (config.routing.request_teams) {
      add({ login: owner.owner, isTeam: true, via: via(owner) });
      continue;
    }
    const [org, slug] = owner.owner.slice(1).split("/") as [string, string];
    const logins = await deps.teams.members(octokit, org, slug);
    if (!logins.length) notes.push(`Team ${owner.owner} owns changed files by CODEOWNERS but has no members the app can see.`);
    for (const login of logins) add({ login, isTeam: false, via: `${via(owner)}, as a member of ${owner.owner}` });
  }
  if (files.length && candidates.length === 0) notes.push(`${file.path} names no owner for the changed files, so ${groups.join(", ")} got no code owners.`);
  return Object.fromEntries(groups.map((g) => [g, candidates]));
}
