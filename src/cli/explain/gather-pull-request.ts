import { loadConfig, type LoadedConfig } from "../../config/load-config.js";
import { CONFIG_PATH, parseConfigText } from "../../config/parse-config.js";
import type { Config } from "../../config/schema.js";
import { decodeRecord, type PrRecord } from "../../core/checklists.js";
import type { Candidate } from "../../core/choose-reviewers.js";
import type { ReviewFact } from "../../core/evaluate-approvals.js";
import type { ChangedFile } from "../../core/types.js";
import { findCheckRun, type CheckAnnotation } from "../../github/ensure-check-run.js";
import { expandGroups, TeamCache } from "../../github/expand-teams.js";
import { listOpenPrLoad } from "../../github/list-open-pr-load.js";
import { listPullFiles, listPullReviews } from "../../github/list-pull-request.js";
import { errorStatus, type Octokit as AppOctokit } from "../../github/types.js";
import type { PullRequestLike } from "../../handlers/triage.js";
import type { CliOctokit } from "./create-read-only-octokit.js";

export { MAX_LISTED_FILES } from "../../github/list-pull-request.js";

/** A read that failed, with what was being read, so the message can say what access is missing. */
export class ReadError extends Error {
  readonly what: string;
  readonly status: number | undefined;
  override readonly cause: unknown;

  constructor(what: string, cause: unknown) {
    super(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ReadError";
    this.what = what;
    this.status = errorStatus(cause);
    this.cause = cause;
  }
}

async function reading<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw error instanceof ReadError ? error : new ReadError(what, error);
  }
}

export type FetchedPullRequest = PullRequestLike & { html_url: string; merged?: boolean };

/** The new config file of a PR that edits it: the app validates it and says where it would route. */
export type ConfigChange =
  | { read: false; reason: string }
  | { read: true; parsed: ReturnType<typeof parseConfigText>; members?: Record<string, Candidate[]>; teamNotes?: string[] };

export interface GatheredTriage {
  config: Config;
  source: "file" | "defaults";
  configFiles: string[];
  files: ChangedFile[];
  /** Errors on changed lines and their annotations, when static analysis ran and had something to lint. */
  analysis?: { errors: number; annotations: CheckAnnotation[] };
  /** Group name → candidates, teams expanded as the app expands them. */
  members: Record<string, Candidate[]>;
  teamNotes: string[];
  load: Map<string, number>;
  reviews: ReviewFact[];
  /** Ticks and any override, as recorded in the app's own check run on the head commit. */
  record?: PrRecord;
  /** Why something the app would use could not be read (the output says so). */
  notes: string[];
  configChange?: ConfigChange;
}

export type Gathered =
  | { pr: FetchedPullRequest; invalid: Extract<LoadedConfig, { ok: false }> }
  | { pr: FetchedPullRequest; triage: GatheredTriage };

export interface GatherOptions {
  owner: string;
  repo: string;
  number: number;
  /** Run the app's static analysis (one contents read per changed JS/TS file). */
  analysis: boolean;
  /** The app's id, to find its check run among others of the same name. */
  appId?: number;
}

/**
 * Everything the app reads for one PR, read the same way and in the same order: the PR, the
 * config from the default branch, the files, static analysis, team members, the load from the
 * open PRs, the reviews and the app's check-run record. Reads only.
 */
