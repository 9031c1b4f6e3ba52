import { describe, expect, it } from "vitest";
import { mergeGroupMembers } from "../../src/core/merge-group-members.js";

describe("mergeGroupMembers", () => {
  it("appends the extra members of a group after the config's, each person once, keeping an owner's via", () => {
    const merged = mergeGroupMembers(
      { lead: [{ login: "alice", isTeam: false }], seniors: [{ login: "Bob", isTeam: false }] },
      { seniors: [{ login: "bob", isTeam: false, via: "owner of a via CODEOWNERS" }, { login: "carol", isTeam: false, via: "owner of b via CODEOWNERS" }], owners: [] },
    );
    expect(merged).toEqual({
      lead: [{ login: "alice", isTeam: false }],
      seniors: [
        { login: "Bob", isTeam: false, via: "owner of a via CODEOWNERS" },
        { login: "carol", isTeam: false, via: "owner of b via CODEOWNERS" },
      ],
      owners: [],
    });
  });
});
