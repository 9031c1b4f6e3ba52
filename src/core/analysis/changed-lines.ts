/**
 * Line numbers (1-based, in the new file) that a unified diff adds or modifies; with
 * `following`, also the first line after each change (added or removed lines), where what a
 * change breaks around it is reported: code made unreachable by an added `return`, a case
 * fallen into once a `break` is deleted.
 *
 * Input is GitHub's per-file `patch` from "list pull request files": hunks only, no
 * `diff --git`/`---`/`+++` headers, e.g. `@@ -10,7 +10,8 @@ function f() {`. A modified line
 * shows up as a `-` line followed by a `+` line, so "added or modified" is exactly the `+`
 * lines. Pure deletions leave no line in the new file and contribute nothing.
 *
 * Hunk line counts are tracked, not guessed from prefixes: a line inside a hunk that starts
 * with `+++` or `@@` is content, and anything after a hunk's last line (a stray header, an
 * empty trailing line) is not.
 *
 * Returned as ranges: a new 100,000-line file is one `[1, 100000]`, cheap to keep and to hand
 * to a lint worker.
 */
export function parseChangedLines(patch: string, options: { following?: boolean } = {}): LineRanges {
  const ranges: LineRanges = [];
  const add = (line: number): void => {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === line - 1) last[1] = line;
    else if (!last || last[1] !== line) ranges.push([line, line]);
  };
  let newLine = 0;
  let oldLeft = 0;
  let newLeft = 0;
  // Whether the line before was added or removed (the next context line follows a change).
  let afterChange = false;
  // Inside a block comment that runs on from a line after a change.
  let inComment = false;
  // Walked by index rather than split into lines: a 100,000-line patch would otherwise be
  // 100,000 strings on the thread that answers webhooks.
  for (let start = 0; start <= patch.length; ) {
    let end = patch.indexOf("\n", start);
    if (end < 0) end = patch.length;
    // Patches from Windows checkouts keep their CR; it is not part of the diff syntax.
    const stop = end > start && patch.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (oldLeft > 0 || newLeft > 0) {
      const marker = stop > start ? patch[start] : "";
      if (marker === "+") {
        add(newLine);
        newLine += 1;
        newLeft -= 1;
        afterChange = true;
      } else if (marker === "-") {
        oldLeft -= 1;
        afterChange = true;
      } else if (marker === "\\") {
        // "\ No newline at end of file" annotates the previous line and is not counted.
      } else {
        // A context line; some tools strip the single space of an empty context line, so an
        // empty string inside a hunk is context too.
        if (afterChange && options.following) {
          add(newLine);
          // A blank or comment-only line does not end it: what the change breaks is reported on
          // the next line of code (a blank line between an added `return` and the code below).
          const content = patch.slice(start + 1, stop).trim();
          if (content.startsWith("/*") && !content.includes("*/")) inComment = true;
          else if (inComment && content.includes("*/")) inComment = false;
          // Blank, comment-only or closing-brace lines (`}`, `} else {`) do not end it either.
          afterChange = inComment || content === "" || content.startsWith("//") || content.startsWith("*") || /^[}\])]+[;,]?(\s*(else|catch|finally)\b.*)?$/.test(content) || /^(\/\*.*\*\/)$/.test(content);
          if (!afterChange) inComment = false;
        } else afterChange = false;
        newLine += 1;
        oldLeft -= 1;
        newLeft -= 1;
      }
    } else if (patch.startsWith("@@", start)) {
      const header = HUNK_HEADER.exec(patch.slice(start, stop));
      if (header) {
        // A count left out means 1 (`@@ -3 +3 @@`); 0 means the side is empty (`+0,0` for a
        // deleted file, `-0,0` for an added one).
        oldLeft = header[2] === undefined ? 1 : Number(header[2]);
        newLeft = header[4] === undefined ? 1 : Number(header[4]);
        newLine = Number(header[3]);
        afterChange = false;
      }
    }
    start = end + 1;
  }
  return normalize(ranges);
}

/** Inclusive `[first, last]` line ranges, sorted, neither overlapping nor touching. */
export type LineRanges = Array<[first: number, last: number]>;

/** Whether any line from `first` to `last` is in `ranges`. */
export function overlapsRanges(ranges: LineRanges, first: number, last: number): boolean {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![1] < first) lo = mid + 1;
    else hi = mid;
  }
  const range = ranges[lo];
  return range !== undefined && range[0] <= last;
}

// GitHub lists hunks in order, so this only sorts when a patch is odd; the lookup above needs it.
function normalize(ranges: LineRanges): LineRanges {
  if (ranges.every((r, i) => i === 0 || r[0] > ranges[i - 1]![1] + 1)) return ranges;
  const merged: LineRanges = [];
  for (const [first, last] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const prev = merged[merged.length - 1];
    if (prev && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
    else merged.push([first, last]);
  }
  return merged;
}

// `@@ -a[,b] +c[,d] @@[ section heading]`; the heading is free text and ignored.
const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
