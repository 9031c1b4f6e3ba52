import { describe, expect, it } from "vitest";
import { fitWeights, roundWeights } from "../../../src/core/evaluate/fit-weights.js";

/** A deterministic pseudo-random generator, so the data set is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("fitWeights", () => {
  // Column 0 drives the outcome, column 1 is noise, column 2 works against it.
  const random = lcg(42);
  const rows: number[][] = [];
  const labels: boolean[] = [];
  for (let i = 0; i < 2000; i++) {
    const signal = random();
    const noise = random();
    const against = random();
    const p = 1 / (1 + Math.exp(-(-2 + 4 * signal - 3 * against)));
    rows.push([signal, noise, against]);
    labels.push(random() < p);
  }

  it("gives the predictive factor the weight, keeps weights non-negative and fits the base rate in the intercept", () => {
    const fit = fitWeights(rows, labels, { lambda: 0.001 });
    const [signal, noise, against] = fit.weights;
    expect(signal).toBeGreaterThan(2.5);
    expect(noise).toBeLessThan(0.4);
    // Unconstrained logistic regression would give about -3 here; shipped weights are ≥ 0.
    expect(against).toBe(0);
    expect(fit.intercept).toBeLessThan(0);
    expect(fit.iterations).toBeLessThan(5000);
  });

  it("shrinks weights as the L2 penalty grows", () => {
    const loose = fitWeights(rows, labels, { lambda: 0.001 });
    const tight = fitWeights(rows, labels, { lambda: 1 });
    expect(tight.weights[0]!).toBeLessThan(loose.weights[0]!);
    expect(tight.logLoss).toBeGreaterThan(loose.logLoss);
  });

  it("refuses rows and labels that do not line up", () => {
    expect(() => fitWeights([[1]], [true, false])).toThrow(/as many labels as rows/);
    expect(() => fitWeights([[1], [1, 2]], [true, false])).toThrow(/same number of factors/);
  });
});

describe("roundWeights", () => {
  it("scales to a sum of exactly 1 in steps of 0.05", () => {
    expect(roundWeights([3, 1, 0])).toEqual([0.75, 0.25, 0]);
    const rounded = roundWeights([2.2, 1.05, 0.4, 0.35]);
    expect(rounded).toEqual([0.55, 0.25, 0.1, 0.1]);
    expect(rounded.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
  });

  it("puts the rounding remainder on the largest weight", () => {
    // Thirds round to 0.35 each (1.05 in all); the largest (first) gives back 0.05.
    expect(roundWeights([1, 1, 1])).toEqual([0.3, 0.35, 0.35]);
  });

  it("leaves all-zero weights at zero", () => {
    expect(roundWeights([0, 0])).toEqual([0, 0]);
  });
});
