import { describe, expect, it } from "vitest";
import { GitLogParser, toChangedFile, unquoteGitPath, type LogCommit } from "../../../src/core/evaluate/parse-git-log.js";

function parse(lines: string[], limits?: ConstructorParameters<typeof GitLogParser>[0]): LogCommit[] {
  const parser = new GitLogParser(limits);
  const out: LogCommit[] = [];
  for (const line of lines) {
    const done = parser.push(line);
    if (done) out.push(done);
  }
  const last = parser.end();
  if (last) out.push(last);
  return out;
}

// What `git log -p -U0 --format=…` prints for two commits (newest first).
const LOG = [
  "\x1ebbbb\x1faaaa\x1f1700000100\x1ffix: handle -- in SQL\x1fLonger body\nsecond line\x1d",
  "",
  "diff --git a/src/db.js b/src/db.js",
  "index 1111111..2222222 100644",
  "--- a/src/db.js",
  "+++ b/src/db.js",
  "@@ -3,2 +3 @@ function query() {",
  // A deleted line whose text starts with "-- " looks like a file header; the hunk counts tell.
  "--- old SQL comment",
  "-  run(sql)",
  "+  run(escape(sql))",
  "@@ -10 +9,0 @@",
  "-  legacy()",
  "\\ No newline at end of file",
  "diff --git a/lib/old name.js b/lib/new name.js",
  "similarity index 90%",
  "rename from lib/old name.js",
  "rename to lib/new name.js",
  "index 3333333..4444444 100644",
  "--- a/lib/old name.js\t",
  "+++ b/lib/new name.js\t",
  "@@ -1 +1 @@",
  "-a",
  "+b",
  "diff --git a/logo.png b/logo.png",
  "new file mode 100644",
  "index 0000000..5555555",
  "Binary files /dev/null and b/logo.png differ",
  "diff --git a/gone.js b/gone.js",
  "deleted file mode 100644",
  "index 6666666..0000000",
  "--- a/gone.js",
  "+++ /dev/null",
  "@@ -1,2 +0,0 @@",
  "-x",
  "-y",
  'diff --git "a/caf\\303\\251.js" "b/caf\\303\\251.js"',
  "new file mode 100644",
  "index 0000000..7777777",
  "--- /dev/null",
  '+++ "b/caf\\303\\251.js"',
  "@@ -0,0 +1 @@",
  "+ok",
  "\x1eaaaa\x1f\x1f1700000000\x1finitial\x1f\x1d",
  "",
  "diff --git a/empty.txt b/empty.txt",
  "new file mode 100644",
  "index 0000000..e69de29",
];

describe("GitLogParser", () => {
  const [fix, initial] = parse(LOG);

  it("reads the header of each commit", () => {
    expect(fix).toMatchObject({ sha: "bbbb", parents: ["aaaa"], time: 1700000100, subject: "fix: handle -- in SQL", body: "Longer body\nsecond line" });
    expect(initial).toMatchObject({ sha: "aaaa", parents: [], time: 1700000000, subject: "initial", body: "" });
  });

  it("keeps deleted lines that look like headers inside their hunk", () => {
    const db = fix!.files[0]!;
    expect(db).toMatchObject({ filename: "src/db.js", status: "modified", additions: 1, deletions: 3 });
    expect(db.hunks).toEqual([
      { oldStart: 3, oldCount: 2, newStart: 3, newCount: 1, deleted: ["-- old SQL comment", "  run(sql)"], added: ["  run(escape(sql))"] },
      { oldStart: 10, oldCount: 1, newStart: 9, newCount: 0, deleted: ["  legacy()"], added: [] },
    ]);
  });

  it("reports renames, binaries, deletions and quoted names as GitHub does", () => {
    expect(fix!.files.map((f) => [f.filename, f.status, f.previousFilename, f.binary])).toEqual([
      ["src/db.js", "modified", undefined, false],
      ["lib/new name.js", "renamed", "lib/old name.js", false],
      ["logo.png", "added", undefined, true],
      ["gone.js", "removed", undefined, false],
      ["café.js", "added", undefined, false],
    ]);
    expect(initial!.files).toMatchObject([{ filename: "empty.txt", status: "added", additions: 0, hunks: [] }]);
  });

  it("drops the hunks of a file over the cap but keeps its counts", () => {
    const [commit] = parse(LOG, { maxFileLines: 2 });
    expect(commit!.files[0]).toMatchObject({ additions: 1, deletions: 3, truncated: true, hunks: [] });
    expect(toChangedFile(commit!.files[0]!).patch).toBeUndefined();
  });
});

describe("toChangedFile", () => {
  it("rebuilds a -U0 patch and GitHub's field names", () => {
    const [fix] = parse(LOG);
    expect(toChangedFile(fix!.files[0]!)).toEqual({
      filename: "src/db.js",
      status: "modified",
      additions: 1,
      deletions: 3,
      changes: 4,
      patch: "@@ -3,2 +3,1 @@\n--- old SQL comment\n-  run(sql)\n+  run(escape(sql))\n@@ -10,1 +9,0 @@\n-  legacy()",
    });
    expect(toChangedFile(fix!.files[1]!)).toMatchObject({ filename: "lib/new name.js", previous_filename: "lib/old name.js" });
    expect(toChangedFile(fix!.files[2]!).patch).toBeUndefined();
  });
});

describe("unquoteGitPath", () => {
  it("decodes octal UTF-8 bytes and escapes, and leaves plain names alone", () => {
    expect(unquoteGitPath('"a/caf\\303\\251 \\"x\\".js"')).toBe('a/café "x".js');
    expect(unquoteGitPath("a/plain.js")).toBe("a/plain.js");
  });
});
