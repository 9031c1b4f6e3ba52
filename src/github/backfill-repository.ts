import { marksFix } from "../core/score-risk.js";
import type { HistoryLike } from "../handlers/app-deps.js";
import type { Octokit } from "./types.js";

/** Pages of open PRs read once for a repository the app has not seen: 1,000 PRs at most. */
const MAX_PAGES = 10;

/**
 * The first time the app sees a repository, read its open pull requests once so that the
 * review load it counts (across the installation, from its history) includes requests made
 * before the app was installed. Afterwards the events keep the history fresh.
 */
export async function backfillRepository(
  octokit: Octokit,
  history: HistoryLike,
  repo: { owner: string; name: string; repoId: number; installationId?: number },
): Promise<{ backfilled: boolean; pulls: number }> {
  const fullName = `${repo.owner}/${repo.name}`;
  const known = await history.recordRepository({ repoId: repo.repoId, fullName, ...(repo.installationId !== undefined ? { installationId: repo.installationId } : {}) });
  if (known.backfilled) return { backfilled: false, pulls: 0 };
  let pulls = 0;
  let pages = 0;
  for await (const page of octokit.paginate.iterator(octokit.rest.pulls.list, { owner: repo.owner, repo: repo.name, state: "open", per_page: 100 })) {
    for (const pull of page.data) {
      pulls++;
      await history.upsertPullRequest({
        repoId: repo.repoId,
        number: pull.number,
        ...(repo.installationId !== undefined ? { installationId: repo.installationId } : {}),
        repo: fullName,
        author: pull.user?.login ?? "",
        title: pull.title ?? "",
        state: "open",
        draft: pull.draft ?? false,
        ...(pull.head?.sha ? { headSha: pull.head.sha } : {}),
        openedAt: pull.created_at ?? new Date().toISOString(),
        fix: marksFix({ title: pull.title ?? "", headRef: pull.head?.ref ?? "", labels: (pull.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? ""))) }),
      });
      const reviewers = [
        ...(pull.requested_reviewers ?? []).map((u) => u.login),
        ...(pull.requested_teams ?? []).map((t) => `@${repo.owner}/${t.slug}`),
      ];
      for (const reviewer of reviewers) {
        await history.recordRequest({ repoId: repo.repoId, number: pull.number, reviewer, requestedBy: "unknown", byApp: false, at: pull.updated_at ?? new Date().toISOString() });
      }
    }
    if (++pages >= MAX_PAGES) break;
  }
  await history.markBackfilled(repo.repoId);
  return { backfilled: true, pulls };
}
