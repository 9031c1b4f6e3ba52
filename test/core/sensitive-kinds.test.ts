import { describe, expect, it } from "vitest";
import { breakingPart, judgeLoneLockfile, judgePackageJson, lockfileShowsMajorBump } from "../../src/core/sensitive-kinds.js";

/** A hunk as GitHub sends it: optional context (` `), deletions (`-`), additions (`+`). */
function hunk(...lines: string[]): string {
  return `@@ -10,${lines.length} +10,${lines.length} @@\n${lines.join("\n")}`;
}

describe("breakingPart", () => {
  it.each([
    ["^1.2.3", "1"],
    ["~4.17.21", "4"],
    ["0.4.1", "0.4"],
    ["^0.0.3", "0.0.3"],
    [">=2.0.0 <4", "2"],
    ["1.x", "1"],
    ["workspace:^3.1.0", "3"],
    ["npm:string-width@^4.2.0", "4"],
    ["pnpm@9.1.0", "9"],
    ["latest", undefined],
  ])("%s → %s", (spec, part) => {
    expect(breakingPart(spec)).toBe(part);
  });
});

describe("judgePackageJson", () => {
  it("is medium for minor and patch bumps", () => {
    const patch = hunk('-    "lodash": "^4.17.20",', '+    "lodash": "^4.17.21",', '-    "debug": "~4.3.1"', '+    "debug": "~4.4.0"');
    expect(judgePackageJson("modified", patch)).toEqual({ impact: "medium", reason: "version bumps only, none of a major version" });
  });

  it("is high for a major bump of a runtime dependency, and names it", () => {
    const patch = hunk('   "dependencies": {', '-    "chalk": "^4.1.2",', '+    "chalk": "^5.0.0",', '     "debug": "^4.3.4"');
    expect(judgePackageJson("modified", patch)).toEqual({
      impact: "high",
      reason: "major version bump of a runtime dependency: chalk ^4.1.2 → ^5.0.0",
    });
    for (const section of ["peerDependencies", "optionalDependencies"]) {
      expect(judgePackageJson("modified", hunk(`   "${section}": {`, '-    "react": "^18.0.0"', '+    "react": "^19.0.0"')).impact).toBe("high");
    }
    // 0.x: the minor is the breaking part.
    expect(judgePackageJson("modified", hunk('-    "undici": "^0.5.0"', '+    "undici": "^0.6.0"')).impact).toBe("high");
  });

  it("is medium for a major bump of a dev dependency, when the patch shows the section", () => {
    const patch = hunk('   "devDependencies": {', '-    "eslint": "^8.57.0",', '+    "eslint": "^9.0.0",', '     "prettier": "^3.0.0"');
    expect(judgePackageJson("modified", patch)).toEqual({ impact: "medium", reason: "version bumps only; the major ones are dev dependencies" });
  });

  it("counts a major bump as runtime when the patch does not show its section (a -U0 patch)", () => {
    expect(judgePackageJson("modified", hunk('-    "eslint": "^8.57.0",', '+    "eslint": "^9.0.0",')).impact).toBe("high");
  });

  it("follows sections across context lines: a closed devDependencies is no longer the section", () => {
    const patch = hunk('     "eslint": "^9.0.0"', "   },", '   "dependencies": {', '-    "chalk": "^4.1.2"', '+    "chalk": "^5.0.0"');
    expect(judgePackageJson("modified", patch).impact).toBe("high");
  });

  it("treats the package's own version and packageManager as no dependency", () => {
    expect(judgePackageJson("modified", hunk('-  "version": "1.9.0",', '+  "version": "2.0.0",')).impact).toBe("medium");
    expect(judgePackageJson("modified", hunk('-  "packageManager": "pnpm@8.15.0",', '+  "packageManager": "pnpm@9.1.0",')).impact).toBe("medium");
  });

  it("stays high for anything that is not a version bump", () => {
    const cases = [
      hunk('+    "left-pad": "^1.3.0",'), // a new dependency
      hunk('-    "left-pad": "^1.3.0",'), // a removed one
      hunk('-    "lodash": "^4.17.20",', '+    "lodash-es": "^4.17.21",'), // a swap
      hunk('-    "build": "tsc",', '+    "build": "tsc -p tsconfig.build.json",'), // a script
      hunk('-  "main": "index.js",', '+  "main": "lib/index.js",'),
      hunk('+  "exports": {', '+    ".": "./index.js"', "+  },"),
    ];
    for (const patch of cases) expect(judgePackageJson("modified", patch).impact).toBe("high");
    expect(judgePackageJson("added", hunk('+  "name": "x"')).impact).toBe("high");
    expect(judgePackageJson("removed", undefined).impact).toBe("high");
    expect(judgePackageJson("modified", undefined)).toEqual({ impact: "high", reason: "no patch to read" });
  });
});

describe("lockfiles", () => {
  it("sees a major bump in npm, yarn and pnpm lockfiles", () => {
    expect(lockfileShowsMajorBump(hunk('-      "version": "4.17.20",', '+      "version": "5.0.0",'))).toBe(true);
    expect(lockfileShowsMajorBump(hunk('-  version "7.5.4"', '+  version "8.0.0"'))).toBe(true);
    expect(lockfileShowsMajorBump(hunk("-  /semver@7.5.4:", "+  /semver@8.0.0:"))).toBe(true);
  });

  it("sees none in minor bumps, hashes, or versions that move between hunks", () => {
    const minor = hunk(
      '-      "version": "4.17.20",',
      '-      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",',
      '-      "integrity": "sha512-abc",',
      '+      "version": "4.17.21",',
      '+      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",',
      '+      "integrity": "sha512-def",',
    );
    expect(lockfileShowsMajorBump(minor)).toBe(false);
    expect(lockfileShowsMajorBump(`${hunk('-      "version": "4.17.20",')}\n${hunk('+      "version": "5.0.0",')}`)).toBe(false);
  });

  it("a lockfile changed alone is medium, high with a visible major bump or when added or removed", () => {
    expect(judgeLoneLockfile("modified", hunk('-  version "7.5.4"', '+  version "7.6.0"')).impact).toBe("medium");
    expect(judgeLoneLockfile("modified", undefined).impact).toBe("medium");
    expect(judgeLoneLockfile("modified", hunk('-  version "7.5.4"', '+  version "8.0.0"')).impact).toBe("high");
    expect(judgeLoneLockfile("added", undefined).impact).toBe("high");
    expect(judgeLoneLockfile("removed", undefined).impact).toBe("high");
  });
});
