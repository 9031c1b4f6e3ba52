import { describe, expect, it } from "vitest";
import { matchCodeowners } from "../../src/core/match-codeowners.js";
import { parseCodeowners } from "../../src/core/parse-codeowners.js";

const FILE = `
# Default owners, overridden below for what they do not own.
*                   @acme/everyone
/src/payments/**    @alice @acme/payments
*.md                @docs-team-lead
/src/payments/README.md
/src/auth/          mail@example.com @bob
`;

const match = (files: string[]) => matchCodeowners(parseCodeowners(FILE).rules, files);

describe("matchCodeowners", () => {
  it("gives each file the owners of the last pattern that matches it", () => {
    const result = match(["src/payments/charge.ts", "src/app.ts", "docs/guide.md", "src/payments/ledger/entry.ts"]);
    expect(result.owners).toEqual([
      { owner: "@acme/everyone", isTeam: true, files: ["src/app.ts"], patterns: ["*"] },
      { owner: "@alice", isTeam: false, files: ["src/payments/charge.ts", "src/payments/ledger/entry.ts"], patterns: ["/src/payments/**"] },
      { owner: "@acme/payments", isTeam: true, files: ["src/payments/charge.ts", "src/payments/ledger/entry.ts"], patterns: ["/src/payments/**"] },
      { owner: "@docs-team-lead", isTeam: false, files: ["docs/guide.md"], patterns: ["*.md"] },
    ]);
    expect(result.unowned).toEqual([]);
  });

  it("leaves a file unowned when its last matching line has no owners", () => {
    const result = match(["src/payments/README.md"]);
    expect(result.owners).toEqual([]);
    expect(result.unowned).toEqual(["src/payments/README.md"]);
  });

  it("lists an owner's patterns by how many files each gave them", () => {
    const rules = parseCodeowners("*.ts @alice\n/lib/ @alice\n").rules;
    expect(matchCodeowners(rules, ["a.ts", "lib/x.js", "lib/y.js"]).owners).toEqual([
      { owner: "@alice", isTeam: false, files: ["a.ts", "lib/x.js", "lib/y.js"], patterns: ["/lib/", "*.ts"] },
    ]);
  });

  it("skips email owners with a note, keeping the other owners of the line", () => {
    const result = match(["src/auth/login.ts", "src/auth/token.ts"]);
    expect(result.owners.map((o) => o.owner)).toEqual(["@bob"]);
    expect(result.notes).toEqual([
      "mail@example.com owns 2 changed files by CODEOWNERS but is an email address, which cannot be requested as a reviewer; skipped.",
    ]);
  });

  it("owns nothing when no pattern matches", () => {
    const result = matchCodeowners(parseCodeowners("/docs/ @a\n").rules, ["src/a.ts"]);
    expect(result).toEqual({ owners: [], unowned: ["src/a.ts"], notes: [] });
  });
});
