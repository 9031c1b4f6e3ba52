import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { FACTOR_NAMES, type FactorName, type RiskConfig } from "../../config/schema.js";
import { describeChange } from "../../core/evaluate/describe-change.js";
import { isFixChange } from "../../core/evaluate/is-fix-change.js";
import { labelChanges, type ChangeLabel, type FixLink } from "../../core/evaluate/label-changes.js";
import { toChangedFile } from "../../core/evaluate/parse-git-log.js";
import { createBlameLineSelector, type BlameTarget } from "../../core/evaluate/select-blame-lines.js";
import type { ScoredChange } from "../../core/evaluate/summarise-evaluation.js";
import { scoreRisk } from "../../core/score-risk.js";
import { blameLines } from "./blame-lines.js";
import { readHistory } from "./read-history.js";
import { GitError, gitOutput } from "./run-git.js";

/** A problem the user can fix (wrong path, empty history): shown without a stack. */
export class EvaluateError extends Error {
  override name = "EvaluateError";
}

export type EvaluateProgress =
  | { phase: "read"; changes: number; fixes: number }
  | { phase: "blame"; done: number; total: number };

export interface EvaluateOptions {
  /** Path of a work tree or a bare repository. */
  repo: string;
  /** Branch to walk; default: the remote's default branch (origin/HEAD), else HEAD. */
  ref?: string;
  since?: string;
  maxCommits?: number;
  /** A fix blames only changes at most this many days older; newer changes are not labelled. */
  windowDays: number;
  config: RiskConfig;
  /** Parallel `git blame` processes; default: the number of CPUs, at most 8. */
  concurrency?: number;
  onProgress?: (progress: EvaluateProgress) => void;
}

export interface EvaluatedHistory {
  ref: string;
  head: string;
  shallow: boolean;
  /** Changes read (first-parent commits with at least one changed file). */
  changesRead: number;
  fixChanges: number;
  /** Fix changes that deleted or modified blameable source lines. */
  blamedFixes: number;
  /** Fixes left out because they touch too many source files to be one repair. */
  skippedLargeFixes: number;
  blameCalls: number;
  blameFailures: number;
  /** How the changes were labelled: print it with any figure, so two runs can be compared. */
  labelling: LabellingParameters;
  /** How many changes got each label. */
  labels: Record<ChangeLabel, number>;
  changes: ScoredChange[];
  seconds: { read: number; blame: number };
}

/**
 * A fix touching more source files than this is a sweep (a rename, a reformat, a lint
 * autofix), not a repair, and would mark dozens of innocent changes as buggy.
 */
export const MAX_FIX_FILES = 50;

export interface LabellingParameters {
  /** SZZ with the refinements below (docs/risk-model.md, "Labelling"). */
  method: string;
  windowDays: number;
  since: string | undefined;
  maxCommits: number | undefined;
  /** What makes a change a fix: words of its title or head branch. */
  fixWords: string;
  /** The `git blame` options every blame runs with. */
  blame: string;
  /** Which files are labelled and counted. */
  codeFiles: string;
  tests: readonly string[];
  ignore: readonly string[];
  maxFixFiles: number;
  /** The repository's `.git-blame-ignore-revs`, when it has one: revisions found in it and in the history. */
  ignoreRevs: { file: string; listed: number; found: number } | undefined;
}

const FIX_WORDS_TEXT =
  "fix/fixes/fixed/fixing, bug/bugs/bugfix, hotfix, quickfix, regression, revert (title or branch; not typo, spelling, grammar, wording)";
const BLAME_OPTIONS = "-w --first-parent --root --since=<fix − window>, blank and comment-only lines not blamed";
const CODE_FILES_TEXT = "code files (programming languages, components, style sheets) that are neither tests nor ignored; changes touching none are left out";
const IGNORE_REVS_FILE = ".git-blame-ignore-revs";

/**
 * The revisions the repository asks blame to look through (bulk reformats), as listed at
 * the commit being evaluated; only those that exist here, since blame refuses unknown ones.
 */
