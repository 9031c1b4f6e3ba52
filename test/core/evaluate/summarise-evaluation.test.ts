import { describe, expect, it } from "vitest";
import { FACTOR_NAMES, type FactorName, type Level } from "../../../src/config/schema.js";
import { DEFAULT_BANDS } from "../../../src/config/schema.js";
import { BAND_MULTIPLES, bandsForBaseRate, calibrateWeights, CalibrationError, weightedLikelihood } from "../../../src/core/evaluate/calibrate-weights.js";
import type { ChangeLabel } from "../../../src/core/evaluate/label-changes.js";
import { calibrationByDecile, summariseEvaluation, type ScoredChange } from "../../../src/core/evaluate/summarise-evaluation.js";

function change(time: number, label: ChangeLabel, level: Level, values: Partial<Record<FactorName, number>>, linesAdded = 0): ScoredChange {
  const factors = Object.fromEntries(FACTOR_NAMES.map((n) => [n, { value: values[n] ?? 0, raw: values[n] ?? 0 }])) as ScoredChange["factors"];
  factors.size.raw = linesAdded;
  const likelihood = weightedLikelihood({ factors }, { size: 0.5, fix: 0.5 });
  return { sha: `c${time}`, time, title: "", label, level, impact: level, score: Math.round(likelihood * 100), likelihood, probability: likelihood, factors };
}

describe("summariseEvaluation", () => {
  const changes = [
    change(1, "clean", "low", { size: 0.1 }, 2),
    change(2, "clean", "low", { size: 0.2, fix: 1 }, 5),
    change(3, "risky", "medium", { size: 0.9 }, 400),
    change(4, "clean", "medium", { size: 0.5 }, 40),
    change(5, "risky", "high", { size: 0.6, fix: 1 }, 60),
    change(6, "too-recent", "critical", { size: 1 }, 2000),
  ];

  it("counts only labelled changes and ranks by likelihood, score and each factor's raw measure", () => {
    const summary = summariseEvaluation(changes);
    expect(summary).toMatchObject({ changes: 5, risky: 2, shareRisky: 0.4 });
    // Likelihoods: 0.05, 0.6, 0.45, 0.25, 0.8 → risky 0.45 beats 0.05 and 0.25 only; 0.8 beats all.
    expect(summary.auc.likelihood).toBeCloseTo(5 / 6, 12);
    expect(summary.auc.factors.size).toBe(1);
    // fix: risky {0, 1} vs clean {0, 1, 0}: (0.5 + 0 + 0.5) + (1 + 0.5 + 1) = 3.5 of 6.
    expect(summary.auc.factors.fix).toBeCloseTo(3.5 / 6, 12);
    expect(summary.constantFactors).toEqual(["files", "directories", "change_type", "test_gap", "static_analysis"]);
    expect(summary.levels).toEqual([
      { level: "low", changes: 2, risky: 0, shareRisky: 0 },
      { level: "medium", changes: 2, risky: 1, shareRisky: 0.5 },
      { level: "high", changes: 1, risky: 1, shareRisky: 1 },
      { level: "critical", changes: 0, risky: 0, shareRisky: undefined },
    ]);
  });
});

describe("the lead's share and calibration by decile", () => {
  it("counts the changes at high and critical, and the share of the risky ones among them", () => {
    const changes = [
      change(1, "clean", "low", { size: 0.1 }),
      change(2, "clean", "medium", { size: 0.2 }),
      change(3, "risky", "high", { size: 0.9 }),
      change(4, "clean", "high", { size: 0.8 }),
      change(5, "risky", "medium", { size: 0.5 }),
      change(6, "risky", "critical", { size: 1 }),
      change(7, "clean", "low", { size: 0.1 }),
      change(8, "clean", "low", { size: 0.1 }),
    ];
    expect(summariseEvaluation(changes).lead).toEqual({ changes: 3, share: 3 / 8, risky: 2, shareOfRisky: 2 / 3 });
  });

  it("cuts the changes, ranked by probability, into tenths and sets each one's mean probability beside its share risky", () => {
    const changes = Array.from({ length: 20 }, (_, i) => ({ probability: i / 20, label: (i >= 16 ? "risky" : "clean") as ChangeLabel }));
    const deciles = calibrationByDecile(changes);
    expect(deciles).toHaveLength(10);
    expect(deciles[0]).toEqual({ changes: 2, from: 0, to: 0.05, predicted: 0.025, observed: 0 });
    expect(deciles[9]).toEqual({ changes: 2, from: 0.9, to: 0.95, predicted: 0.925, observed: 1 });
    expect(deciles.reduce((n, d) => n + d.changes, 0)).toBe(20);
  });
});

describe("bands", () => {
  it("are multiples of the base rate, rounded and rising, and the defaults are the calibration projects' base rate's", () => {
    expect(BAND_MULTIPLES).toEqual({ medium: 1, high: 2.5, very_high: 3.5 });
    expect(bandsForBaseRate(0.2074)).toEqual(DEFAULT_BANDS);
    expect(bandsForBaseRate(0.1)).toEqual({ medium: 0.1, high: 0.25, very_high: 0.35 });
    // A high base rate cannot push a band past certainty, and the bands still rise.
    expect(bandsForBaseRate(0.5)).toEqual({ medium: 0.5, high: 0.99, very_high: 0.995 });
  });
});

describe("calibrateWeights", () => {
  it("fits on the older changes and measures on the newer ones only", () => {
    // Older 70 %: size separates perfectly. Newer 30 %: size is reversed, so a held-out AUC
    // of 0 proves the figure comes from the later changes, not from the fitted ones.
    const older = Array.from({ length: 14 }, (_, i) => change(i, i % 2 ? "risky" : "clean", "low", { size: i % 2 ? 0.9 : 0.1 }, i % 2 ? 500 : 3));
    const newer = Array.from({ length: 6 }, (_, i) => change(100 + i, i % 2 ? "risky" : "clean", "low", { size: i % 2 ? 0.1 : 0.9 }, i % 2 ? 3 : 500));
    const calibration = calibrateWeights([...newer, ...older], { size: 1 });
    expect(calibration.train).toMatchObject({ changes: 14, risky: 7, from: 0, to: 13 });
    expect(calibration.heldOut).toMatchObject({ changes: 6, risky: 3, from: 100, to: 105 });
    expect(calibration.rounded).toMatchObject({ size: 1, fix: 0, files: 0 });
    expect(calibration.fitted.weights.size).toBeGreaterThan(1);
    expect(calibration.heldOutAuc).toEqual({ rounded: 0, fitted: 0, current: 0, linesAdded: 0 });
  });

  it("refuses a history whose older part has a single class", () => {
    const all = Array.from({ length: 10 }, (_, i) => change(i, i < 8 ? "clean" : "risky", "low", { size: 0.5 }));
    expect(() => calibrateWeights(all, {})).toThrow(CalibrationError);
  });
});
