import { describe, expect, it } from "vitest";
import { compareAucs, rocAuc, rocAucWithSe } from "../../../src/core/evaluate/roc-auc.js";

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

/** DeLong's components and variance straight from the definition, pair by pair. */
function bruteDeLong(scores: number[], labels: boolean[]) {
  const pos = scores.filter((_, i) => labels[i]);
  const neg = scores.filter((_, i) => !labels[i]);
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  const v10 = pos.map((x) => neg.reduce((s, y) => s + psi(x, y), 0) / neg.length);
  const v01 = neg.map((y) => pos.reduce((s, x) => s + psi(x, y), 0) / pos.length);
  const auc = v10.reduce((a, b) => a + b, 0) / v10.length;
  const variance = (v: number[]) => v.reduce((s, x) => s + (x - auc) ** 2, 0) / (v.length - 1);
  return { auc, v10, v01, se: Math.sqrt(variance(v10) / v10.length + variance(v01) / v01.length) };
}

describe("rocAucWithSe (DeLong)", () => {
  const scores = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3];
  const labels = [true, false, true, false, false, true, false, true, true, false, false, true, false, false, true, false];

  it("matches the pairwise definition of the AUC and of its variance, ties included", () => {
    const brute = bruteDeLong(scores, labels);
    const estimate = rocAucWithSe(scores, labels)!;
    expect(estimate.auc).toBeCloseTo(brute.auc, 12);
    expect(estimate.auc).toBeCloseTo(rocAuc(scores, labels)!, 12);
    expect(estimate.se).toBeCloseTo(brute.se, 12);
    expect(estimate).toMatchObject({ positives: 7, negatives: 9 });
  });

  it("shrinks like 1/√n: the same data four times over has about half the standard error", () => {
    const once = rocAucWithSe(scores, labels)!;
    const four = rocAucWithSe([...scores, ...scores, ...scores, ...scores], [...labels, ...labels, ...labels, ...labels])!;
    expect(four.auc).toBeCloseTo(once.auc, 12);
    expect(four.se / once.se).toBeGreaterThan(0.45);
    expect(four.se / once.se).toBeLessThan(0.55);
  });

  it("is undefined with one class", () => {
    expect(rocAucWithSe([1, 2, 3], [false, false, false])).toBeUndefined();
  });
});

describe("compareAucs (paired DeLong)", () => {
  const labels = [true, false, true, false, false, true, false, true, true, false];
  const a = [0.9, 0.1, 0.8, 0.3, 0.2, 0.7, 0.4, 0.6, 0.95, 0.5];
  const b = [0.5, 0.2, 0.9, 0.1, 0.6, 0.3, 0.4, 0.8, 0.7, 0.45];

  it("gives the difference of the two AUCs with the paired standard error", () => {
    const result = compareAucs(a, b, labels)!;
    expect(result.a).toBeCloseTo(rocAuc(a, labels)!, 12);
    expect(result.b).toBeCloseTo(rocAuc(b, labels)!, 12);
    expect(result.difference).toBeCloseTo(result.a - result.b, 12);
    // From the definition: var(V10_a − V10_b)/m + var(V01_a − V01_b)/n.
    const ba = bruteDeLong(a, labels);
    const bb = bruteDeLong(b, labels);
    const variance = (v: number[]) => {
      const m = v.reduce((s, x) => s + x, 0) / v.length;
      return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1);
    };
    const d10 = ba.v10.map((v, i) => v - bb.v10[i]!);
    const d01 = ba.v01.map((v, i) => v - bb.v01[i]!);
    expect(result.se).toBeCloseTo(Math.sqrt(variance(d10) / d10.length + variance(d01) / d01.length), 12);
  });

  it("has no error at all when a score is compared with itself", () => {
    expect(compareAucs(a, a, labels)).toMatchObject({ difference: 0, se: 0 });
  });
});
