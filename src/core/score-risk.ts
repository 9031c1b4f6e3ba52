import { BANDS, DEFAULT_LINK, FACTOR_NAMES, LEVELS, type RiskConfig } from "../config/schema.js";
import { countAddedCodeLines } from "./count-code-lines.js";
import { compileGlobs, newDirCache, preparePath, type GlobSet, type PreparedDir, type PreparedPath } from "./glob.js";
import { isCodeFile } from "./code-files.js";
import { packageOf } from "./package-of.js";
import { DOC_PATTERNS, NOT_DOC_PATTERNS, SENSITIVE_KINDS, judgeLoneLockfile, judgePackageJson } from "./sensitive-kinds.js";
import type {
  Band,
  ChangedFile,
  Factor,
  FactorName,
  FocusFile,
  ImpactMatch,
  Level,
  RiskAssessment,
  ScoreRiskInput,
} from "./types.js";

/**
 * The risk model of SPEC §3: likelihood (a weighted sum of capped factors) × impact (the
 * most sensitive file touched) → level, through a matrix. Pure: plain data in, plain data
 * out, so the app, the CLI and `evaluate` all score identically.
 */

/**
 * Default likelihood weights, chosen on ten open-source calibration histories to maximise the
 * worst project's ROC AUC when each project is left out of the fit, and checked on nine
 * held-out projects (docs/risk-model.md). Factors at 0 are computed and explained but carry
 * no weight: they did not improve the worst left-out project.
 */
export const DEFAULT_WEIGHTS: Readonly<Record<FactorName, number>> = Object.freeze({
  size: 0.65,
  files: 0,
  directories: 0.25,
  fix: 0.05,
  change_type: 0.05,
  test_gap: 0,
  static_analysis: 0,
});

/**
 * Likelihood band × impact → level. Impact raises the level where the likelihood is very
 * high (high impact) or at every band (critical impact, which only a repository's own rules
 * give): measured on the calibration projects, letting high impact lift low and medium
 * likelihood changes sent the lead mostly small CI, manifest and migration edits that
 * rarely needed a fix, and ranked the risky changes below lines added alone.
 */
export const DEFAULT_MATRIX: Readonly<Record<Band, Readonly<Record<Level, Level>>>> = Object.freeze({
  low: { low: "low", medium: "low", high: "low", critical: "medium" },
  medium: { low: "low", medium: "medium", high: "medium", critical: "high" },
  high: { low: "medium", medium: "high", high: "high", critical: "critical" },
  very_high: { low: "medium", medium: "high", high: "critical", critical: "critical" },
});

export const DEFAULT_CONFIG_PATH = ".github/review-triage.yml";

/** Where each factor saturates at 1 (SPEC §3). */
const SIZE_CAP_LINES = 1000;
const FILES_CAP = 50;
const DIRECTORIES_CAP = 20;
const ANALYSIS_CAP_ERRORS = 10;
const FOCUS_FILES = 5;

const RANK: Readonly<Record<Level, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

interface ImpactPattern {
  pattern: string;
  impact: Level;
  reason: string | undefined;
}

/** Everything derived from a config object alone, computed once per object. */
export interface CompiledRiskConfig {
  readonly config: RiskConfig;
  /**
   * `ignore`, `tests` and impact patterns in one set of three groups, so each path is
   * walked once. Impact patterns are ordered highest impact first, so the first match in
   * that group is the winner.
   */
  readonly paths: GlobSet;
  /** Where the impact group starts in `paths`; `impactPatterns[i]` is pattern `impactStart + i`. */
  readonly impactStart: number;
  readonly impactPatterns: readonly ImpactPattern[];
  /** Effective weights: defaults, overridden, and normalised when they add up to more than 1. */
  readonly weights: Readonly<Record<FactorName, number>>;
  readonly matrix: Readonly<Record<Band, Readonly<Record<Level, Level>>>>;
  /** Whether `risk.link` is the built-in one, fitted on the calibration projects. */
  readonly defaultLink: boolean;
  /** Notes every assessment with this config carries (normalised weights, bad patterns). */
  readonly notes: readonly string[];
}

// Config objects come from a bounded config cache and are never mutated after parsing,
// so the object itself is the cache key; a WeakMap lets unused configs be collected.
const compiledConfigs = new WeakMap<RiskConfig, CompiledRiskConfig>();

