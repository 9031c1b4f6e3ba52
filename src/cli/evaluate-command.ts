import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { problemToLine } from "../config/format-issues.js";
import { parseConfigText } from "../config/parse-config.js";
import { defaultConfig, type RiskConfig } from "../config/schema.js";
import { CalibrationError, calibrateWeights, type Calibration, type Weights } from "../core/evaluate/calibrate-weights.js";
import { summariseEvaluation } from "../core/evaluate/summarise-evaluation.js";
import { compileRiskConfig } from "../core/score-risk.js";
import { EvaluateError, evaluateHistory, type EvaluateProgress } from "./evaluate/evaluate-history.js";
import { renderReport } from "./evaluate/render-report.js";
import type { CliCommand, CliIo } from "./io.js";

const DEFAULT_WINDOW_DAYS = 365;

const HELP = `Usage: review-triage evaluate [--repo <path> | <path>] [options]

Replays the first-parent history of the default branch (a merged pull request is one
change), scores every change with the app's risk model, labels as risky each change whose
lines of code a later fix changed (SZZ), and reports how well the score ranks them (ROC AUC
with DeLong standard errors), the lead group's share, and the probability's calibration.

Options:
  --repo <path>        the local clone to replay (default: the current directory); the
                       same as giving the path on its own
  --since <date>       only changes committed on or after this date (YYYY-MM-DD)
  --max-commits <n>    only the newest n changes
  --config <file>      score with this config's risk section (default: built-in defaults)
  --window <days>      a fix blames changes at most this old; changes newer than this
                       before the end of the history are not labelled (default ${DEFAULT_WINDOW_DAYS})
  --ref <branch>       walk this branch instead of the default branch
  --calibrate          fit likelihood weights and the probability link on the older 70 %,
                       report them on the newer 30 % (AUC, calibration by tenths), and
                       print a config snippet with weights, link and bands
  --json               print the figures as JSON
  --changes <file>     also write every change read, scored and labelled, as JSON lines
  -h, --help           show this help

The repository may be a work tree or a bare clone. Progress goes to stderr.
`;

interface Parsed {
  repo: string;
  since?: string;
  maxCommits?: number;
  configFile?: string;
  windowDays: number;
  ref?: string;
  calibrate: boolean;
  json: boolean;
  changesFile?: string;
  help: boolean;
}

/** Throws a usage message (exit 2) for anything malformed. */
function parse(args: string[]): Parsed {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      repo: { type: "string" },
      since: { type: "string" },
      "max-commits": { type: "string" },
      config: { type: "string" },
      window: { type: "string" },
      ref: { type: "string" },
      calibrate: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      changes: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const paths = values.repo === undefined ? positionals : [values.repo, ...positionals];
  if (paths.length > 1) throw new Error(`expected one repository path, got ${paths.length}: ${paths.join(" ")}`);
  const positive = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`--${name} expects a whole number of at least 1, got "${text}"`);
    return Number(text);
  };
  // git's --since silently reads nonsense as "now"; insist on a date it cannot misread.
  if (values.since !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(values.since) || Number.isNaN(Date.parse(values.since)))) {
    throw new Error(`--since expects a date such as 2022-01-31, got "${values.since}"`);
  }
  return {
    repo: paths[0] ?? ".",
    since: values.since,
    maxCommits: positive("max-commits", values["max-commits"]),
    configFile: values.config,
    windowDays: positive("window", values.window) ?? DEFAULT_WINDOW_DAYS,
    ref: values.ref,
    calibrate: values.calibrate,
    json: values.json,
    changesFile: values.changes,
    help: values.help,
  };
}

async function loadRiskConfig(file: string | undefined, io: CliIo): Promise<RiskConfig | undefined> {
  if (file === undefined) return defaultConfig().risk;
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.stderr(`${file}: cannot read the file (${code === "ENOENT" ? "no such file" : (code ?? String(error))})\n`);
    return undefined;
  }
  const result = parseConfigText(text);
  if (!result.ok) {
    io.stderr(`${file} is invalid:\n${result.problems.map((p) => `  - ${problemToLine(p)}\n`).join("")}`);
    return undefined;
  }
  return result.config.risk;
}

/** Progress lines at most every two seconds: enough to see a long run move, not a flood. */
function progressReporter(io: CliIo): (progress: EvaluateProgress) => void {
  let last = Date.now();
  return (progress) => {
    const now = Date.now();
    if (now - last < 2000) return;
    last = now;
    io.stderr(
      progress.phase === "read"
        ? `evaluate: read ${progress.changes} changes (${progress.fixes} fixes)…\n`
        : `evaluate: blamed ${progress.done}/${progress.total} files changed by fixes…\n`,
    );
  };
}

export const evaluateCommand: CliCommand = async (args, io) => {
  let options: Parsed;
  try {
    options = parse(args);
  } catch (error) {
    io.stderr(`review-triage evaluate: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    io.stdout(HELP);
    return 0;
  }
  const config = await loadRiskConfig(options.configFile, io);
  if (!config) return 2;
  const weights = { ...compileRiskConfig(config).weights } as Weights;
  const repo = resolve(io.cwd, options.repo);
  const started = performance.now();

  try {
    const history = await evaluateHistory({
      repo,
      ref: options.ref,
      since: options.since,
      maxCommits: options.maxCommits,
      windowDays: options.windowDays,
      config,
      onProgress: progressReporter(io),
    });
    const summary = summariseEvaluation(history.changes);
    if (summary.changes === 0) {
      throw new EvaluateError(
        `all ${history.changes.length} changes read are newer than the ${options.windowDays}-day fix window; read more history or pass a smaller --window`,
      );
    }
    let calibration: Calibration | undefined;
    if (options.calibrate) calibration = calibrateWeights(history.changes, weights);
    if (options.changesFile !== undefined) {
      // One change per line, so a long history can be read back a line at a time.
      await writeFile(resolve(io.cwd, options.changesFile), history.changes.map((c) => `${JSON.stringify(c)}\n`).join(""));
    }
    const seconds = (performance.now() - started) / 1000;
    if (options.json) {
      const { changes: _changes, ...read } = history;
      io.stdout(`${JSON.stringify({ repository: repo, windowDays: options.windowDays, weights, ...read, summary, calibration, seconds }, null, 2)}\n`);
    } else {
      io.stdout(renderReport({ repo: options.repo, windowDays: options.windowDays, history, summary, weights, calibration, seconds }));
    }
    return 0;
  } catch (error) {
    // Known, actionable failures get one line; anything else is a bug and keeps its stack.
    if (error instanceof EvaluateError || error instanceof CalibrationError) {
      io.stderr(`review-triage evaluate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};
