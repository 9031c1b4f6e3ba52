import type { ChangedFile } from "../types.js";

/**
 * A line-by-line parser for `git log -p -U0` run with {@link GIT_LOG_FORMAT}: it turns the
 * stream into one commit at a time, so a history of any length is read with memory bounded
 * by its largest commit (and by the caps below), never by the whole log.
 */

/**
 * Each commit starts with a line beginning with RS (0x1e) and its header ends with GS
 * (0x1d). A diff line never starts with RS: hunk lines start with `+`, `-`, ` ` or `\`,
 * and the others with a git keyword, so the split is unambiguous without escaping.
 */
export const GIT_LOG_FORMAT = "%x1e%H%x1f%P%x1f%ct%x1f%s%x1f%b%x1d";

export interface DiffHunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** Deleted lines, without the leading `-`. */
  deleted: string[];
  /** Added lines, without the leading `+`. */
  added: string[];
}

export interface FileDiff {
  filename: string;
  previousFilename?: string;
  status: ChangedFile["status"];
  binary: boolean;
  additions: number;
  deletions: number;
  hunks: DiffHunk[];
  /** True when the hunks were dropped because the diff is over the caps (counts stay exact). */
  truncated: boolean;
}

export interface LogCommit {
  sha: string;
  parents: string[];
  /** Committer time, Unix seconds: on a first-parent walk, when the change reached the branch. */
  time: number;
  subject: string;
  body: string;
  files: FileDiff[];
}

export interface ParserLimits {
  /** Hunk lines kept per file; beyond, the file keeps its counts but no patch (as GitHub does). */
  maxFileLines?: number;
  /** Hunk lines kept per commit, for the same reason. */
  maxCommitLines?: number;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Undo git's C-style quoting of unusual path names (`"a/caf\303\251.js"`). */
export function unquoteGitPath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, "\\": 92 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\") {
      bytes.push(...Buffer.from(ch, "utf8"));
      continue;
    }
    const next = body[i + 1] ?? "";
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** `--- a/path`, `+++ b/path` or `/dev/null`; git adds a tab after names with spaces. */
function sidePath(rest: string, prefix: "a/" | "b/"): string | undefined {
  const name = unquoteGitPath(rest.replace(/\t$/, ""));
  if (name === "/dev/null") return undefined;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** Paths from `diff --git a/X b/Y`, used only when no `---`/`+++`/rename line names them. */
function headerPaths(rest: string): { from: string; to: string } {
  if (rest.startsWith('"')) {
    const m = /^("(?:[^"\\]|\\.)*")\s+(.*)$/.exec(rest);
    if (m) return { from: sidePath(m[1]!, "a/") ?? "", to: sidePath(m[2]!, "b/") ?? "" };
  }
  // Same name on both sides is the common case: "a/P b/P" has odd length and equal halves.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(2, half) === rest.slice(half + 3)) {
    const p = rest.slice(2, half);
    return { from: p, to: p };
  }
  const split = rest.indexOf(" b/");
  return split > 0 ? { from: rest.slice(2, split), to: rest.slice(split + 3) } : { from: rest, to: rest };
}

export class GitLogParser {
  private readonly maxFileLines: number;
  private readonly maxCommitLines: number;
  private commit: LogCommit | undefined;
  private header: string[] | undefined;
  private file: FileDiff | undefined;
  private fileLines = 0;
  private commitLines = 0;
  private hunk: DiffHunk | undefined;
  private oldLeft = 0;
  private newLeft = 0;

  constructor(limits: ParserLimits = {}) {
    this.maxFileLines = limits.maxFileLines ?? 20_000;
    this.maxCommitLines = limits.maxCommitLines ?? 200_000;
  }

  /** Feed one line (without its newline); returns the previous commit when this line starts a new one. */
  push(line: string): LogCommit | undefined {
    if (this.header) {
      this.collectHeader(line);
      return undefined;
    }
    if (this.hunk && (this.oldLeft > 0 || this.newLeft > 0 || line.startsWith("\\"))) {
      this.hunkLine(line);
      return undefined;
    }
    if (line.startsWith("\x1e")) {
      const done = this.end();
      this.header = [];
      this.collectHeader(line.slice(1));
      return done;
    }
    if (this.commit) this.metaLine(line);
    return undefined;
  }

  /** The last commit, once the stream has ended. */
  end(): LogCommit | undefined {
    this.closeFile();
    const done = this.commit;
    this.commit = undefined;
    return done;
  }

