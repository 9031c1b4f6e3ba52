import { LRUCache } from "lru-cache";
import { CODEOWNERS_SOURCE } from "../config/schema.js";
import type { Candidate } from "../core/choose-reviewers.js";
import type { Octokit } from "./types.js";
import { errorStatus } from "./types.js";

/** Team members change rarely; ten minutes keeps the call count low and the data fresh enough. */
const TEAM_TTL_MS = 10 * 60 * 1000;

export class TeamCache {
  #cache = new LRUCache<string, string[]>({ max: 500, ttl: TEAM_TTL_MS });

  async members(octokit: Octokit, org: string, slug: string): Promise<string[]> {
    const key = `${org}/${slug}`.toLowerCase();
    const hit = this.#cache.get(key);
    if (hit) return hit;
    let logins: string[];
    try {
      const members = await octokit.paginate(octokit.rest.teams.listMembersInOrg, { org, team_slug: slug, per_page: 100 });
      logins = members.map((m) => m.login);
    } catch (error) {
      // An unknown team, or one the app cannot see, has no members to offer.
      if (errorStatus(error) !== 404 && errorStatus(error) !== 403) throw error;
      logins = [];
    }
    this.#cache.set(key, logins);
    return logins;
  }
}

/** Group name → candidates, with `@org/team` entries expanded (or kept whole when requested as teams). */
export async function expandGroups(
  octokit: Octokit,
  groups: Record<string, string[]>,
  requestTeams: boolean,
  teams: TeamCache,
  notes: string[],
): Promise<Record<string, Candidate[]>> {
  const out: Record<string, Candidate[]> = {};
  for (const [group, members] of Object.entries(groups)) {
    const seen = new Set<string>();
    const list: Candidate[] = [];
    for (const member of members) {
      // The CODEOWNERS source is resolved per PR from the changed files (expand-codeowners.ts).
      if (member === CODEOWNERS_SOURCE) continue;
      if (member.startsWith("@")) {
        const [org, slug] = member.slice(1).split("/") as [string, string];
        if (requestTeams) {
          list.push({ login: member, isTeam: true });
          continue;
        }
        const logins = await teams.members(octokit, org, slug);
        if (!logins.length) notes.push(`Team ${member} in ${group} has no members the app can see.`);
        for (const login of logins) {
          if (!seen.has(login.toLowerCase())) {
            seen.add(login.toLowerCase());
            list.push({ login, isTeam: false });
          }
        }
      } else if (!seen.has(member.toLowerCase())) {
        seen.add(member.toLowerCase());
        list.push({ login: member, isTeam: false });
      }
    }
    out[group] = list;
  }
  return out;
}