async function readIgnoreRevs(repo: string, head: string): Promise<{ listed: number; found: string[] } | undefined> {
  let text: string;
  try {
    text = await gitOutput(repo, ["show", `${head}:${IGNORE_REVS_FILE}`]);
  } catch {
    return undefined;
  }
  // git's format: one full object name per line; `#` starts a comment.
  const listed = [...new Set(text.split("\n").map((l) => l.replace(/#.*/, "").trim()).filter((l) => /^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(l)))];
  if (listed.length === 0) return { listed: 0, found: [] };
  const found = (await gitOutput(repo, ["rev-list", "--no-walk", "--ignore-missing", ...listed]).catch(() => "")).split("\n").filter(Boolean);
  return { listed: listed.length, found };
}

interface BlameTask extends BlameTarget {
  fix: string;
  parent: string;
  fixTime: number;
}

async function resolveRepository(repo: string): Promise<void> {
  try {
    await stat(repo);
  } catch {
    throw new EvaluateError(`${repo}: no such directory`);
  }
  try {
    await gitOutput(repo, ["rev-parse", "--git-dir"]);
  } catch (error) {
    if (error instanceof GitError && error.exitCode !== null) {
      throw new EvaluateError(`${repo} is not a git repository (a work tree or a bare clone is needed)`);
    }
    throw error;
  }
}

async function resolveRef(repo: string, ref: string | undefined): Promise<{ ref: string; head: string }> {
  let name = ref;
  if (name === undefined) {
    // A clone's HEAD may be a feature branch; origin/HEAD names the default branch. A bare
    // mirror has no remotes, and its HEAD is the default branch.
    name =
      (await gitOutput(repo, ["symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"]).catch(() => "")) ||
      (await gitOutput(repo, ["symbolic-ref", "-q", "--short", "HEAD"]).catch(() => "")) ||
      "HEAD";
  }
  try {
    const head = await gitOutput(repo, ["rev-parse", "--verify", "--end-of-options", `${name}^{commit}`]);
    return { ref: name, head };
  } catch {
    throw new EvaluateError(
      ref === undefined ? `${repo} has no commits to evaluate` : `${ref}: no such branch or commit in ${repo}`,
    );
  }
}

function factorRecord(factors: { name: FactorName; value: number; raw: number }[]): ScoredChange["factors"] {
  const record = {} as ScoredChange["factors"];
  for (const name of FACTOR_NAMES) record[name] = { value: 0, raw: 0 };
  for (const f of factors) record[f.name] = { value: f.value, raw: f.raw };
  return record;
}

/** Run `worker` on every item with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await worker(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * Replay a branch: score every first-parent change with `scoreRisk`, then label each with
 * SZZ (a later fix's deleted or modified lines blamed back to it). Memory stays bounded:
 * the log is streamed, each change's patch is dropped once scored, and what is kept is one
 * small record per change plus the line numbers of fixes.
 */
export async function evaluateHistory(options: EvaluateOptions): Promise<EvaluatedHistory> {
  const { repo, config } = options;
  await resolveRepository(repo);
  const { ref, head } = await resolveRef(repo, options.ref);
  const shallow = (await gitOutput(repo, ["rev-parse", "--is-shallow-repository"])) === "true";
  const window = options.windowDays * 86_400;
  const select = createBlameLineSelector(config);
  const ignoreRevs = await readIgnoreRevs(repo, head);
  const ignored = new Set(ignoreRevs?.found ?? []);

  const changes: ScoredChange[] = [];
  const tasks: BlameTask[] = [];
  let fixChanges = 0;
  let blamedFixes = 0;
  let skippedLargeFixes = 0;
  const readStart = performance.now();
  await readHistory(repo, { ref: head, since: options.since, maxCommits: options.maxCommits }, (commit) => {
    if (commit.files.length === 0) return;
    const pr = describeChange(commit);
    const assessment = scoreRisk({ files: commit.files.map(toChangedFile), pr, config });
    changes.push({
      sha: commit.sha,
      time: commit.time,
      title: pr.title,
      label: ignored.has(commit.sha) ? "ignored-rev" : assessment.counts.codeFiles === 0 ? "no-code" : "clean",
      level: assessment.level,
      impact: assessment.impact.level,
      counts: assessment.counts,
      score: assessment.score,
      likelihood: assessment.likelihood.value,
      probability: assessment.likelihood.probability,
      factors: factorRecord(assessment.likelihood.factors),
    });
    const parent = commit.parents[0];
    // A listed reformat is not a repair, whatever its title says.
    if (isFixChange(pr) && !ignored.has(commit.sha)) {
      fixChanges++;
      const targets = parent ? commit.files.map(select).filter((t) => t !== undefined) : [];
      if (targets.length > MAX_FIX_FILES) skippedLargeFixes++;
      else if (targets.length > 0) {
        blamedFixes++;
        for (const target of targets) tasks.push({ ...target, fix: commit.sha, parent: parent!, fixTime: commit.time });
      }
    }
    options.onProgress?.({ phase: "read", changes: changes.length, fixes: fixChanges });
  });
  const readSeconds = (performance.now() - readStart) / 1000;
  if (changes.length === 0) throw new EvaluateError(`no changes found on ${ref}${options.since ? ` since ${options.since}` : ""}`);
  if (fixChanges === 0) {
    throw new EvaluateError(
      `no fix commits found in ${changes.length} changes on ${ref}: SZZ needs changes whose title or branch says fix, bug, hotfix, regression or revert`,
    );
  }

  // Lines older than the oldest change read cannot be labelled; don't make blame dig for them.
  const oldest = changes.reduce((t, c) => Math.min(t, c.time), Infinity);
  const links: FixLink[] = [];
  let done = 0;
  let blameFailures = 0;
  const blameStart = performance.now();
  // blame reads the list from a file; the listed revisions live in the repository, not on disk.
  const scratch = ignored.size > 0 ? await mkdtemp(join(tmpdir(), "review-triage-evaluate-")) : undefined;
  const ignoreRevsFile = scratch === undefined ? undefined : join(scratch, "ignore-revs");
  try {
    if (ignoreRevsFile !== undefined) await writeFile(ignoreRevsFile, `${[...ignored].join("\n")}\n`);
    await forEachLimited(tasks, options.concurrency ?? Math.min(8, availableParallelism()), async (task) => {
      try {
        const introducers = await blameLines(repo, {
          rev: task.parent,
          path: task.path,
          lines: task.lines,
          since: Math.max(task.fixTime - window, oldest - 1),
          ignoreRevsFile,
        });
        for (const introducer of introducers.keys()) links.push({ fix: task.fix, fixTime: task.fixTime, introducer });
      } catch (error) {
        // A submodule, or a path git cannot blame: skip the file, count it, carry on.
        if (!(error instanceof GitError)) throw error;
        blameFailures++;
      }
      options.onProgress?.({ phase: "blame", done: ++done, total: tasks.length });
    });
  } finally {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }

  const excluded = changes.map((c) => (c.label === "no-code" || c.label === "ignored-rev" ? c.label : undefined));
  const labels = labelChanges(
    changes.map((c, i) => ({ sha: c.sha, time: c.time, excluded: excluded[i] })),
    links,
    window,
  );
  changes.forEach((c, i) => (c.label = labels[i]!));
  const counts: Record<ChangeLabel, number> = { risky: 0, clean: 0, "too-recent": 0, "no-code": 0, "ignored-rev": 0 };
  for (const label of labels) counts[label]++;
  return {
    ref,
    head,
    shallow,
    changesRead: changes.length,
    fixChanges,
    blamedFixes,
    skippedLargeFixes,
    blameCalls: tasks.length,
    blameFailures,
    labelling: {
      method: "SZZ",
      windowDays: options.windowDays,
      since: options.since,
      maxCommits: options.maxCommits,
      fixWords: FIX_WORDS_TEXT,
      blame: ignoreRevs ? `${BLAME_OPTIONS}, --ignore-revs-file ${IGNORE_REVS_FILE}` : BLAME_OPTIONS,
      codeFiles: CODE_FILES_TEXT,
      tests: config.tests,
      ignore: config.ignore,
      maxFixFiles: MAX_FIX_FILES,
      ignoreRevs: ignoreRevs && { file: IGNORE_REVS_FILE, listed: ignoreRevs.listed, found: ignoreRevs.found.length },
    },
    labels: counts,
    changes,
    seconds: { read: readSeconds, blame: (performance.now() - blameStart) / 1000 },
  };
}