export async function gatherPullRequest(client: CliOctokit, options: GatherOptions): Promise<Gathered> {
  const { owner, repo, number } = options;
  // The app's GitHub adapters are typed for Probot's Octokit, but use only `rest`, `paginate`
  // and `config`, which this client has too, with the same shapes.
  const octokit = client as unknown as AppOctokit;
  const prRef = { owner, repo, pull_number: number };

  const { data } = await reading("the pull request", () => client.rest.pulls.get(prRef));
  const pr = data as unknown as FetchedPullRequest;

  // No ref: the contents API then reads the default branch, as the app does. `loadConfig`
  // takes a Probot context but only calls `context.repo()` and `context.octokit.config.get`.
  const loaded = await reading(`${CONFIG_PATH} on the default branch`, () =>
    loadConfig({ octokit, repo: <T>(o?: T) => ({ owner, repo, ...o }) } as unknown as Parameters<typeof loadConfig>[0]),
  );
  if (!loaded.ok) return { pr, invalid: loaded };
  const config = loaded.config;
  const notes: string[] = [];

  const files = await reading("the pull request's files", () => listPullFiles(client as unknown as AppOctokit, prRef));

  let analysis: GatheredTriage["analysis"];
  if (options.analysis && config.analysis.enabled) {
    // Loaded only when used: ESLint is the heaviest part of the CLI.
    const { createAnalyzer } = await import("../../handlers/analyze-pull-request.js");
    // One PR, one result: no cache to speak of, and the worker is stopped as soon as it is done.
    const analyze = createAnalyzer({ cacheBytes: 1024 * 1024 });
    const result = await reading("changed files for static analysis", () =>
      analyze({ config, files, headSha: pr.head.sha, octokit, owner, repo }),
    ).finally(() => analyze.close());
    if (result) analysis = { errors: result.errors, annotations: result.annotations ?? [] };
  }

  const teams = new TeamCache();
  const teamNotes: string[] = [];
  const members = await reading("team members", () => expandGroups(octokit, config.reviewers, config.routing.request_teams, teams, teamNotes));
  const needsLoad = config.routing.strategy === "least-loaded" || config.routing.max_load > 0;
  const load =
    needsLoad && Object.keys(config.reviewers).length
      ? await reading("the open pull requests (review load)", () => listOpenPrLoad(octokit, { owner, repo }, number))
      : new Map<string, number>();
  const reviews = await reading("the reviews", () => listPullReviews(client as unknown as AppOctokit, prRef));

  let record: PrRecord | undefined;
  try {
    const run = await findCheckRun(octokit, { owner, repo, head_sha: pr.head.sha }, options.appId);
    record = decodeRecord(run?.text);
  } catch (error) {
    const status = errorStatus(error);
    // A token without the Checks permission can still explain everything but the ticks.
    if (status !== 403 && status !== 404) throw new ReadError("the Review Triage check run", error);
    notes.push(`Could not read the Review Triage check run (${status}), so checklist ticks and overrides recorded by the app are not shown.`);
  }

  let configChange: ConfigChange | undefined;
  if (files.some((f) => f.filename === CONFIG_PATH && f.status !== "removed")) {
    configChange = await readConfigChange(client, octokit, teams, { owner, repo }, pr.head.sha);
  }

  return {
    pr,
    triage: {
      config,
      source: loaded.source,
      configFiles: loaded.files,
      files,
      ...(analysis ? { analysis } : {}),
      members,
      teamNotes,
      load,
      reviews,
      ...(record ? { record } : {}),
      notes,
      ...(configChange ? { configChange } : {}),
    },
  };
}

/** The PR's version of the config file, validated like `review-triage validate` does. */
async function readConfigChange(
  client: CliOctokit,
  octokit: AppOctokit,
  teams: TeamCache,
  ref: { owner: string; repo: string },
  headSha: string,
): Promise<ConfigChange> {
  let text: string;
  try {
    const { data } = await client.rest.repos.getContent({ ...ref, path: CONFIG_PATH, ref: headSha, mediaType: { format: "raw" } });
    text = typeof data === "string" ? data : String(data);
  } catch (error) {
    return { read: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const parsed = parseConfigText(text);
  if (!parsed.ok) return { read: true, parsed };
  const teamNotes: string[] = [];
  const members = await reading("team members named by the PR's config", () =>
    expandGroups(octokit, parsed.config.reviewers, parsed.config.routing.request_teams, teams, teamNotes),
  );
  return { read: true, parsed, members, teamNotes };
}
