import { loadConfig, type LoadedConfig } from "../../config/load-config.js";
import { CONFIG_PATH } from "../../config/parse-config.js";
import type { TriageFacts } from "../../core/plan-triage.js";
import type { CheckAnnotation } from "../../github/ensure-check-run.js";
import { TeamCache } from "../../github/expand-teams.js";
import { BusyStatusCache } from "../../github/read-busy-status.js";
import { CodeownersCache } from "../../github/read-codeowners.js";
import { gatherTriage, type PullRequestLike } from "../../github/gather-triage.js";
import { errorStatus, type Octokit as AppOctokit } from "../../github/types.js";
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

export interface GatheredTriage {
  facts: TriageFacts;
  source: "file" | "defaults";
  configFiles: string[];
  /** Errors on changed lines and their annotations, when static analysis ran and had something to lint. */
  analysis?: { errors: number; annotations: CheckAnnotation[] };
}

export type Gathered =
  | { pr: FetchedPullRequest; invalid: Extract<LoadedConfig, { ok: false }> }
  | { pr: FetchedPullRequest; triage: GatheredTriage };

export interface GatherOptions {
  owner: string;
  repo: string;
  number: number;
  /** Run the app's static analysis on the changed JavaScript/TypeScript. */
  analysis: boolean;
  /** The app's id, to find its check run among others of the same name. */
  appId?: number;
  /** As the app's EXTENDS_ALLOWED_OWNERS. */
  extendsOwners?: string[];
}

/**
 * What the app would read for one PR, read by the app's own gather step: the PR, the config
 * from the default branch, then everything `gatherTriage` reads. The app's memory of the PR
 * is in its database, out of the CLI's reach: ticks and overrides come from the app's check
 * run instead, as after a restart without a database. Reads only.
 */
export async function gatherPullRequest(client: CliOctokit, options: GatherOptions): Promise<Gathered> {
  const { owner, repo, number } = options;
  // The app's GitHub adapters are typed for Probot's Octokit, but use only `rest`, `paginate`
  // and `config`, which this client has too, with the same shapes.
  const octokit = client as unknown as AppOctokit;
  const { data } = await reading("the pull request", () => client.rest.pulls.get({ owner, repo, pull_number: number }));
  const pr = data as unknown as FetchedPullRequest;

  // No ref: the contents API then reads the default branch, as the app does. `loadConfig`
  // takes a Probot context but only calls `context.repo()` and `context.octokit.config.get`.
  const loaded = await reading(`${CONFIG_PATH} on the default branch`, () =>
    loadConfig({ octokit, repo: <T>(o?: T) => ({ owner, repo, ...o }) } as unknown as Parameters<typeof loadConfig>[0], {
      extendsOwners: options.extendsOwners ?? [],
    }),
  );
  if (!loaded.ok) return { pr, invalid: loaded };

  let analyze: (Parameters<typeof gatherTriage>[1]["analyze"] & { close(): Promise<void> }) | undefined;
  if (options.analysis && loaded.config.analysis.enabled) {
    // Loaded only when used: static analysis is the heaviest part of the CLI.
    const { createAnalyzer } = await import("../../handlers/analyze-pull-request.js");
    // One PR, one result: no cache to speak of, and the worker is stopped as soon as it is done.
    analyze = createAnalyzer({ cacheBytes: 1024 * 1024 });
  }
  const gathered = await reading("the pull request's files, teams, reviews and load", () =>
    gatherTriage(octokit, {
      owner,
      repo,
      pull: pr,
      trigger: "explain",
      config: loaded.config,
      configSource: loaded.source,
      fresh: false,
      teams: new TeamCache(),
      codeowners: new CodeownersCache(),
      busy: new BusyStatusCache(),
      ...(options.appId ? { appId: options.appId } : {}),
      ...(analyze ? { analyze } : {}),
    }),
  );
  const analysis = gathered.facts.analysis ?? (await reading("changed files for static analysis", () => gathered.analysis()).finally(() => analyze?.close()));
  return {
    pr,
    triage: {
      facts: analysis ? { ...gathered.facts, analysis } : gathered.facts,
      source: loaded.source,
      configFiles: loaded.files,
      ...(analysis ? { analysis: { errors: analysis.errors, annotations: analysis.annotations ?? [] } } : {}),
    },
  };
}
