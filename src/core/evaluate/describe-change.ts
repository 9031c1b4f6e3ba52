import type { PullRequestFacts } from "../types.js";
import type { LogCommit } from "./parse-git-log.js";

/**
 * What a pull request would have looked like for one first-parent change, so that history
 * is scored by the same `scoreRisk` the app runs on pull requests.
 *
 * - GitHub merge commits (`Merge pull request #12 from user/branch`, PR title in the body)
 *   give the PR number, the head branch and the title.
 * - Squash merges (`Title (#12)`) give the number and the title.
 * - Anything else is a direct push: the subject is the title, with no branch.
 */
const MERGE_PR = /^Merge pull request #(\d+) from [^/\s]+\/(\S+)/;
const MERGE_BRANCH = /^Merge (?:remote-tracking )?branch '([^']+)'/;
const SQUASH_PR = /\(#(\d+)\)\s*$/;

export function describeChange(commit: Pick<LogCommit, "subject" | "body" | "files">): PullRequestFacts {
  const additions = commit.files.reduce((n, f) => n + f.additions, 0);
  const deletions = commit.files.reduce((n, f) => n + f.deletions, 0);
  const base = { labels: [], additions, deletions, changedFiles: commit.files.length };
  const merge = MERGE_PR.exec(commit.subject);
  if (merge) {
    const title = commit.body.split("\n").find((l) => l.trim() !== "")?.trim() ?? commit.subject;
    return { ...base, number: Number(merge[1]), title, headRef: merge[2]! };
  }
  const branch = MERGE_BRANCH.exec(commit.subject);
  if (branch) return { ...base, number: 0, title: commit.subject, headRef: branch[1]! };
  const squash = SQUASH_PR.exec(commit.subject);
  return { ...base, number: squash ? Number(squash[1]) : 0, title: commit.subject, headRef: "" };
}
