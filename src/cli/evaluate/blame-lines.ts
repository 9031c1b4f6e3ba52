import { gitLines } from "./run-git.js";

export interface BlameRequest {
  /** The commit to blame at: the fix's first parent. */
  rev: string;
  path: string;
  /** 1-based line numbers in `rev`, ascending. */
  lines: number[];
  /** Ignore history before this time (Unix seconds): lines older are "boundary" and dropped. */
  since?: number;
  /** A file of revisions to look through (`git blame --ignore-revs-file`): bulk reformats. */
  ignoreRevsFile?: string | undefined;
}

/** Consecutive line numbers become one `-L a,b`, so one git call covers a whole file. */
export function toRanges(lines: readonly number[]): string[] {
  const ranges: string[] = [];
  let start: number | undefined;
  let end = 0;
  for (const line of lines) {
    if (start !== undefined && line === end + 1) {
      end = line;
      continue;
    }
    if (start !== undefined) ranges.push(`${start},${end}`);
    start = end = line;
  }
  if (start !== undefined) ranges.push(`${start},${end}`);
  return ranges;
}

const HEADER = /^([0-9a-f]{40}|[0-9a-f]{64}) \d+ \d+(?: \d+)?$/;

/**
 * Which first-parent change last touched each requested line: commit → number of lines.
 *
 * - `--first-parent` attributes a line to the merge that brought it to the branch, i.e. to
 *   one of the changes `evaluate` scores, not to a commit inside a pull request.
 * - `-w` looks through whitespace-only edits to the change that wrote the code.
 * - `--since` stops the walk at the fix window: a line older than that can't be
 *   labelled anyway, and not walking further back is what keeps blame fast on old files.
 *   Such lines come back flagged `boundary` and are dropped.
 */
export async function blameLines(repo: string, request: BlameRequest): Promise<Map<string, number>> {
  // `--root`: lines written by the first commit are that change's, not an unknown boundary.
  const args = ["blame", "--porcelain", "-w", "--root", "--first-parent"];
  if (request.since !== undefined) args.push(`--since=${new Date(request.since * 1000).toISOString()}`);
  if (request.ignoreRevsFile !== undefined) args.push("--ignore-revs-file", request.ignoreRevsFile);
  for (const range of toRanges(request.lines)) args.push("-L", range);
  // Blame has no --end-of-options in older git; the rev is always a hex id we got from git.
  args.push(request.rev, "--", request.path);
  const counts = new Map<string, number>();
  const boundary = new Set<string>();
  let current = "";
  await gitLines(repo, args, (line) => {
    if (line.startsWith("\t")) return;
    const header = HEADER.exec(line);
    if (header) {
      current = header[1]!;
      counts.set(current, (counts.get(current) ?? 0) + 1);
    } else if (line === "boundary") boundary.add(current);
  });
  for (const sha of boundary) counts.delete(sha);
  return counts;
}
