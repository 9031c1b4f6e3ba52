import type { Octokit, RepoRef } from "./types.js";

/**
 * Open review requests per reviewer across the repository's open PRs, from one paginated
 * list (SPEC §4). Teams count for their `@org/slug`.
 */
export async function listOpenPrLoad(octokit: Octokit, ref: RepoRef, excludeNumber: number): Promise<Map<string, number>> {
  const pulls = await octokit.paginate(octokit.rest.pulls.list, { ...ref, state: "open", per_page: 100 });
  const load = new Map<string, number>();
  for (const pull of pulls) {
    if (pull.number === excludeNumber) continue;
    const keys = [
      ...(pull.requested_reviewers ?? []).map((u) => u.login),
      ...(pull.requested_teams ?? []).map((t) => `@${ref.owner}/${t.slug}`),
    ];
    for (const login of keys) {
      const key = login.toLowerCase();
      load.set(key, (load.get(key) ?? 0) + 1);
    }
  }
  return load;
}
