import type { RiskConfig } from "../../config/schema.js";
import { isCodeFile } from "../code-files.js";
import { countAddedCodeLines } from "../count-code-lines.js";
import { compileGlobs } from "../glob.js";
import { DOC_PATTERNS, NOT_DOC_PATTERNS } from "../sensitive-kinds.js";
import type { FileDiff } from "./parse-git-log.js";

/**
 * The SZZ step that decides which lines a fix commit "repaired": the lines it deleted or
 * modified, as line numbers in the parent commit, ready for `git blame`. Filtered so that
 * the blame points at code that was wrong, not at noise:
 * - blank lines and lines whose only change is whitespace (the same text, re-indented, is
 *   also added in the same hunk) are skipped; `git blame -w` then also looks through
 *   earlier whitespace-only edits;
 * - comment-only lines are skipped (a fix that rewords a comment did not fix the comment's
 *   author's code), recognised by the same per-language lexer that keeps them out of the
 *   size factor;
 * - only code files count (code-files.ts): tests, the config's `risk.ignore` files
 *   (lockfiles, builds), documentation (the app's own doc patterns), configuration and data
 *   are not where bugs live, and a fix that updates them would otherwise blame whoever last
 *   touched the docs or bumped a version.
 * Fixes that only add lines (a missing check) cannot be blamed this way; that is a known
 * limit of SZZ, shared by every study that uses it.
 */

export interface BlameTarget {
  /** Path of the file in the fix's parent (the old name when the fix renamed it). */
  path: string;
  /** 1-based line numbers in the parent, ascending. */
  lines: number[];
}

/** Blank or comment-only: the lexer counts it as no line of code. */
function isCommentOnly(line: string, filename: string): boolean {
  return countAddedCodeLines(filename, `+${line}`) === 0;
}

export function createBlameLineSelector(config: Pick<RiskConfig, "ignore" | "tests">): (diff: FileDiff) => BlameTarget | undefined {
  const skipped = compileGlobs([...config.ignore, ...config.tests]);
  const docs = compileGlobs(DOC_PATTERNS, { nocase: true });
  const notDocs = compileGlobs(NOT_DOC_PATTERNS, { nocase: true });
  return (diff) => {
    if (diff.status === "added" || diff.binary || diff.truncated) return undefined;
    const path = diff.previousFilename ?? diff.filename;
    if (!isCodeFile(path) || skipped.matches(path) || (docs.matches(path) && !notDocs.matches(path))) return undefined;
    const lines: number[] = [];
    for (const hunk of diff.hunks) {
      const added = new Map<string, number>();
      for (const line of hunk.added) {
        const key = line.replace(/\s+/g, "");
        added.set(key, (added.get(key) ?? 0) + 1);
      }
      hunk.deleted.forEach((line, i) => {
        const key = line.replace(/\s+/g, "");
        if (key === "" || isCommentOnly(line, path)) return;
        const same = added.get(key) ?? 0;
        if (same > 0) {
          added.set(key, same - 1);
          return;
        }
        lines.push(hunk.oldStart + i);
      });
    }
    return lines.length ? { path, lines } : undefined;
  };
}