/**
 * Built-in kinds, not-docs and docs patterns in one set (one walk per path); indexes below
 * `kindCount` are sensitive kinds, then up to `notDocEnd` the exceptions to docs, then docs.
 * `docsOnly` is the same without the kinds, for configs with `sensitive: false`.
 */
interface BuiltinSets {
  all: GlobSet;
  kindCount: number;
  notDocEnd: number;
  /** The kind of each pattern below `kindCount`, by index. */
  labels: string[];
  docsOnly: GlobSet;
}

let builtins: BuiltinSets | undefined;

function builtinSets(): BuiltinSets {
  if (!builtins) {
    const kinds = SENSITIVE_KINDS.flatMap((k) => k.patterns);
    builtins = {
      all: compileGlobs([...kinds, ...NOT_DOC_PATTERNS, ...DOC_PATTERNS], { nocase: true }),
      kindCount: kinds.length,
      notDocEnd: kinds.length + NOT_DOC_PATTERNS.length,
      labels: SENSITIVE_KINDS.flatMap((k) => k.patterns.map(() => k.kind)),
      docsOnly: compileGlobs([...NOT_DOC_PATTERNS, ...DOC_PATTERNS], { nocase: true }),
    };
  }
  return builtins;
}

/**
 * What the built-in lists say about one path, as a number so that no object is made per
 * file: -1 nothing, `KIND + i` the sensitive kind `labels[i]`, `DOC` documentation.
 */
type BuiltinHit = number;
const NO_HIT = -1;
const DOC_HIT = -2;

function lookupBuiltin(sets: BuiltinSets, sensitive: boolean, path: PreparedPath): BuiltinHit {
  if (sensitive) {
    const index = sets.all.firstMatch(path);
    if (index >= sets.notDocEnd) return DOC_HIT;
    return index >= 0 && index < sets.kindCount ? index : NO_HIT;
  }
  return sets.docsOnly.firstMatch(path) >= NOT_DOC_PATTERNS.length ? DOC_HIT : NO_HIT;
}

function kindOf(sets: BuiltinSets, hit: BuiltinHit): string | undefined {
  return hit >= 0 ? sets.labels[hit] : undefined;
}

function formatNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** Cells that make the level fall as likelihood or impact rises (allowed, but surprising). */
function nonMonotoneCells(matrix: Record<Band, Record<Level, Level>>): string[] {
  const found: string[] = [];
  BANDS.forEach((band, b) => {
    LEVELS.forEach((impact, i) => {
      const level = matrix[band][impact];
      const below = [b > 0 ? matrix[BANDS[b - 1] as Band][impact] : undefined, i > 0 ? matrix[band][LEVELS[i - 1] as Level] : undefined];
      if (below.some((l) => l !== undefined && RANK[l] > RANK[level])) found.push(`${band} × ${impact} → ${level}`);
    });
  });
  return found;
}

/**
 * Compile a risk config once: glob sets, effective weights, the matrix and the notes that
 * go with them. Cached per config object, so callers may call it (or `scoreRisk`) freely.
 */
export function compileRiskConfig(config: RiskConfig): CompiledRiskConfig {
  const cached = compiledConfigs.get(config);
  if (cached) return cached;
  const notes: string[] = [];

  const ranked = config.impact
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => RANK[b.rule.impact] - RANK[a.rule.impact] || a.index - b.index);
  const impactPatterns: ImpactPattern[] = ranked.flatMap(({ rule }) =>
    rule.paths.map((pattern) => ({ pattern, impact: rule.impact, reason: rule.reason })),
  );
  const testStart = config.ignore.length;
  const impactStart = testStart + config.tests.length;
  const paths = compileGlobs([...config.ignore, ...config.tests, ...impactPatterns.map((p) => p.pattern)], {
    groups: [testStart, impactStart],
  });
  for (const problem of paths.problems) {
    const key = problem.index < testStart ? "risk.ignore" : problem.index < impactStart ? "risk.tests" : "risk.impact";
    notes.push(`${key}: ${problem.message}.`);
  }

  const raw: Record<FactorName, number> = { ...DEFAULT_WEIGHTS };
  for (const name of FACTOR_NAMES) {
    const override = config.weights[name];
    if (override !== undefined) raw[name] = override;
  }
  const sum = FACTOR_NAMES.reduce((total, name) => total + raw[name], 0);
  const weights: Record<FactorName, number> = { ...raw };
  if (sum > 1 + 1e-9) {
    for (const name of FACTOR_NAMES) weights[name] = raw[name] / sum;
    notes.push(
      `The likelihood weights add up to ${formatNumber(sum)}, so each was divided by ${formatNumber(sum)} to keep likelihood within 0–1.`,
    );
  }

  const matrix = Object.fromEntries(
    BANDS.map((band) => [band, { ...DEFAULT_MATRIX[band], ...definedCells(config.matrix[band]) }]),
  ) as Record<Band, Record<Level, Level>>;
  const odd = nonMonotoneCells(matrix);
  if (odd.length > 0) {
    notes.push(`The risk.matrix override makes the level fall as risk rises (${odd.join(", ")}); the score follows the level.`);
  }

  const compiled: CompiledRiskConfig = {
    config,
    paths,
    impactStart,
    impactPatterns,
    weights,
    matrix,
    defaultLink: config.link.intercept === DEFAULT_LINK.intercept && config.link.slope === DEFAULT_LINK.slope,
    notes,
  };
  compiledConfigs.set(config, compiled);
  return compiled;
}

