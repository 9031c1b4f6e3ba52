import { CONFIG_PATH, parseConfigText } from "../config/parse-config.js";
import type { Config } from "../config/schema.js";
import { compileRiskConfig } from "../core/score-risk.js";
import { itemId } from "../core/checklists.js";
import { decodeRecord, type PrRecord } from "../core/pr-record.js";
import { approvers } from "../core/evaluate-approvals.js";
import type { PrMemory } from "../core/pr-memory.js";
import type { ConfigDryRunInput, PrSnapshot, SiblingFact, StaticAnalysisFact, TriageFacts, TriageTrigger } from "../core/plan-triage.js";
import type { ChangedFile } from "../core/types.js";
import { findCheckRun, type KnownCheckRun } from "./ensure-check-run.js";
import { mergeGroupMembers } from "../core/merge-group-members.js";
import { expandCodeownersGroups } from "./expand-codeowners.js";
import { expandGroups, type TeamCache } from "./expand-teams.js";
import { readBusyStatus, type BusyStatusCache } from "./read-busy-status.js";
import type { CodeownersCache } from "./read-codeowners.js";
import { hasWriteAccess } from "./has-write-access.js";
import { listOpenPrLoad } from "./list-open-pr-load.js";
import { listPullFiles, listPullReviews, MAX_LISTED_FILES } from "./list-pull-request.js";
import { errorStatus, type Octokit } from "./types.js";

/** The fields of a pull request the pipeline reads; webhook payloads and `pulls.get` both have them. */
export interface PullRequestLike {
  number: number;
  title: string;
  state: string;
  draft?: boolean;
  user: { login: string; type?: string } | null;
  head: { sha: string; ref: string };
  base: { ref: string; repo: { id: number; default_branch?: string } };
  labels: Array<{ name?: string } | string>;
  requested_reviewers?: Array<{ login: string }> | null;
  requested_teams?: Array<{ slug: string }> | null;
  additions?: number;
  deletions?: number;
  changed_files?: number;
}

export type Analyze = (input: {
  config: Config;
  files: ChangedFile[];
  /** Changed files the list left out (GitHub lists 3,000 at most). */
  unlisted?: number;
  headSha: string;
  octokit: Octokit;
  owner: string;
  repo: string;
}) => Promise<StaticAnalysisFact | undefined>;

export interface GatherInput {
  owner: string;
  repo: string;
  pull: PullRequestLike;
  trigger: TriageTrigger;
  config: Config;
  configSource: "file" | "defaults";
  /** What the store remembers of the PR (undefined: nothing, e.g. the CLI or a first event). */
  memory?: PrMemory;
  /**
   * Nothing of the app's can exist on the PR yet (a first `opened`, first attempt): the
   * reviews, comment and check-run lookups are skipped, which keeps a new PR within budget.
   */
  fresh: boolean;
  teams: TeamCache;
  /** CODEOWNERS files and GitHub busy statuses, cached briefly; the CLI passes fresh ones. */
  codeowners: CodeownersCache;
  busy: BusyStatusCache;
  refused?: ReadonlyMap<string, string>;
  appId?: number;
  /** Without an app id: the slug of the app whose check runs are this app's (Action mode). */
  appSlug?: string;
  tickEdit?: { sender: string; before: string; after: string; commentId: number };
  override?: TriageFacts["override"];
  /** The previous head of a push: the app's record may be found on its check run after a restart. */
  beforeSha?: string;
  analyze?: Analyze;
  /**
   * Open review requests per reviewer. The app counts them across the installation from its
   * history; without one (the CLI), the repository's open PRs are listed (one paged call).
   */
  load?: () => Promise<Map<string, number>>;
  /**
   * The repository's other open PRs on this head commit, from the app's database (no GitHub
   * call); without one (the CLI) they are not known, and the plan says so.
   */
  siblings?: () => Promise<SiblingFact[]>;
  now?: Date;
}

