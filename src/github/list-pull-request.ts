import type { ReviewFact } from "../core/evaluate-approvals.js";
import type { ChangedFile } from "../core/types.js";
import type { Octokit } from "./types.js";

/** GitHub's list-files endpoint returns at most 3000 files. */
export const MAX_LISTED_FILES = 3000;

type PullRef = { owner: string; repo: string; pull_number: number };

/** The PR's changed files, page by page, as the risk model reads them. */
export async function listPullFiles(octokit: Octokit, ref: PullRef): Promise<ChangedFile[]> {
  const files: ChangedFile[] = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.pulls.listFiles, { ...ref, per_page: 100 })) {
    for (const f of page.data) {
      files.push({
        filename: f.filename,
        status: f.status,
        additions: f.additions,
        deletions: f.deletions,
        changes: f.changes,
        ...(f.patch !== undefined ? { patch: f.patch } : {}),
        ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
      });
    }
    if (files.length >= MAX_LISTED_FILES) break;
  }
  return files;
}

/** Every review on the PR, oldest first as GitHub lists them. */
export async function listPullReviews(octokit: Octokit, ref: PullRef): Promise<ReviewFact[]> {
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { ...ref, per_page: 100 });
  return reviews.flatMap((r) =>
    r.user
      ? [
          {
            login: r.user.login,
            state: r.state,
            submittedAt: r.submitted_at ?? "",
            ...(r.commit_id ? { commitId: r.commit_id } : {}),
            ...(r.user.type === "Bot" ? { isBot: true } : {}),
          },
        ]
      : [],
  );
}
