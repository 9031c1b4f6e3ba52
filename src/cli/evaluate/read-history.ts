import { GIT_LOG_FORMAT, GitLogParser, type LogCommit } from "../../core/evaluate/parse-git-log.js";
import { gitLines } from "./run-git.js";

export interface HistoryRange {
  /** The branch or commit whose first-parent history is read. */
  ref: string;
  /** Only changes committed on or after this date (anything `git log --since` accepts). */
  since?: string;
  /** Only the newest N changes. */
  maxCommits?: number;
}

/**
 * Stream a branch's first-parent history, newest first, one change at a time.
 *
 * `--first-parent` with `--diff-merges=first-parent` makes a merged pull request one change
 * (its diff against the branch before the merge), the unit a reviewer saw; the commits
 * inside the pull request are not changes of the branch. `-U0` keeps only changed lines:
 * that is all the risk model and SZZ read, and it roughly halves what git prints. `-M`
 * reports renames as GitHub does, so a moved file is not scored as all-new lines.
 */
export async function readHistory(repo: string, range: HistoryRange, onChange: (change: LogCommit) => void): Promise<void> {
  const args = [
    "log",
    "--first-parent",
    "--diff-merges=first-parent",
    "-p",
    "-U0",
    "-M",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    `--format=${GIT_LOG_FORMAT}`,
  ];
  if (range.since !== undefined) args.push(`--since=${range.since}`);
  if (range.maxCommits !== undefined) args.push(`--max-count=${range.maxCommits}`);
  // `--end-of-options` so a ref can never be read as an option.
  args.push("--end-of-options", range.ref, "--");
  const parser = new GitLogParser();
  await gitLines(repo, args, (line) => {
    const done = parser.push(line);
    if (done) onChange(done);
  });
  const last = parser.end();
  if (last) onChange(last);
}