export interface Gathered {
  facts: TriageFacts;
  /** Static analysis, started on the first call (already done when its factor has weight). */
  analysis: () => Promise<StaticAnalysisFact | undefined>;
  /** The app's check run on the head commit when it was looked up (null: none there). */
  headCheck?: KnownCheckRun | null;
}

export function labelNames(pr: Pick<PullRequestLike, "labels">): string[] {
  return pr.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean);
}

export function snapshotOf(pull: PullRequestLike, owner: string): PrSnapshot {
  return {
    number: pull.number,
    title: pull.title,
    draft: pull.draft ?? false,
    author: pull.user?.login ?? "",
    authorType: pull.user?.type ?? "User",
    headSha: pull.head.sha,
    headRef: pull.head.ref,
    baseRef: pull.base.ref,
    labels: labelNames(pull),
    requested: [
      ...(pull.requested_reviewers ?? []).map((u) => u.login.toLowerCase()),
      ...(pull.requested_teams ?? []).map((t) => `@${owner}/${t.slug}`.toLowerCase()),
    ],
    additions: pull.additions ?? 0,
    deletions: pull.deletions ?? 0,
    ...(pull.changed_files !== undefined ? { changedFiles: pull.changed_files } : {}),
  };
}

async function readDryRun(octokit: Octokit, ref: { owner: string; repo: string }, headSha: string): Promise<ConfigDryRunInput> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...ref, path: CONFIG_PATH, ref: headSha, mediaType: { format: "raw" } });
    const parsed = parseConfigText(typeof data === "string" ? data : String(data));
    return { read: true, parsed: parsed.ok ? { ok: true, config: parsed.config } : { ok: false, problems: parsed.problems } };
  } catch (error) {
    return { read: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Read everything the plan needs for one pull request, the same way for the app and for
 * `review-triage explain`: files, static analysis, team members, review load, reviews, the
 * app's own record on its check run, the tick editor's access and a config change's new file.
 * Reads only.
 */
export async function gatherTriage(octokit: Octokit, input: GatherInput): Promise<Gathered> {
  const { owner, repo, pull, config } = input;
  const prRef = { owner, repo, pull_number: pull.number };
  const pr = snapshotOf(pull, owner);
  const notes: string[] = [];

  const files = await listPullFiles(octokit, prRef);
  let started: Promise<StaticAnalysisFact | undefined> | undefined;
  const analysis = () =>
    (started ??= (
      config.analysis.enabled && input.analyze ? input.analyze({ config, files, ...(files.length >= MAX_LISTED_FILES && pr.changedFiles !== undefined && pr.changedFiles > files.length ? { unlisted: pr.changedFiles - files.length } : {}), headSha: pr.headSha, octokit, owner, repo }) : Promise.resolve(undefined)
    ).catch(() => undefined));
  // With weight, the findings change the level: wait for them before anything is decided.
  // Without (the default), the analysis starts after the reviewers are requested: its
  // GraphQL read shares the installation's write lane with the review request.
  const analysed = compileRiskConfig(config.risk).weights.static_analysis > 0 ? await analysis() : undefined;

  const listed = await expandGroups(octokit, config.reviewers, config.routing.request_teams, input.teams, notes);
  const leadGroup = config.governance.lead_group;
  // Leads are people: a lead team requested as a team still approves and ticks as members.
  // Code owners add reviewers to a group, never leads.
  const leadMembers = config.routing.request_teams
    ? (await expandGroups(octokit, { [leadGroup]: config.reviewers[leadGroup] ?? [] }, false, input.teams, []))[leadGroup]
    : listed[leadGroup];
  const owners = await expandCodeownersGroups(octokit, { owner, repo }, config, files.map((f) => f.filename), { codeowners: input.codeowners, teams: input.teams }, notes);
  const members = mergeGroupMembers(listed, owners);
  let busy = new Map<string, string>();
  if (config.routing.respect_busy) {
    const status = await readBusyStatus(octokit, { owner, repo }, Object.values(members).flat().map((m) => m.login), input.busy);
    busy = new Map(status.busy);
    notes.push(...status.notes);
  }
  const needsLoad = config.routing.strategy === "least-loaded" || config.routing.max_load > 0;
  const load =
    needsLoad && Object.keys(config.reviewers).length
      ? await (input.load ? input.load() : listOpenPrLoad(octokit, { owner, repo }, pull.number))
      : new Map<string, number>();
  const reviews = input.fresh ? [] : await listPullReviews(octokit, prRef);
  const siblings = input.siblings ? await input.siblings() : undefined;

  // Ticks and overrides also live in the app's own check run: when the store knows nothing of
  // the PR (a restart without a database, the CLI), read them back from the run on this
  // commit, or on the previous head for a push.
  let record: PrRecord | undefined;
  let headCheck: KnownCheckRun | null | undefined;
  if (!input.memory?.level && !input.memory?.ticks && !input.fresh) {
    try {
      const checkOwner = { appId: input.appId, appSlug: input.appSlug };
      headCheck = (await findCheckRun(octokit, { owner, repo, head_sha: pr.headSha }, checkOwner)) ?? null;
      record = decodeRecord(headCheck?.text);
      if (!record && input.beforeSha) record = decodeRecord((await findCheckRun(octokit, { owner, repo, head_sha: input.beforeSha }, checkOwner))?.text);
    } catch (error) {
      const status = errorStatus(error);
      // A token without the Checks permission (the CLI's) can still explain all but the ticks.
      if (status !== 403 && status !== 404) throw error;
      headCheck = undefined;
      notes.push(`Could not read the Review Triage check run (${status}), so checklist ticks and overrides recorded by the app are not shown.`);
    }
  }

  let tickEdit: TriageFacts["tickEdit"];
  if (input.tickEdit) {
    // The comment as it is now: an edit a later one undid must not count (see applyTickEdit).
    let current: string | undefined;
    try {
      current = (await octokit.rest.issues.getComment({ owner, repo, comment_id: input.tickEdit.commentId })).data.body ?? "";
    } catch (error) {
      if (errorStatus(error) !== 404) throw error;
    }
    tickEdit = { ...input.tickEdit, current: current ?? "" };
  }

  // Write access, checked with the permission API once per person per job, for everyone whose
  // standing it decides: approvers, people who ticked, the person editing the checklist.
  const ticks = input.memory?.ticks ?? record?.ticks ?? {};
  const reviewerItems = new Set(
    config.checklists.flatMap((list) => list.items.filter((i) => typeof i !== "string" && i.by === "reviewer").map((i) => itemId(list.name, (i as { text: string }).text))),
  );
  const people = new Set([
    ...approvers(reviews, pr.author),
    ...Object.entries(ticks)
      .filter(([id]) => reviewerItems.has(id))
      .map(([, t]) => t.by.toLowerCase()),
    ...(input.tickEdit ? [input.tickEdit.sender.toLowerCase()] : []),
  ]);
  const writers = new Set<string>();
  for (const login of people) if (await hasWriteAccess(octokit, { owner, repo }, login)) writers.add(login);

  const changesConfig = files.some((f) => f.filename === CONFIG_PATH && f.status !== "removed");
  const dryRun = changesConfig ? await readDryRun(octokit, { owner, repo }, pr.headSha) : undefined;

  const facts: TriageFacts = {
    owner,
    repo,
    trigger: input.trigger,
    pr,
    config,
    configSource: input.configSource,
    files,
    members,
    leads: (leadMembers ?? []).map((m) => m.login.toLowerCase()),
    busy,
    load,
    reviews,
    refused: input.refused ?? new Map(),
    writers,
    ...(record ? { record } : {}),
    ...(analysed ? { analysis: analysed } : {}),
    ...(tickEdit ? { tickEdit } : {}),
    ...(input.override ? { override: input.override } : {}),
    ...(dryRun ? { dryRun } : {}),
    ...(siblings ? { siblings } : {}),
    notes,
    now: (input.now ?? new Date()).toISOString(),
  };
  return { facts, analysis, ...(headCheck !== undefined ? { headCheck } : {}) };
}
