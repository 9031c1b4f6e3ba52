import { describe, expect, it } from "vitest";
import { fitLink, linkProbability } from "../../../src/core/evaluate/fit-link.js";
import { seededRandom } from "../../../bench/support/seeded-random.js";

/** Changes whose sums are uniform on 0–1 and whose labels follow a known link. */
function sample(n: number, intercept: number, slope: number, seed: number) {
  const random = seededRandom(seed);
  const sums: number[] = [];
  const labels: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const sum = random();
    sums.push(sum);
    labels.push(random() < linkProbability({ intercept, slope }, sum));
  }
  return { sums, labels };
}

describe("fitLink", () => {
  it("recovers the link the labels were drawn from", () => {
    const { sums, labels } = sample(40_000, -3, 4, 17);
    const link = fitLink(sums, labels);
    expect(Math.abs(link.intercept + 3)).toBeLessThan(0.15);
    expect(Math.abs(link.slope - 4)).toBeLessThan(0.25);
  });

  it("is the maximum-likelihood fit: predicted and observed totals agree", () => {
    const { sums, labels } = sample(5_000, -1.5, 2, 3);
    const link = fitLink(sums, labels);
    const predicted = sums.reduce((s, x) => s + linkProbability(link, x), 0);
    expect(predicted).toBeCloseTo(labels.filter(Boolean).length, 3);
  });

  it("gives the base rate and a flat slope when the sum is the same for every change", () => {
    const link = fitLink([0.4, 0.4, 0.4, 0.4], [true, false, false, false]);
    expect(link.slope).toBe(0);
    expect(linkProbability(link, 0.4)).toBeCloseTo(0.25, 12);
  });

  it("weighs rows: a project's rows at 1/size count as much as a longer history", () => {
    // Two "projects": one small with a 50 % base rate, one ten times larger with 10 %.
    const sums = new Array<number>(110).fill(0.5);
    const labels = [...Array.from({ length: 10 }, (_, i) => i < 5), ...Array.from({ length: 100 }, (_, i) => i < 10)];
    const weights = [...new Array<number>(10).fill(1 / 10), ...new Array<number>(100).fill(1 / 100)];
    expect(linkProbability(fitLink(sums, labels), 0.5)).toBeCloseTo(15 / 110, 10);
    expect(linkProbability(fitLink(sums, labels, weights), 0.5)).toBeCloseTo(0.3, 10);
  });

  it("refuses a single class", () => {
    expect(() => fitLink([0.1, 0.2], [false, false])).toThrow(/both/);
  });
});