  private collectHeader(line: string): void {
    const endAt = line.indexOf("\x1d");
    this.header!.push(endAt >= 0 ? line.slice(0, endAt) : line);
    if (endAt < 0) return;
    const [sha = "", parents = "", time = "0", subject = "", ...body] = this.header!.join("\n").split("\x1f");
    this.header = undefined;
    this.commitLines = 0;
    this.commit = {
      sha,
      parents: parents.split(" ").filter(Boolean),
      time: Number(time),
      subject,
      body: body.join("\x1f").trim(),
      files: [],
    };
  }

  private metaLine(line: string): void {
    if (line.startsWith("diff --git ")) {
      this.closeFile();
      const { from, to } = headerPaths(line.slice("diff --git ".length));
      this.file = { filename: to, status: "modified", binary: false, additions: 0, deletions: 0, hunks: [], truncated: false };
      this.fileLines = 0;
      if (from !== to) this.file.previousFilename = from;
      return;
    }
    const file = this.file;
    if (!file) return;
    if (line.startsWith("new file mode")) file.status = "added";
    else if (line.startsWith("deleted file mode")) file.status = "removed";
    else if (line.startsWith("rename from ")) {
      file.status = "renamed";
      file.previousFilename = unquoteGitPath(line.slice("rename from ".length));
    } else if (line.startsWith("rename to ")) file.filename = unquoteGitPath(line.slice("rename to ".length));
    else if (line.startsWith("copy from ")) {
      file.status = "copied";
      file.previousFilename = unquoteGitPath(line.slice("copy from ".length));
    } else if (line.startsWith("copy to ")) file.filename = unquoteGitPath(line.slice("copy to ".length));
    else if (line.startsWith("Binary files ") || line === "GIT binary patch") file.binary = true;
    else if (line.startsWith("--- ")) {
      const from = sidePath(line.slice(4), "a/");
      if (from !== undefined && from !== file.filename) file.previousFilename = from;
    } else if (line.startsWith("+++ ")) {
      const to = sidePath(line.slice(4), "b/");
      if (to !== undefined) file.filename = to;
      else if (file.previousFilename !== undefined) {
        // Deleted file: GitHub names it by its old path and has no previous name.
        file.filename = file.previousFilename;
        delete file.previousFilename;
      }
    } else {
      const m = HUNK.exec(line);
      if (!m) return;
      const hunk: DiffHunk = {
        oldStart: Number(m[1]),
        oldCount: m[2] === undefined ? 1 : Number(m[2]),
        newStart: Number(m[3]),
        newCount: m[4] === undefined ? 1 : Number(m[4]),
        deleted: [],
        added: [],
      };
      this.hunk = hunk;
      this.oldLeft = hunk.oldCount;
      this.newLeft = hunk.newCount;
      if (!file.truncated) file.hunks.push(hunk);
    }
  }

  private hunkLine(line: string): void {
    const file = this.file!;
    const hunk = this.hunk!;
    const kind = line[0];
    if (kind === "\\") return;
    // With -U0 there is no context, but count it anyway so a stray ` ` line cannot desync us.
    if (kind === "-") {
      this.oldLeft--;
      file.deletions++;
    } else if (kind === "+") {
      this.newLeft--;
      file.additions++;
    } else {
      this.oldLeft--;
      this.newLeft--;
    }
    if (file.truncated) return;
    this.fileLines++;
    this.commitLines++;
    if (this.fileLines > this.maxFileLines || this.commitLines > this.maxCommitLines) {
      file.truncated = true;
      file.hunks = [];
      return;
    }
    if (kind === "-") hunk.deleted.push(line.slice(1));
    else if (kind === "+") hunk.added.push(line.slice(1));
  }

  private closeFile(): void {
    if (this.file && this.commit) this.commit.files.push(this.file);
    this.file = undefined;
    this.hunk = undefined;
    this.oldLeft = 0;
    this.newLeft = 0;
  }
}

/** The file as GitHub's "list pull request files" would describe it, with a -U0 patch. */
export function toChangedFile(diff: FileDiff): ChangedFile {
  const file: ChangedFile = {
    filename: diff.filename,
    status: diff.status,
    additions: diff.additions,
    deletions: diff.deletions,
    changes: diff.additions + diff.deletions,
  };
  if (diff.previousFilename !== undefined) file.previous_filename = diff.previousFilename;
  if (!diff.binary && !diff.truncated && diff.hunks.length > 0) {
    file.patch = diff.hunks
      .map((h) =>
        [
          `@@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@`,
          ...h.deleted.map((l) => `-${l}`),
          ...h.added.map((l) => `+${l}`),
        ].join("\n"),
      )
      .join("\n");
  }
  return file;
}
