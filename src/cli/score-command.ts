import { execFile } from "node:child_process";
import { lstat, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { defaultConfig, type RiskConfig } from "../config/schema.js";
import { problemToLine } from "../config/format-issues.js";
import { CONFIG_PATH, DOCS_URL, parseConfigText } from "../config/parse-config.js";
import { renderRiskText } from "../core/render-risk-text.js";
import { scoreRisk } from "../core/score-risk.js";
import type { ChangedFile, PullRequestFacts } from "../core/types.js";
import type { CliCommand, CliIo } from "./io.js";

const HELP = `Usage: review-triage score [--repo <path>] [--base <ref>] [--head <ref>] [--config <file>] [--json]

Scores a local git diff offline with the risk model the app runs on pull requests.

  --repo <path>    the local clone to score (default: the repository of the current
                   directory)
  --base <ref>     compare from the merge-base of <ref> and the head (default: the
                   default branch: origin/HEAD, else main, else master)
  --head <ref>     score the commits <base>...<ref> (default: the working tree, with
                   staged and unstaged changes and untracked files)
  --config <file>  risk rules from this file, relative to the current directory
                   (default: ${CONFIG_PATH} in the repository when present, else
                   the built-in defaults)
  --json           print the whole assessment as JSON
  -h, --help       show this help

The title is the head commit's subject and the branch is the current branch, as they
would be on a pull request. Exit code 0 when scored, 2 on a bad argument, an unknown
ref, an invalid config, or outside a git repository.
`;

/** Git's output for a diff of a whole monorepo can be large; beyond this, fail clearly. */
const MAX_GIT_OUTPUT = 512 * 1024 * 1024;
/** Untracked files larger than this are counted by lines but get no patch (GitHub does the same). */
const MAX_UNTRACKED_PATCH = 1024 * 1024;

/**
 * Settings that user or system git config could change in the output parsed here (quoted
 * paths, colour, prefixes, external diff drivers), pinned so ~/.gitconfig cannot break it.
 */
const PINNED = [
  "-c", "core.quotePath=false",
  "-c", "color.ui=false",
  "-c", "diff.noprefix=false",
  "-c", "diff.mnemonicPrefix=false",
  "-c", "diff.relative=false",
  "-c", "diff.external=",
];

/** Revisions as users type them (`main`, `HEAD~2`, `v1.2^{commit}`, `origin/x`), never an option. */
const REF = /^[\w@{}~^./+:-]+$/;

class UsageError extends Error {}

interface Options {
  repo?: string;
  base?: string;
  head?: string;
  config?: string;
  json: boolean;
  help: boolean;
}

function parseArgs(args: string[]): Options {
  const options: Options = { json: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--json") options.json = true;
    else if (arg === "--help" || arg === "-h") options.help = true;
    else {
      const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
      if (flag !== "--base" && flag !== "--head" && flag !== "--config" && flag !== "--repo") throw new UsageError(`unknown argument "${arg}"`);
      const value = inline ?? args[++i];
      if (value === undefined || value === "") throw new UsageError(`${flag} needs a value`);
      options[flag.slice(2) as "base" | "head" | "config" | "repo"] = value;
    }
  }
  for (const key of ["base", "head"] as const) {
    const value = options[key];
    if (value !== undefined && (!REF.test(value) || value.startsWith("-") || value.includes(".."))) {
      throw new UsageError(`--${key} "${value}" is not a valid git ref`);
    }
  }
  return options;
}

class GitError extends Error {}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "git",
      [...PINNED, ...args],
      {
        cwd,
        maxBuffer: MAX_GIT_OUTPUT,
        encoding: "utf8",
        // C locale: messages we may show stay stable; no prompts, no index lock for reads.
        // PATH falls back to ours so a caller's minimal environment still finds git.
        env: { PATH: process.env.PATH, ...env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" },
      },
      (error, stdout, stderr) => {
        if (!error) return resolvePromise(stdout);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return reject(new GitError("git is not installed or not on PATH"));
        const first = stderr.trim().split("\n")[0] ?? "";
        reject(new GitError(first.replace(/^fatal: /, "") || error.message));
      },
    );
  });
}

/** The commit a ref names, or undefined when it names none. */
async function resolveCommit(repo: string, ref: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    return (await git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], env)).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** origin/HEAD when the clone knows it, else main, else master (what a PR would target). */
async function defaultBranch(repo: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const remoteHead = (await git(repo, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], env)).trim();
    if (remoteHead) return remoteHead;
  } catch {
    // No remote default recorded; fall through to the usual names.
  }
  for (const name of ["main", "master"]) {
    if (await resolveCommit(repo, name, env)) return name;
  }
  throw new UsageError("cannot find the default branch (no origin/HEAD, main or master); pass --base <ref>");
}

interface DiffEntry {
  status: ChangedFile["status"];
  filename: string;
  previous?: string;
}

