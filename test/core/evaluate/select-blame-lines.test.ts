import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../../src/config/schema.js";
import type { DiffHunk, FileDiff } from "../../../src/core/evaluate/parse-git-log.js";
import { createBlameLineSelector } from "../../../src/core/evaluate/select-blame-lines.js";

const select = createBlameLineSelector(defaultConfig().risk);

function diff(filename: string, hunks: Partial<DiffHunk>[], extra: Partial<FileDiff> = {}): FileDiff {
  return {
    filename,
    status: "modified",
    binary: false,
    additions: 0,
    deletions: 0,
    truncated: false,
    hunks: hunks.map((h) => ({ oldStart: 1, oldCount: 0, newStart: 1, newCount: 0, deleted: [], added: [], ...h })),
    ...extra,
  };
}

describe("createBlameLineSelector", () => {
  it("blames deleted and modified lines by their number in the parent", () => {
    expect(
      select(
        diff("src/a.js", [
          { oldStart: 10, deleted: ["if (a) {", "  go();"], added: ["if (a && b) {", "  go();"] },
          { oldStart: 40, deleted: ["legacy();"] },
        ]),
      ),
    ).toEqual({ path: "src/a.js", lines: [10, 40] });
  });

  it("skips blank, whitespace-only and comment-only lines", () => {
    const target = select(
      diff("src/a.ts", [
        {
          oldStart: 5,
          deleted: ["", "   ", "    return x;", "// old remark", " * @param x the input", "/* gone */", "call(); // trailing comment is code"],
          added: ["  return x;", "// new remark"],
        },
      ]),
    );
    // Only line 11 (code followed by a comment) is left; "    return x;" was re-indented.
    expect(target).toEqual({ path: "src/a.ts", lines: [11] });
  });

  it("blames the old name of a renamed file, and nothing for new files, tests, docs, ignored or binary files", () => {
    expect(select(diff("src/new.js", [{ oldStart: 3, deleted: ["x();"] }], { status: "renamed", previousFilename: "src/old.js" }))).toEqual({
      path: "src/old.js",
      lines: [3],
    });
    const hunks = [{ oldStart: 1, deleted: ["x();"] }];
    expect(select(diff("src/a.js", hunks, { status: "added" }))).toBeUndefined();
    expect(select(diff("test/a.test.js", hunks))).toBeUndefined();
    expect(select(diff("src/a.spec.ts", hunks))).toBeUndefined();
    expect(select(diff("README.md", hunks))).toBeUndefined();
    expect(select(diff("docs/api.js", hunks))).toBeUndefined();
    expect(select(diff("package-lock.json", hunks))).toBeUndefined();
    expect(select(diff("logo.png", hunks, { binary: true }))).toBeUndefined();
    expect(select(diff("src/a.js", [], { truncated: true }))).toBeUndefined();
  });

  it("blames code files only: not configuration, data or markup", () => {
    const hunks = [{ oldStart: 2, deleted: ['  "retries": 3,'] }];
    for (const path of ["config/defaults.json", ".github/workflows/ci.yml", "tsconfig.json", "public/index.html", "CMakeLists.txt", "src/strings.json", "dist-ish/app.min.js"]) {
      expect(select(diff(path, hunks))).toBeUndefined();
    }
    for (const path of ["src/a.tsx", "lib/b.cjs", "src/App.vue", "styles/main.scss", "scripts/release.sh", "src/types.d.ts"]) {
      expect(select(diff(path, hunks))).toEqual({ path, lines: [2] });
    }
  });

  it("follows the config's test globs, at any depth by default", () => {
    const hunks = [{ oldStart: 1, deleted: ["x();"] }];
    for (const path of ["packages/core/test/a.js", "packages/core/src/__tests__/a.ts", "src/addDays/test.ts", "packages/x/test/fixtures/input.js", "e2e/run.ts"]) {
      expect(select(diff(path, hunks))).toBeUndefined();
    }
    const custom = createBlameLineSelector({ ...defaultConfig().risk, tests: ["spec/**"] });
    expect(custom(diff("spec/a.js", [{ oldStart: 1, deleted: ["x();"] }]))).toBeUndefined();
    expect(custom(diff("test/a.js", [{ oldStart: 1, deleted: ["x();"] }]))).toEqual({ path: "test/a.js", lines: [1] });
  });
});
