import type { Band, FactorName, Level } from "../config/schema.js";

export type { Band, FactorName, Level };

/** One changed file, shaped like an entry of GitHub's "list pull request files" answer. */
export interface ChangedFile {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  additions: number;
  deletions: number;
  changes?: number;
  /** Unified diff hunks; GitHub omits it for binary files and very large diffs. */
  patch?: string;
  previous_filename?: string;
}

/** The facts about a pull request that the risk model reads. */
export interface PullRequestFacts {
  number: number;
  title: string;
  /** Head branch name. */
  headRef: string;
  labels: string[];
  /** The PR's own totals; authoritative when the file list is truncated. */
  additions: number;
  deletions: number;
  changedFiles: number;
}

export interface Factor {
  name: FactorName;
  /** Normalised value, 0–1. */
  value: number;
  /** The measurement behind the value (e.g. lines added, number of files). */
  raw: number;
  weight: number;
  /** value × weight. */
  contribution: number;
  /** One human sentence: what was measured and why it counts. */
  detail: string;
}

export interface ImpactMatch {
  file: string;
  impact: Level;
  /** The glob that matched, or the built-in kind ("dependency manifest", …), or "default". */
  rule: string;
  source: "config" | "builtin" | "default" | "docs";
  reason?: string;
  /** Set when the rule matched the file's previous name (a rename), not its new one. */
  matchedName?: string;
}

export interface FocusFile {
  file: string;
  impact: Level;
  additions: number;
  reason: string;
}

export interface RiskAssessment {
  level: Level;
  /** 0–100, monotone in likelihood and in impact. */
  score: number;
  likelihood: {
    /** Weighted sum of the factors, 0–1. */
    value: number;
    /**
     * Probability that a change like this needs a fix within a year: the likelihood through
     * the logistic `risk.link`. The band is set on it (`risk.bands`).
     */
    probability: number;
    band: Band;
    factors: Factor[];
    /** Where the link was fitted: the built-in calibration projects, or the repository's own `risk.link`. */
    calibratedOn: "calibration projects" | "risk.link";
  };
  impact: {
    level: Level;
    matches: ImpactMatch[];
    /** One sentence saying which file set the impact and why. */
    summary?: string;
  };
  focusFiles: FocusFile[];
  /** Things the reader must know, e.g. "file list truncated, PR totals used". */
  notes: string[];
  counts: {
    files: number;
    ignoredFiles: number;
    testFiles: number;
    sourceFiles: number;
    /** Added lines of code in code files outside tests and ignored files (the size factor). */
    linesAdded: number;
    linesDeleted: number;
    directories: number;
    /** Code files (code-files.ts) that are neither tests nor ignored, and what they hold. */
    codeFiles: number;
    /** Distinct directories of those files. */
    codeDirectories: number;
    /** Distinct packages (package-of.ts) of those files; a single-package repository has 1. */
    packages: number;
    /** The most distinct directories of those files within any one package. */
    packageDirectories: number;
    /** Added lines of code in the one file with the most. */
    largestFileLines: number;
    /** Hunks in their patches. */
    hunks: number;
  };
}

export interface ScoreRiskInput {
  files: ChangedFile[];
  pr: PullRequestFacts;
  config: import("../config/schema.js").RiskConfig;
  /**
   * Errors found by static analysis on changed lines (SPEC §7), and the files it could not
   * check for reasons their author controls; absent when not run.
   */
  analysis?: { errors: number; unchecked?: number };
  /** Path of the app's own config file (a built-in sensitive kind). */
  configPath?: string;
}