const STATUS: Record<string, ChangedFile["status"]> = {
  A: "added",
  D: "removed",
  M: "modified",
  R: "renamed",
  C: "copied",
  T: "changed",
  U: "modified",
};

/** `git diff --name-status -z`: a status, then one path (two for renames and copies). */
function parseNameStatus(output: string): DiffEntry[] {
  const tokens = output.split("\0");
  const entries: DiffEntry[] = [];
  for (let i = 0; i + 1 < tokens.length; ) {
    const code = tokens[i++] ?? "";
    const status = STATUS[code.charAt(0)] ?? "modified";
    if (code.startsWith("R") || code.startsWith("C")) {
      const previous = tokens[i++] ?? "";
      entries.push({ status, filename: tokens[i++] ?? "", previous });
    } else {
      entries.push({ status, filename: tokens[i++] ?? "" });
    }
  }
  return entries;
}

interface NumStat {
  filename: string;
  additions: number;
  deletions: number;
  binary: boolean;
}

/** `git diff --numstat -z`: `added\tdeleted\tpath`, or `added\tdeleted\t` then old and new paths; `-` for binary. */
function parseNumstat(output: string): NumStat[] {
  const tokens = output.split("\0");
  const stats: NumStat[] = [];
  for (let i = 0; i < tokens.length; ) {
    const token = tokens[i++] ?? "";
    if (token === "") continue;
    const [added = "0", deleted = "0", path = ""] = token.split("\t");
    let filename = path;
    if (path === "") {
      i++; // the old path of a rename
      filename = tokens[i++] ?? "";
    }
    const binary = added === "-";
    stats.push({ filename, additions: binary ? 0 : Number(added), deletions: binary ? 0 : Number(deleted), binary });
  }
  return stats;
}

/** Per-file hunks from `git diff -U0`, shaped like GitHub's `patch` (no file headers). */
function splitPatches(output: string): Map<string, string> {
  const patches = new Map<string, string>();
  const chunks = output.split(/^diff --git /m).slice(1);
  for (const chunk of chunks) {
    const lines = chunk.split("\n");
    const plus = lines.find((l) => l.startsWith("+++ "));
    const minus = lines.find((l) => l.startsWith("--- "));
    let path: string | undefined;
    if (plus && plus !== "+++ /dev/null") path = plus.slice("+++ b/".length);
    else if (minus && minus !== "--- /dev/null") path = minus.slice("--- a/".length);
    const firstHunk = lines.findIndex((l) => l.startsWith("@@"));
    if (path === undefined || firstHunk < 0) continue;
    // Quoted paths (tabs, newlines) do not match a numstat name and fall back to its counts.
    patches.set(path, lines.slice(firstHunk).join("\n").replace(/\n+$/, ""));
  }
  return patches;
}

async function changedFiles(repo: string, range: string[], env: NodeJS.ProcessEnv): Promise<ChangedFile[]> {
  const common = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "-M", "--src-prefix=a/", "--dst-prefix=b/"];
  const [names, numbers, patchText] = await Promise.all([
    git(repo, [...common, "--name-status", "-z", ...range, "--"], env),
    git(repo, [...common, "--numstat", "-z", ...range, "--"], env),
    git(repo, [...common, "-U0", ...range, "--"], env),
  ]);
  const entries = parseNameStatus(names);
  const stats = new Map(parseNumstat(numbers).map((s) => [s.filename, s]));
  const patches = splitPatches(patchText);
  return entries.map((entry) => {
    const stat = stats.get(entry.filename);
    const patch = stat?.binary ? undefined : patches.get(entry.filename);
    const file: ChangedFile = {
      filename: entry.filename,
      status: entry.status,
      additions: stat?.additions ?? 0,
      deletions: stat?.deletions ?? 0,
    };
    file.changes = file.additions + file.deletions;
    if (patch !== undefined) file.patch = patch;
    if (entry.previous !== undefined) file.previous_filename = entry.previous;
    return file;
  });
}

/** Untracked files are what a `git add` would add: whole files of added lines. */
async function untrackedFiles(repo: string, env: NodeJS.ProcessEnv): Promise<ChangedFile[]> {
  const listed = (await git(repo, ["ls-files", "--others", "--exclude-standard", "-z"], env)).split("\0").filter(Boolean);
  const files: ChangedFile[] = [];
  for (const filename of listed) {
    const full = join(repo, filename);
    const info = await lstat(full);
    if (!info.isFile()) continue;
    const content = await readFile(full);
    // Git's own test for binary: a NUL byte in the first 8000 bytes.
    if (content.subarray(0, 8000).includes(0)) {
      files.push({ filename, status: "added", additions: 0, deletions: 0, changes: 0 });
      continue;
    }
    const text = content.toString("utf8");
    const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
    const file: ChangedFile = { filename, status: "added", additions: lines.length, deletions: 0, changes: lines.length };
    if (content.length <= MAX_UNTRACKED_PATCH && lines.length > 0) {
      file.patch = `@@ -0,0 +1,${lines.length} @@\n${lines.map((line) => `+${line}`).join("\n")}`;
    }
    files.push(file);
  }
  return files;
}

