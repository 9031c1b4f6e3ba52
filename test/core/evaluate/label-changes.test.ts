import { describe, expect, it } from "vitest";
import { labelChanges } from "../../../src/core/evaluate/label-changes.js";

const DAY = 86_400;
const changes = [
  { sha: "a", time: 0 },
  { sha: "b", time: 10 * DAY },
  { sha: "c", time: 20 * DAY },
  { sha: "fix", time: 50 * DAY },
  { sha: "late", time: 95 * DAY },
  { sha: "end", time: 100 * DAY },
];

describe("labelChanges", () => {
  it("marks changes a fix blamed within the window, and leaves out those too recent to judge", () => {
    const labels = labelChanges(
      changes,
      [
        { fix: "fix", fixTime: 50 * DAY, introducer: "b" },
        // 50 days after "a": outside a 45-day window, so "a" stays clean.
        { fix: "fix", fixTime: 50 * DAY, introducer: "a" },
        // Unknown commits (before the history read) are ignored.
        { fix: "fix", fixTime: 50 * DAY, introducer: "zzz" },
      ],
      45 * DAY,
    );
    expect(labels).toEqual(["clean", "risky", "clean", "clean", "too-recent", "too-recent"]);
  });

  it("ignores a link whose fix predates the change it blames", () => {
    expect(labelChanges(changes, [{ fix: "b", fixTime: 10 * DAY, introducer: "c" }], 60 * DAY)[2]).toBe("clean");
  });
});
