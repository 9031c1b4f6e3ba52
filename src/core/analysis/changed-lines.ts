/**
 * Line numbers (1-based, in the new file) that a unified diff adds or modifies.
 *
 * Input is GitHub's per-file `patch` from "list pull request files": hunks only, no
 * `diff --git`/`---`/`+++` headers, e.g. `@@ -10,7 +10,8 @@ function f() {`. A modified line
 * shows up as a `-` line followed by a `+` line, so "added or modified" is exactly the `+`
 * lines. Pure deletions leave no line in the new file and contribute nothing.
 *
 * Hunk line counts are tracked, not guessed from prefixes: a line inside a hunk that starts
 * with `+++` or `@@` is content, and anything after a hunk's last line (a stray header, an
 * empty trailing line) is not.
 */
export function parseChangedLines(patch: string): Set<number> {
  const changed = new Set<number>();
  let newLine = 0;
  let oldLeft = 0;
  let newLeft = 0;
  for (const raw of patch.split("\n")) {
    // Patches from Windows checkouts keep their CR; it is not part of the diff syntax.
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (oldLeft > 0 || newLeft > 0) {
      const marker = line[0];
      if (marker === "+") {
        changed.add(newLine);
        newLine += 1;
        newLeft -= 1;
      } else if (marker === "-") {
        oldLeft -= 1;
      } else if (marker === "\\") {
        // "\ No newline at end of file" annotates the previous line and is not counted.
      } else {
        // A context line; some tools strip the single space of an empty context line, so an
        // empty string inside a hunk is context too.
        newLine += 1;
        oldLeft -= 1;
        newLeft -= 1;
      }
      continue;
    }
    const header = HUNK_HEADER.exec(line);
    if (!header) continue;
    // A count left out means 1 (`@@ -3 +3 @@`); 0 means the side is empty (`+0,0` for a
    // deleted file, `-0,0` for an added one).
    oldLeft = header[2] === undefined ? 1 : Number(header[2]);
    newLeft = header[4] === undefined ? 1 : Number(header[4]);
    newLine = Number(header[3]);
  }
  return changed;
}

// `@@ -a[,b] +c[,d] @@[ section heading]`; the heading is free text and ignored.
const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