function definedCells(row: Partial<Record<Level, Level | undefined>> | undefined): Partial<Record<Level, Level>> {
  const out: Partial<Record<Level, Level>> = {};
  for (const level of LEVELS) {
    const value = row?.[level];
    if (value !== undefined) out[level] = value;
  }
  return out;
}

/** Bug-fix markers: `fix`, `fixes`, `bugfix`, `hotfix`, `bug`, `regression`, as whole words
 * (so `prefix`, `fixture`, `debug` and git's `fixup!` do not count). */
const FIX_WORD = /(?<![a-z0-9])((?:bug|hot|quick)?fix(?:e[sd]|ing)?|bugs?|regressions?)(?![a-z0-9])/i;

/** `type(scope)!: subject` — the Conventional Commits header. */
const CONVENTIONAL = /^\s*([a-z]+)(?:\([^)]*\))?!?:\s/i;
const NO_BEHAVIOUR_TYPES = new Set(["build", "chore", "ci", "docs", "style", "test", "types"]);

type Category = "source" | "test" | "docs" | "ignored";

/** A file in the running for focus, with what decides its place. */
interface FileRecord {
  file: ChangedFile;
  category: Category;
  match: ImpactMatch;
  rank: number;
}

/** The probability that a change needs a fix within a year, from the likelihood (risk.link). */
export function likelihoodProbability(config: Pick<RiskConfig, "link">, likelihood: number): number {
  const z = config.link.intercept + config.link.slope * likelihood;
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The band of a probability: `risk.bands` are the lower bounds of medium, high and very high. */
export function probabilityBand(config: Pick<RiskConfig, "bands">, probability: number): Band {
  const { medium, high, very_high: veryHigh } = config.bands;
  return probability >= veryHigh ? "very_high" : probability >= high ? "high" : probability >= medium ? "medium" : "low";
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

interface ImpactContext {
  compiled: CompiledRiskConfig;
  sets: BuiltinSets;
  sensitive: boolean;
  configPath: string;
}

export function scoreRisk(input: ScoreRiskInput): RiskAssessment {
  const { files, pr } = input;
  const compiled = compileRiskConfig(input.config);
  const { config } = compiled;
  const context: ImpactContext = {
    compiled,
    sets: builtinSets(),
    sensitive: config.sensitive,
    configPath: (input.configPath ?? DEFAULT_CONFIG_PATH).replace(/^\.?\//, ""),
  };

  // Matches are bucketed by impact as they are found, and focus files kept as a running
  // top five, so a 3000-file PR needs no sort by impact (SPEC §10: ≤ 5 ms).
  const byRank: ImpactMatch[][] = [[], [], [], []];
  const focus: FileRecord[] = [];
  // One entry per distinct directory: paths in it share their split and glob walks.
  const dirs = newDirCache();
  const groups = new Int32Array(3);
  const directories = new Set<PreparedDir>();
  let ignoredFiles = 0;
  let testFiles = 0;
  let sourceFiles = 0;
  let docFiles = 0;
  let sourceChanged = false;
  let testChanged = false;
  let linesAdded = 0;
  let linesDeleted = 0;
  let listedAdditions = 0;
  let listedDeletions = 0;
  let inPathOrder = true;
  let previousName = "";
  // Code files outside tests: what the spread and size-shape measures read.
  let codeFiles = 0;
  let largestFileLines = 0;
  let hunks = 0;
  const codeDirs = new Set<PreparedDir>();
  const packages = new Map<string, Set<PreparedDir>>();
  // Lockfiles take their impact from the manifests changed with them, known only at the end.
  const lockfiles: DeferredLockfile[] = [];
  const manifests: { dir: string; impact: Level }[] = [];

  for (const file of files) {
    if (file.filename < previousName) inPathOrder = false;
    previousName = file.filename;
    listedAdditions += file.additions;
    listedDeletions += file.deletions;
    const path = preparePath(file.filename, dirs);
    const previous =
      file.previous_filename && file.previous_filename !== file.filename
        ? preparePath(file.previous_filename, dirs)
        : undefined;
    compiled.paths.firstMatchByGroup(path, groups);
    // A file one of the repository's own impact rules names (or named, before a rename) is
    // never ignored: the author names files, and code under a critical path called `*.min.js`
    // (or renamed to it) must count as what it is, in impact and in size.
    // (Only a rule above the default impact: a catch-all `**` rule does not undo the ignore list.)
    const ignored = groups[IGNORE] !== -1 && !raisedByImpactRule(compiled, groups[IMPACT] as number) && !(previous && namedByImpactRule(compiled, previous));
    const isTest = groups[TESTS] !== -1;
    // Ignored files only need the built-in kinds, and only when those are on.
    const hit = ignored && !context.sensitive ? NO_HIT : lookupBuiltin(context.sets, context.sensitive, path);
    const match = matchImpact(context, file, path, previous, ignored, hit, groups[IMPACT] as number);
    if (hit >= 0 && kindOf(context.sets, hit) === MANIFEST_KIND && match) manifests.push({ dir: path.dir.path, impact: match.impact });
    if (match?.source === "builtin" && match.rule === LOCKFILE_KIND) {
      lockfiles.push({ file, match, dir: path.dir.path, category: ignored ? "ignored" : isTest ? "test" : "source" });
      if (ignored) {
        ignoredFiles++;
        continue;
      }
    } else if (match) {
      byRank[RANK[match.impact]]?.push(match);
    }
    const rank = match ? RANK[match.impact] : -1;

    if (ignored) {
      ignoredFiles++;
      if (match) offerFocus(focus, file, "ignored", match, rank);
      continue;
    }
    directories.add(path.dir);
    if (previous) directories.add(previous.dir);
    const live = file.status !== "removed";
    let category: Category;
    if (isTest) {
      category = "test";
      testFiles++;
      testChanged ||= live;
    } else {
      if (hit === DOC_HIT) {
        category = "docs";
        docFiles++;
      } else {
        category = "source";
        sourceFiles++;
        sourceChanged ||= live;
      }
      linesDeleted += file.deletions;
      // Size reads code files only: JSON fixtures, changelogs and config lines say little
      // about how much behaviour changed (measured: lines of code rank better on every
      // calibration project). Binary files have no patch and 0 additions.
      if (category === "source" && isCodeFile(file.filename)) {
        const added = file.patch !== undefined ? countAddedCodeLines(file.filename, file.patch) : file.additions;
        linesAdded += added;
        codeFiles++;
        if (added > largestFileLines) largestFileLines = added;
        hunks += countHunks(file);
        codeDirs.add(path.dir);
        const pkg = packageOf(path.dir.segments);
        let inPackage = packages.get(pkg);
        if (!inPackage) packages.set(pkg, (inPackage = new Set()));
        inPackage.add(path.dir);
      }
    }
    if (match && match.rule !== LOCKFILE_KIND) offerFocus(focus, file, category, match, rank);
  }

  for (const lock of lockfiles) {
    settleLockfile(lock, manifests);
    const rank = RANK[lock.match.impact];
    byRank[rank]?.push(lock.match);
    offerFocus(focus, lock.file, lock.category, lock.match, rank);
  }
  // Settled lockfiles joined their buckets out of path order.
  if (lockfiles.length > 0) inPathOrder = false;

  const notes = [...compiled.notes];
  const nonIgnored = files.length - ignoredFiles;

  // GitHub lists at most 3000 files and may report 0 lines for huge diffs; the PR's own
  // totals are then the only complete figures, so what the list misses is added whole.
  const missingFiles = Math.max(0, pr.changedFiles - files.length);
  const missingAdditions = Math.max(0, pr.additions - listedAdditions);
  const missingDeletions = Math.max(0, pr.deletions - listedDeletions);
  const truncated = missingFiles > 0 || missingAdditions > 0;
  if (truncated) {
    linesAdded += missingAdditions;
    linesDeleted += missingDeletions;
    notes.push(
      `GitHub listed ${plural(files.length, "file")} with ${plural(listedAdditions, "added line")}, but the PR reports ${plural(pr.changedFiles, "changed file")} with ${plural(pr.additions, "added line")} (GitHub's file list stops at 3000 files and can omit line counts for huge diffs). Size and files use the PR's totals, counting the ${plural(missingAdditions, "unlisted line")} and ${plural(missingFiles, "unlisted file")} whole, tests, generated files and comments included; directories and impact come from the listed files only.`,
    );
  }
  const fileCount = nonIgnored + missingFiles;

  const factors = computeFactors(compiled, input, {
    linesAdded,
    fileCount,
    ignoredFiles,
    packageDirectories: Math.max(0, ...[...packages.values()].map((dirs) => dirs.size)),
    packages: packages.size,
    sourceChanged,
    testChanged,
    truncated,
    codeChanged: codeFiles + missingFiles,
  });
  const likelihood = round4(clamp01(factors.reduce((sum, factor) => sum + factor.value * factor.weight, 0)));
  const probability = round4(likelihoodProbability(config, likelihood));
  const band = probabilityBand(config, probability);

  // GitHub and git list files in path order, which each bucket then already has; any
  // other order is sorted, so shuffled input gives the same assessment.
  if (!inPathOrder) for (const bucket of byRank) bucket.sort(compareFiles);
  const matches = byRank.reduceRight<ImpactMatch[]>((all, bucket) => all.concat(bucket), []);
  let impact: Level = matches[0]?.impact ?? "low";
  let impactSummary = summariseImpact(matches, byRank[RANK[impact]]?.length ?? 0, nonIgnored, docFiles);
  if (missingFiles > 0 && RANK[config.default_impact] > RANK[impact]) {
    // Unlisted files are unknown; assume the default rather than the listed best case.
    impact = config.default_impact;
    impactSummary = `The ${plural(missingFiles, "file")} GitHub did not list are assumed to be ${impact} impact (the default).`;
  }
  if (files.length > 0 && nonIgnored === 0 && matches.length === 0) {
    notes.push("Only ignored (generated or vendored) files changed.");
  }

  const level = compiled.matrix[band][impact];
  // Score: the level sets the quarter (low 0–25, medium 25–50, high 50–75, critical 75–100)
  // and the likelihood places the PR within it. So the score is non-decreasing in
  // likelihood and in impact whenever the matrix is (the default one is), spans 0–100, and
  // a higher level never shows a lower score than a lower level. Impact counts through the
  // level only: placing PRs within a quarter by impact too ranked risky changes worse on
  // every calibration project.
  const score = Math.round(25 * (RANK[level] + likelihood));

  return {
    level,
    score: Math.min(100, Math.max(0, score)),
    likelihood: { value: likelihood, probability, band, factors, calibratedOn: compiled.defaultLink ? "calibration projects" : "risk.link" },
    impact: { level: impact, matches, summary: impactSummary },
    focusFiles: focus.map(toFocusFile),
    notes,
    counts: {
      files: fileCount,
      ignoredFiles,
      testFiles,
      sourceFiles,
      linesAdded,
      linesDeleted,
      directories: directories.size,
      codeFiles,
      codeDirectories: codeDirs.size,
      packages: packages.size,
      packageDirectories: Math.max(0, ...[...packages.values()].map((dirs) => dirs.size)),
      largestFileLines,
      hunks,
    },
  };
}

/** Hunks in a file's patch; a file without one (binary, huge) counts as one. */
function countHunks(file: ChangedFile): number {
  const patch = file.patch;
  if (patch === undefined) return file.additions + file.deletions > 0 ? 1 : 0;
  let count = patch.startsWith("@@") ? 1 : 0;
  for (let at = patch.indexOf("\n@@"); at >= 0; at = patch.indexOf("\n@@", at + 3)) count++;
  return count;
}

const MANIFEST_KIND = "dependency manifest";
const LOCKFILE_KIND = "lockfile";

interface DeferredLockfile {
  file: ChangedFile;
  match: ImpactMatch;
  dir: string;
  category: Category;
}

/**
 * A lockfile follows its manifest (sensitive-kinds.ts): the highest impact among manifests
 * changed in its directory or below (a workspace root's lockfile covers every package), and
 * its own patch only when it changed alone.
 */
function settleLockfile(lock: DeferredLockfile, manifests: readonly { dir: string; impact: Level }[]): void {
  const prefix = lock.dir === "" ? "" : `${lock.dir}/`;
  let best: Level | undefined;
  for (const manifest of manifests) {
    if (manifest.dir !== lock.dir && !manifest.dir.startsWith(prefix)) continue;
    if (best === undefined || RANK[manifest.impact] > RANK[best]) best = manifest.impact;
  }
  if (best !== undefined) {
    lock.match.impact = best;
    lock.match.reason = "follows the manifest changed with it";
    return;
  }
  const verdict = judgeLoneLockfile(lock.file.status, lock.file.patch);
  lock.match.impact = verdict.impact;
  lock.match.reason = verdict.reason;
}

/**
 * A file's impact. Order of precedence: the repository's own rules (they know best, so
 * `low` for a file beats the built-in high), then built-in sensitive kinds, then docs (low),
 * then `default_impact`. Renamed files are judged by both names, the higher winning.
 *
 * Ignored files are skipped by config rules and the default, but built-in kinds still
 * apply: `package-lock.json` is ignored by default because its lines are machine-written,
 * yet a lockfile bump changes what runs, so it must still reach high impact.
 */
function matchImpact(
  { compiled, sets, sensitive, configPath }: ImpactContext,
  changed: ChangedFile,
  path: PreparedPath,
  previous: PreparedPath | undefined,
  ignored: boolean,
  hit: BuiltinHit,
  impactHit: number,
): ImpactMatch | undefined {
  const file = path.path;
  if (!ignored && compiled.impactPatterns.length > 0) {
    const current = impactHit;
    let before = -1;
    if (previous) {
      compiled.paths.firstMatchByGroup(previous, previousGroups);
      before = previousGroups[IMPACT] as number;
    }
    const viaPrevious = before >= 0 && (current < 0 || before < current);
    const winner = viaPrevious ? before : current;
    const found = winner >= 0 ? compiled.impactPatterns[winner - compiled.impactStart] : undefined;
    if (found) {
      const match: ImpactMatch = { file, impact: found.impact, rule: found.pattern, source: "config" };
      if (found.reason !== undefined) match.reason = found.reason;
      if (viaPrevious && previous) match.matchedName = previous.path;
      return match;
    }
  }
  if (sensitive) {
    const kind = file === configPath ? CONFIG_KIND : kindOf(sets, hit);
    if (kind === MANIFEST_KIND && path.lowerName === "package.json") {
      const verdict = judgePackageJson(changed.status, changed.patch);
      return { file, impact: verdict.impact, rule: kind, source: "builtin", reason: verdict.reason };
    }
    if (kind !== undefined) return { file, impact: "high", rule: kind, source: "builtin" };
    if (previous) {
      const before = previous.path === configPath ? CONFIG_KIND : kindOf(sets, lookupBuiltin(sets, true, previous));
      if (before !== undefined) return { file, impact: "high", rule: before, source: "builtin", matchedName: previous.path };
    }
  }
  if (ignored) return undefined;
  if (hit === DOC_HIT) return { file, impact: "low", rule: "documentation", source: "docs" };
  return { file, impact: compiled.config.default_impact, rule: "default", source: "default" };
}

const CONFIG_KIND = "review-triage config";

/** Groups of `CompiledRiskConfig.paths`. */
const IGNORE = 0;
const TESTS = 1;
const IMPACT = 2;
const previousGroups = new Int32Array(3);

function raisedByImpactRule(compiled: CompiledRiskConfig, hit: number): boolean {
  if (hit < 0) return false;
  const rule = compiled.impactPatterns[hit - compiled.impactStart];
  return rule !== undefined && RANK[rule.impact] > RANK[compiled.config.default_impact];
}

function namedByImpactRule(compiled: CompiledRiskConfig, path: PreparedPath): boolean {
  if (compiled.impactPatterns.length === 0) return false;
  compiled.paths.firstMatchByGroup(path, previousGroups);
  return raisedByImpactRule(compiled, previousGroups[IMPACT] as number);
}

/** `matches` is sorted highest impact first, then by name; `topCount` of them share the top impact. */
function summariseImpact(matches: ImpactMatch[], topCount: number, nonIgnored: number, docFiles: number): string {
  const first = matches[0];
  if (first === undefined) return "No files that count for impact changed.";
  if (nonIgnored > 0 && docFiles === nonIgnored && first.impact === "low") {
    return "Only documentation changed, so impact is low.";
  }
  const more = topCount > 1 ? ` and ${plural(topCount - 1, "other file")}` : "";
  return `${capitalise(first.impact)} impact from ${first.file}${more}: ${describeMatch(first)}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Why a file has its impact, in a few words: `matches "src/auth/**" — money and identity`. */
export function describeMatch(match: ImpactMatch): string {
  const via = match.matchedName !== undefined ? ` (as ${match.matchedName}, its previous name)` : "";
  switch (match.source) {
    case "config":
      return `matches "${match.rule}"${match.reason ? ` — ${match.reason}` : ""}${via}`;
    case "builtin":
      return `${match.rule} (built-in sensitive kind${match.reason ? `: ${match.reason}` : ""})${via}`;
    case "docs":
      return "documentation";
    case "default":
      return "no impact rule matches (default impact)";
  }
}

function compareFiles(a: ImpactMatch, b: ImpactMatch): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/** At equal impact, reviewers should read source before tests, docs and generated files. */
const CATEGORY_ORDER: Readonly<Record<Category, number>> = { source: 0, test: 1, docs: 2, ignored: 3 };

/** Focus order: highest impact, then source before the rest, then most lines added, then name. */
function compareFocus(rank: number, category: Category, file: ChangedFile, other: FileRecord): number {
  return (
    other.rank - rank ||
    CATEGORY_ORDER[category] - CATEGORY_ORDER[other.category] ||
    other.file.additions - file.additions ||
    (file.filename < other.file.filename ? -1 : file.filename > other.file.filename ? 1 : 0)
  );
}

/**
 * Keep `top` as the best FOCUS_FILES files seen so far, in focus order. Most files do not
 * make it, so they are turned away before any record is made for them.
 */
function offerFocus(top: FileRecord[], file: ChangedFile, category: Category, match: ImpactMatch, rank: number): void {
  const last = top[top.length - 1];
  if (top.length === FOCUS_FILES && last !== undefined && compareFocus(rank, category, file, last) >= 0) return;
  let at = top.length;
  while (at > 0 && compareFocus(rank, category, file, top[at - 1] as FileRecord) < 0) at--;
  top.splice(at, 0, { file, category, match, rank });
  if (top.length > FOCUS_FILES) top.pop();
}

function toFocusFile({ file, match }: FileRecord): FocusFile {
  return {
    file: file.filename,
    impact: match.impact,
    additions: file.additions,
    reason: `${match.impact} impact: ${describeMatch(match)}; ${describeChange(file)}`,
  };
}

function describeChange(file: ChangedFile): string {
  if (file.status === "removed") return `removed (${plural(file.deletions, "line")})`;
  const renamed =
    file.previous_filename && file.previous_filename !== file.filename ? `renamed from ${file.previous_filename}, ` : "";
  if (file.patch === undefined && file.additions === 0 && file.deletions === 0) return `${renamed}binary or no textual diff`;
  return `${renamed}+${file.additions} −${file.deletions}`;
}

interface Measures {
  linesAdded: number;
  fileCount: number;
  ignoredFiles: number;
  /** Distinct code directories within the package with the most (package-of.ts). */
  packageDirectories: number;
  packages: number;
  sourceChanged: boolean;
  testChanged: boolean;
  truncated: boolean;
  /** Code files outside tests and ignored files changed (or files GitHub did not list, which may be). */
  codeChanged: number;
}

function computeFactors(compiled: CompiledRiskConfig, input: ScoreRiskInput, m: Measures): Factor[] {
  const { pr } = input;
  const factor = (name: FactorName, value: number, raw: number, detail: string): Factor => {
    const weight = round4(compiled.weights[name]);
    const rounded = round4(clamp01(value));
    return { name, value: rounded, raw, weight, contribution: round4(rounded * compiled.weights[name]), detail };
  };

  const totals = m.truncated ? " (from the PR's totals)" : "";
  const size = factor(
    "size",
    Math.log1p(m.linesAdded) / Math.log1p(SIZE_CAP_LINES),
    m.linesAdded,
    `${plural(m.linesAdded, "line")} of code added in code files outside tests and ignored files${totals}, not counting blank and comment-only lines; ${SIZE_CAP_LINES} or more is the maximum.`,
  );
  const ignoredNote = m.ignoredFiles > 0 ? `, not counting ${plural(m.ignoredFiles, "ignored file")}` : "";
  const filesFactor = factor(
    "files",
    m.fileCount / FILES_CAP,
    m.fileCount,
    `${plural(m.fileCount, "file")} changed${ignoredNote}${totals}; ${FILES_CAP} or more is the maximum.`,
  );
  const dirs = factor(
    "directories",
    m.packageDirectories / DIRECTORIES_CAP,
    m.packageDirectories,
    m.packages > 1
      ? `${plural(m.packageDirectories, "directory", "directories")} of code touched in the package the change spreads most in (of ${m.packages} packages changed); ${DIRECTORIES_CAP} or more is the maximum.`
      : `${plural(m.packageDirectories, "directory", "directories")} of code touched; ${DIRECTORIES_CAP} or more is the maximum.`,
  );

  const fix = fixMarker(pr.title, pr.headRef, pr.labels);
  const fixFactor = factor(
    "fix",
    fix ? 1 : 0,
    fix ? 1 : 0,
    fix
      ? `The ${fix.where} says "${fix.word}", marking a bug fix; fixes are more often followed by further fixes.`
      : "Nothing in the title, branch or labels marks this as a bug fix.",
  );

  const type = CONVENTIONAL.exec(pr.title)?.[1]?.toLowerCase();
  // The title is the author's text: a type that claims no behaviour change is believed only
  // when the files agree (no code outside tests and ignored files changed). Otherwise
  // "test: …" on a change to a critical path would lower its level, and what it must get to merge.
  const claimsQuiet = type !== undefined && NO_BEHAVIOUR_TYPES.has(type);
  const quiet = claimsQuiet && m.codeChanged === 0;
  const changeType = factor(
    "change_type",
    quiet ? 0 : 1,
    quiet ? 0 : 1,
    type === undefined
      ? "The title has no Conventional Commit type, so a behaviour change is assumed."
      : quiet
        ? `The Conventional Commit type "${type}" says no behaviour changes.`
        : claimsQuiet
          ? `The Conventional Commit type "${type}" says no behaviour changes, but ${plural(m.codeChanged, "code file")} outside tests changed, so a behaviour change is assumed.`
          : `The Conventional Commit type "${type}" may change behaviour.`,
  );

  const gap = m.sourceChanged && !m.testChanged;
  const testGap = factor(
    "test_gap",
    gap ? 1 : 0,
    gap ? 1 : 0,
    gap
      ? "Source files changed but no test file did."
      : m.sourceChanged
        ? "Tests changed alongside the source."
        : "No source file changed, so no test is expected.",
  );

  const errors = input.analysis?.errors;
  const unchecked = input.analysis?.unchecked ?? 0;
  // What could not be checked counts as the worst: otherwise a crafted file (too slow, too
  // large, unparsable) would hide the errors of a change and lower its risk.
  const analysis = factor(
    "static_analysis",
    errors === undefined ? 0 : unchecked > 0 ? 1 : errors / ANALYSIS_CAP_ERRORS,
    errors === undefined ? 0 : unchecked > 0 ? Math.max(errors, ANALYSIS_CAP_ERRORS) : errors,
    errors === undefined
      ? "Static analysis was not run."
      : unchecked > 0
        ? `${plural(unchecked, "changed file")} could not be analysed (see the check), counted as the maximum; ${plural(errors, "ESLint error")} on the lines it could check.`
        : `${plural(errors, "ESLint error")} on changed lines; ${ANALYSIS_CAP_ERRORS} or more is the maximum.`,
  );

  return [size, filesFactor, dirs, fixFactor, changeType, testGap, analysis];
}

/**
 * Whether a pull request is marked as a bug fix, by the fix factor's rule (title, branch or
 * labels). The people reports use it too, to find the fixes that followed a change.
 */
export function marksFix(pr: { title: string; headRef?: string; labels?: readonly string[] }): boolean {
  return fixMarker(pr.title, pr.headRef ?? "", pr.labels ?? []) !== undefined;
}

function fixMarker(title: string, branch: string, labels: readonly string[]): { where: string; word: string } | undefined {
  const sources: [string, string][] = [
    ["title", title],
    ["branch name", branch],
    ...labels.map((label): [string, string] => [`label "${label}"`, label]),
  ];
  for (const [where, text] of sources) {
    const word = FIX_WORD.exec(text)?.[1];
    if (word !== undefined) return { where, word };
  }
  return undefined;
}
