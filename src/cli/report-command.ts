import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { durationMs } from "../config/schema.js";
import { buildPeopleReport, buildRepositoryReport, UnknownRepositoryError } from "../reports/index.js";
import { readStorageSettings, SettingsError } from "../server/read-server-settings.js";
import { dataDirHolder } from "../storage/data-dir-lock.js";
import { openDatabase, type Database } from "../storage/open-database.js";
import { parseRepositoryName } from "./explain/parse-target.js";
import type { CliCommand } from "./io.js";
import { renderReportText } from "./report/render-report-text.js";

const DEFAULT_SINCE = "90d";

const HELP = `Usage: review-triage report <owner/repo> [--since 90d] [--json]

Prints what the app's history says about a repository, for its leads: pull requests opened
in the window by risk level and the share routed to the lead group, time to first review
and to approval per level (median, p90), stale-review escalations; then per author (clean
high-risk landings, review rounds, checklist items and static-analysis rules most often
missed) and per reviewer (reviews by level, median time to first review, open requests).
The people part is left out where the repository's config says \`people: false\`.

  --since <d>   the window, back from now: minutes (30m), hours (24h) or days (90d); default ${DEFAULT_SINCE}
  --json        print the reports as JSON
  -h, --help    show this help

Environment (the same storage as the app):
  DATABASE_URL  the app's PostgreSQL database
  DATA_DIR      otherwise, the app's embedded database (default ./data). It serves one process:
                stop the app, or copy the directory, to report from it.

Exit code 0 when reported, 1 when nothing is stored about the repository, 2 on a bad argument
or a database that cannot be opened.
`;

class UsageError extends Error {}

interface Options {
  target?: { owner: string; repo: string };
  sinceMs: number;
  json: boolean;
  help: boolean;
}

function parseSince(value: string | undefined): number {
  const ms = value === undefined ? Number.NaN : durationMs(value);
  if (!Number.isFinite(ms)) throw new UsageError(`--since must be a duration such as 30m, 24h or 90d, got ${JSON.stringify(value ?? "")}`);
  return ms;
}

function parseArgs(args: string[]): Options {
  const options: Options = { sinceMs: durationMs(DEFAULT_SINCE), json: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--json") options.json = true;
    else if (arg === "--help" || arg === "-h") options.help = true;
    else if (arg === "--since") options.sinceMs = parseSince(args[++i]);
    else if (arg.startsWith("--since=")) options.sinceMs = parseSince(arg.slice("--since=".length));
    else if (arg.startsWith("-")) throw new UsageError(`unknown option "${arg}"`);
    else if (options.target) throw new UsageError(`one repository at a time (got "${options.target.owner}/${options.target.repo}" and "${arg}")`);
    else {
      const target = parseRepositoryName(arg);
      if (!target) throw new UsageError(`"${arg}" is not a repository as owner/repo`);
      options.target = target;
    }
  }
  return options;
}

/** The app's database, or why it cannot be opened here; never a new, empty one. */
async function openAppDatabase(env: NodeJS.ProcessEnv, cwd: string): Promise<Database> {
  const settings = readStorageSettings(env);
  if (settings.databaseUrl) return openDatabase({ databaseUrl: settings.databaseUrl, poolSize: Math.min(settings.databasePoolSize, 4) });
  const dataDir = resolve(cwd, settings.dataDir);
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    throw new SettingsError(`there is no Review Triage database in ${dataDir} (DATA_DIR): set DATA_DIR to the app's data directory, or DATABASE_URL to its PostgreSQL database`);
  }
  const holder = dataDirHolder(dataDir);
  if (holder) {
    throw new SettingsError(
      `the embedded database in ${dataDir} is locked by a running Review Triage app (pid ${holder}); it serves one process at a time. ` +
        "Stop the app (or copy the directory and point DATA_DIR at the copy), or run the app on PostgreSQL (DATABASE_URL) to report while it runs.",
    );
  }
  return openDatabase({ dataDir });
}

export const reportCommand: CliCommand = async (args, io) => {
  let options: Options;
  try {
    options = parseArgs(args);
    if (!options.help && !options.target) throw new UsageError("name the repository, as owner/repo");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`review-triage report: ${error.message}\n\n${HELP}`);
    return 2;
  }
  if (options.help || !options.target) {
    io.stdout(HELP);
    return 0;
  }
  let database: Database;
  try {
    database = await openAppDatabase(io.env, io.cwd);
  } catch (error) {
    io.stderr(`review-triage report: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  try {
    const until = new Date();
    const window = { ...options.target, since: new Date(until.getTime() - options.sinceMs), until };
    const repository = await buildRepositoryReport(database.db, window);
    const people = await buildPeopleReport(database.db, window);
    io.stdout(options.json ? `${JSON.stringify({ repository, people }, null, 2)}\n` : renderReportText(repository, people));
    return 0;
  } catch (error) {
    if (!(error instanceof UnknownRepositoryError)) throw error;
    io.stderr(`review-triage report: ${error.message}\n`);
    return 1;
  } finally {
    await database.close();
  }
};
