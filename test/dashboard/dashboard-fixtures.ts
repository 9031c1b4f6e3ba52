import { HistoryStore } from "../../src/storage/history-store.js";
import type { Db } from "../../src/storage/open-database.js";

/** A title a hostile author might write: it must reach the page as text, never as markup. */
export const HOSTILE_TITLE = `<script>alert("pwned")</script><img src=x onerror=alert(1)> Fix "quotes" & 'apostrophes'`;
export const SECRET_TITLE = "Acquire competitor (confidential)";

export const DASHBOARD_ENV = {
  GITHUB_CLIENT_ID: "Iv1.dashboardtest",
  GITHUB_CLIENT_SECRET: "client-secret-for-tests",
  SESSION_SECRET: "a-session-secret-of-at-least-32-characters!",
};

export interface RepoSpec {
  id: number;
  fullName: string;
  installationId: number;
  admin?: boolean;
}

/** What GitHub lists for a user token: `GET /user/installations/:id/repositories`. */
export function repositoriesBody(repos: readonly RepoSpec[], web = "https://github.com") {
  return {
    total_count: repos.length,
    repositories: repos.map((r) => ({
      id: r.id,
      name: r.fullName.split("/")[1],
      full_name: r.fullName,
      owner: { login: r.fullName.split("/")[0] },
      html_url: `${web}/${r.fullName}`,
      default_branch: "main",
      permissions: { admin: Boolean(r.admin), push: true, pull: true },
    })),
  };
}

/** Open PRs with triages, requests and reviews, in the history the dashboard reads. */
export async function seedHistory(db: Db, now: Date, prs: ReadonlyArray<{ repo: RepoSpec; number: number; title: string; author: string; level: string; ageHours: number; reviewers?: string[]; missing?: string[]; approvedBy?: string[]; group?: string }>): Promise<void> {
  const history = new HistoryStore(db);
  for (const pr of prs) {
    await history.recordRepository({ repoId: pr.repo.id, installationId: pr.repo.installationId, fullName: pr.repo.fullName });
    const opened = new Date(now.getTime() - pr.ageHours * 3_600_000);
    const id = { repoId: pr.repo.id, number: pr.number };
    await history.upsertPullRequest({ ...id, installationId: pr.repo.installationId, repo: pr.repo.fullName, author: pr.author, title: pr.title, state: "open", draft: false, headSha: "abc", openedAt: opened });
    await history.recordTriage({ ...id, headSha: "abc", level: pr.level, scoredLevel: pr.level, score: 50, likelihood: 0.5, factors: {}, checklistMissing: pr.missing ?? [], analysisRules: {}, files: [], at: opened });
    for (const reviewer of pr.reviewers ?? []) {
      await history.recordRequest({ ...id, reviewer, requestedBy: "review-triage[bot]", byApp: true, group: pr.group ?? "seniors", at: new Date(opened.getTime() + 60_000) });
    }
    let n = 0;
    for (const reviewer of pr.approvedBy ?? []) {
      await history.recordReview({ ...id, id: pr.repo.id * 1000 + pr.number * 10 + n++, reviewer, state: "APPROVED", submittedAt: new Date(opened.getTime() + 3_600_000) });
    }
  }
}
