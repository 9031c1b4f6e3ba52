import { describe, expect, it } from "vitest";
import { rocAuc } from "../../../src/core/evaluate/roc-auc.js";

describe("rocAuc", () => {
  it("is 1 when every positive outranks every negative, 0 when reversed", () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
  });

  it("counts a tie between a positive and a negative as one half", () => {
    // Pairs (pos, neg): (2,1) win, (2,2) tie, (3,1) win, (3,2) win → 3.5 / 4.
    expect(rocAuc([1, 2, 2, 3], [false, true, false, true])).toBe(0.875);
    // A constant score ranks nothing: exactly chance, whatever the class balance.
    expect(rocAuc([5, 5, 5, 5, 5], [true, false, false, false, false])).toBe(0.5);
  });

  it("matches the pairwise definition on a mixed example", () => {
    const scores = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    const labels = [true, false, true, false, false, true, false, true, true, false, false];
    let wins = 0;
    let pairs = 0;
    scores.forEach((p, i) => {
      if (!labels[i]) return;
      scores.forEach((n, j) => {
        if (labels[j]) return;
        pairs++;
        wins += p > n ? 1 : p === n ? 0.5 : 0;
      });
    });
    expect(rocAuc(scores, labels)).toBeCloseTo(wins / pairs, 12);
  });

  it("is undefined with only one class, and refuses mismatched inputs", () => {
    expect(rocAuc([1, 2], [true, true])).toBeUndefined();
    expect(rocAuc([], [])).toBeUndefined();
    expect(() => rocAuc([1], [true, false])).toThrow(/1 scores but 2 labels/);
  });
});