async function loadRiskConfig(options: Options, repo: string, io: CliIo): Promise<RiskConfig | undefined> {
  const explicit = options.config !== undefined;
  const file = explicit ? resolve(io.cwd, options.config as string) : join(repo, CONFIG_PATH);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!explicit && code === "ENOENT") return defaultConfig().risk;
    io.stderr(`review-triage score: cannot read ${options.config ?? CONFIG_PATH} (${code === "ENOENT" ? "no such file" : code ?? String(error)})\n`);
    return undefined;
  }
  const shown = options.config ?? CONFIG_PATH;
  const result = parseConfigText(text);
  if (!result.ok) {
    io.stderr(`${shown} is invalid (${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}):\n`);
    for (const problem of result.problems) io.stderr(`  - ${problemToLine(problem)}\n`);
    io.stderr(`\nSee ${DOCS_URL}\n`);
    return undefined;
  }
  if (result.extends) {
    io.stderr(`review-triage score: ${shown} extends ${result.extends}, which is not followed offline; scoring with this file alone.\n`);
  }
  return result.config.risk;
}

export const scoreCommand: CliCommand = async (args, io) => {
  let options: Options;
  try {
    options = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`review-triage score: ${error.message}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    io.stdout(HELP);
    return 0;
  }
  const env = io.env;
  try {
    const start = options.repo === undefined ? io.cwd : resolve(io.cwd, options.repo);
    // git's own message for a missing directory names a spawn error, not the option.
    if (options.repo !== undefined && !(await isDirectory(start))) throw new UsageError(`--repo ${options.repo}: no such directory`);
    let repo: string;
    try {
      repo = (await git(start, ["rev-parse", "--show-toplevel"], env)).trim();
    } catch (error) {
      const reason = error instanceof GitError && error.message.includes("not installed") ? error.message : `not a git repository: ${start}`;
      io.stderr(`review-triage score: ${reason}\n`);
      return 2;
    }

    const headRef = options.head ?? "HEAD";
    const head = await resolveCommit(repo, headRef, env);
    if (!head) {
      io.stderr(
        options.head === undefined
          ? "review-triage score: the repository has no commits yet\n"
          : `review-triage score: unknown ref "${options.head}" (--head)\n`,
      );
      return 2;
    }
    const baseRef = options.base ?? (await defaultBranch(repo, env));
    const baseTip = await resolveCommit(repo, baseRef, env);
    if (!baseTip) {
      io.stderr(`review-triage score: unknown ref "${baseRef}"${options.base === undefined ? "" : " (--base)"}\n`);
      return 2;
    }
    // A pull request shows what the head adds since it forked from the base: base...head.
    let base: string;
    try {
      base = (await git(repo, ["merge-base", baseTip, head], env)).trim();
    } catch {
      io.stderr(`review-triage score: "${baseRef}" and "${headRef}" share no history\n`);
      return 2;
    }

    const config = await loadRiskConfig(options, repo, io);
    if (!config) return 2;

    const files =
      options.head === undefined
        ? [...(await changedFiles(repo, [base], env)), ...(await untrackedFiles(repo, env))]
        : await changedFiles(repo, [base, head], env);
    const title = (await git(repo, ["log", "-1", "--format=%s", head, "--"], env)).trim();
    const branch = await branchName(repo, options.head, env);
    const pr: PullRequestFacts = {
      number: 0,
      title,
      headRef: branch,
      labels: [],
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
      changedFiles: files.length,
    };
    const assessment = scoreRisk({ files, pr, config, configPath: CONFIG_PATH });
    if (options.json) {
      io.stdout(`${JSON.stringify(assessment, null, 2)}\n`);
    } else {
      const target = options.head === undefined ? "the working tree" : options.head;
      io.stdout(`Scored ${baseRef} (merge-base ${base.slice(0, 12)}) → ${target}: "${title}" on ${branch}\n\n`);
      io.stdout(renderRiskText(assessment));
    }
    return 0;
  } catch (error) {
    if (error instanceof GitError || error instanceof UsageError) {
      io.stderr(`review-triage score: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
};

/** The branch a PR would come from: the --head branch, else the checked-out one. */
async function branchName(repo: string, head: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    if (head === undefined) return (await git(repo, ["symbolic-ref", "--quiet", "--short", "HEAD"], env)).trim();
    const full = (await git(repo, ["rev-parse", "--symbolic-full-name", head], env)).trim();
    return full.startsWith("refs/heads/") ? full.slice("refs/heads/".length) : head;
  } catch {
    return head ?? "HEAD";
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
