import { describe, expect, it } from "vitest";
import { busyReason, chooseReviewers, MAX_STATUS_TEXT, type ChooseReviewersInput } from "../../src/core/choose-reviewers.js";
import { configSchema } from "../../src/config/schema.js";

const config = (routing: Record<string, unknown> = {}) =>
  configSchema.parse({ reviewers: { lead: ["alice"], seniors: ["bob", "carol", "dave"] }, routing });

const people = (...logins: string[]) => logins.map((login) => ({ login, isTeam: false }));

function input(over: Partial<ChooseReviewersInput> = {}): ChooseReviewersInput {
  return {
    level: "medium",
    config: config(),
    prNumber: 7,
    author: "erin",
    members: { lead: people("alice"), seniors: people("bob", "carol", "dave") },
    load: new Map(),
    requested: new Set(),
    reviewed: new Set(),
    ...over,
  };
}

describe("chooseReviewers", () => {
  it("says why each eligible senior was not picked: more load, or the tie-break", () => {
    const choice = chooseReviewers(input({ load: new Map([["bob", 3], ["carol", 1], ["dave", 1]]) }));
    const picked = choice.picks[0]!.login;
    const other = picked === "carol" ? "dave" : "carol";
    expect(choice.skipped).toEqual([
      { login: other, group: "seniors", reason: `as loaded as @${picked} (1 open review request); the tie-break seeded by PR #7 chose @${picked}` },
      { login: "bob", group: "seniors", reason: `has 3 open review requests; @${picked} had fewer` },
    ]);
  });

  it("keeps saying who was passed over once the pick is on the PR, so the comment does not lose it", () => {
    const choice = chooseReviewers(input({ author: "bob", requested: new Set(["carol"]) }));
    expect(choice.picks).toEqual([]);
    expect(choice.kept.map((k) => k.login)).toEqual(["carol"]);
    expect(choice.skipped).toEqual([
      { login: "bob", group: "seniors", reason: "is the author" },
      { login: "dave", group: "seniors", reason: "not needed: @carol already reviews for seniors" },
    ]);
  });

  it("picks the least-loaded senior for medium risk and says why", () => {
    const choice = chooseReviewers(input({ load: new Map([["bob", 3], ["carol", 1], ["dave", 2]]) }));
    expect(choice.picks).toEqual([{ login: "carol", isTeam: false, group: "seniors", load: 1, reason: "seniors: least loaded (1 open review request)" }]);
  });

  it("routes critical risk to the lead and a senior, never the same person twice", () => {
    const choice = chooseReviewers(input({ level: "critical", members: { lead: people("alice", "bob"), seniors: people("bob", "carol") }, load: new Map([["alice", 4]]) }));
    expect(choice.picks.map((p) => `${p.group}:${p.login}`)).toEqual(["lead:bob", "seniors:carol"]);
  });

  it("never picks the author, bots, away people or people over max_load, and explains each", () => {
    const choice = chooseReviewers(
      input({
        author: "bob",
        config: config({ away: ["carol"], max_load: 2 }),
        members: { lead: people("alice"), seniors: people("bob", "carol", "dave", "ci[bot]", "frank") },
        load: new Map([["dave", 2]]),
      }),
    );
    expect(choice.picks.map((p) => p.login)).toEqual(["frank"]);
    expect(choice.skipped).toEqual([
      { login: "bob", group: "seniors", reason: "is the author" },
      { login: "carol", group: "seniors", reason: "is away" },
      { login: "dave", group: "seniors", reason: "has 2 open review requests (max_load 2)" },
      { login: "ci[bot]", group: "seniors", reason: "is a bot" },
    ]);
  });

  it("counts people already requested or who reviewed towards the group, so nothing is requested twice", () => {
    const again = chooseReviewers(input({ requested: new Set(["dave"]) }));
    expect(again.picks).toEqual([]);
    expect(again.kept.map((k) => k.login)).toEqual(["dave"]);
    const reviewed = chooseReviewers(input({ reviewed: new Set(["carol"]) }));
    expect(reviewed.picks).toEqual([]);
    expect(reviewed.kept[0]!.reason).toBe("seniors: already reviewed this PR");
  });

  it("falls back to the next group when the author is the only lead, and says so", () => {
    const choice = chooseReviewers(input({ level: "high", author: "alice" }));
    expect(choice.picks.map((p) => `${p.group}:${p.login}`)).toHaveLength(1);
    expect(choice.picks[0]!.group).toBe("seniors");
    expect(choice.notes).toEqual(["The author is the only member of lead; picked from seniors instead."]);
  });

  it("drops people GitHub refused and picks the next", () => {
    const choice = chooseReviewers(input({ unavailable: new Map([["bob", "no access"]]), load: new Map([["bob", 0], ["carol", 1], ["dave", 2]]) }));
    expect(choice.picks.map((p) => p.login)).toEqual(["carol"]);
    expect(choice.skipped).toContainEqual({ login: "bob", group: "seniors", reason: "no access" });
  });

  it("is deterministic per PR number and spreads ties across PRs", () => {
    const first = chooseReviewers(input({ prNumber: 11 }));
    expect(chooseReviewers(input({ prNumber: 11 }))).toEqual(first);
    const picked = new Set(Array.from({ length: 30 }, (_, i) => chooseReviewers(input({ prNumber: i + 1 })).picks[0]!.login));
    expect(picked).toEqual(new Set(["bob", "carol", "dave"]));
  });

  it("rotates through the group with round-robin", () => {
    const rr = (n: number) => chooseReviewers(input({ prNumber: n, config: config({ strategy: "round-robin" }) })).picks[0]!.login;
    expect([rr(0), rr(1), rr(2), rr(3)]).toEqual(["bob", "carol", "dave", "bob"]);
  });

  it("draws at random seeded by the PR number", () => {
    const random = (n: number) => chooseReviewers(input({ prNumber: n, config: config({ strategy: "random" }) })).picks[0]!;
    expect(random(5)).toEqual(random(5));
    expect(random(5).reason).toContain("drawn at random, seeded by PR #5");
  });

  it("requests a team as a whole when asked to", () => {
    const choice = chooseReviewers(input({ members: { lead: people("alice"), seniors: [{ login: "@acme/backend", isTeam: true }] } }));
    expect(choice.picks).toEqual([{ login: "@acme/backend", isTeam: true, group: "seniors", load: 0, reason: "seniors: team requested as a whole" }]);
  });

  it("says so when a routing group is not defined, or too few people are available", () => {
    const choice = chooseReviewers(input({ level: "high", members: { seniors: [] }, config: configSchema.parse({ reviewers: { seniors: [] } }) }));
    expect(choice.picks).toEqual([]);
    expect(choice.notes).toEqual(['Group "lead" is not defined under reviewers, so nobody was picked from it.']);
  });

  it("picks from owners by load like any group, and says why each is in it", () => {
    const owners = [
      { login: "bob", isTeam: false, via: "owner of src/payments/** via CODEOWNERS" },
      { login: "carol", isTeam: false, via: "owner of src/payments/** via CODEOWNERS" },
      { login: "dave", isTeam: false, via: "owner of *.md via CODEOWNERS" },
    ];
    const choice = chooseReviewers(
      input({
        config: configSchema.parse({ reviewers: { owners: "codeowners" }, routing: { medium: [{ from: "owners", count: 1 }] } }),
        members: { owners },
        load: new Map([["bob", 2], ["carol", 0], ["dave", 1]]),
      }),
    );
    expect(choice.picks).toEqual([
      { login: "carol", isTeam: false, group: "owners", load: 0, reason: "owners: owner of src/payments/** via CODEOWNERS, least loaded (0 open review requests)" },
    ]);
  });

  it("treats busy people as away, quoting their status, unless respect_busy is off", () => {
    const busy = new Map([["bob", "On leave until Monday"], ["carol", ""]]);
    const choice = chooseReviewers(input({ busy, load: new Map([["bob", 0], ["carol", 0], ["dave", 3]]) }));
    expect(choice.picks.map((p) => p.login)).toEqual(["dave"]);
    expect(choice.skipped).toEqual([
      { login: "bob", group: "seniors", reason: "is busy (GitHub status: On leave until Monday)" },
      { login: "carol", group: "seniors", reason: "is busy (GitHub status)" },
    ]);
    const ignored = chooseReviewers(input({ busy, config: config({ respect_busy: false }), load: new Map([["bob", 0], ["carol", 1], ["dave", 3]]) }));
    expect(ignored.picks.map((p) => p.login)).toEqual(["bob"]);
  });

  it("keeps a busy person who is already on the PR", () => {
    const choice = chooseReviewers(input({ busy: new Map([["bob", "away"]]), requested: new Set(["bob"]) }));
    expect(choice.kept.map((k) => k.login)).toEqual(["bob"]);
    expect(choice.picks).toEqual([]);
  });

  it("keeps a status message to one short line", () => {
    expect(busyReason("  back\n\tsoon\u2028ok  ")).toBe("is busy (GitHub status: back soon ok)");
    const long = busyReason("x".repeat(500));
    expect(long).toBe(`is busy (GitHub status: ${"x".repeat(MAX_STATUS_TEXT - 1)}…)`);
    // Text is left as typed (the renderers escape it); only its length and lines change.
    expect(busyReason("<b>@team</b>")).toBe("is busy (GitHub status: <b>@team</b>)");
  });
});
