import type { ColumnType, Generated } from "kysely";

/** Timestamps are written as ISO strings or Dates and read back as Dates (node-postgres). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in (`DEFAULT now()`) unless given. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Every webhook delivery the app accepted, unique by GitHub's `X-GitHub-Delivery` id. */
export interface DeliveriesTable {
  id: string;
  event: string;
  action: string | null;
  installation_id: string | null;
  repo: string | null;
  /** `${repository.id}#${number}`: deliveries with the same key are processed one at a time. */
  pr_key: string | null;
  /** Cleared once processed: only what is still to do is kept. */
  payload: ColumnType<unknown, string | null, string | null>;
  received_at: DefaultTimestamp;
  /** queued → processing → done | failed */
  state: Generated<string>;
  attempts: Generated<number>;
  /** The queue job that will (or did) process it. */
  job_id: string | null;
  claimed_by: string | null;
  last_error: string | null;
  finished_at: Timestamp | null;
}

/** What the app remembers about one pull request between events. */
export interface PrStateTable {
  pr_key: string;
  repo: string;
  number: number;
  state: ColumnType<unknown, string, string>;
  updated_at: DefaultTimestamp;
}

/** People GitHub refused as reviewers (422), per repository, not asked again for a while. */
export interface RefusedReviewersTable {
  repo: string;
  login: string;
  reason: string;
  until: Timestamp;
}

/** Live app processes: a process whose heartbeat stops is dead and its work is taken over. */
export interface WorkersTable {
  id: string;
  host: string;
  pid: number;
  started_at: DefaultTimestamp;
  heartbeat_at: DefaultTimestamp;
}

/** Who is processing a pull request right now (one delivery per PR at a time). */
export interface PrLocksTable {
  pr_key: string;
  holder: string;
  acquired_at: DefaultTimestamp;
}

/** Bigint ids and counts come back from node-postgres as strings. */
type Id = ColumnType<string, string | number | bigint, string | number | bigint>;
type Json = ColumnType<unknown, string, string>;

export interface RepositoriesTable {
  repo_id: Id;
  installation_id: Id | null;
  full_name: string;
  /** When the repository's open PRs were read once, so its review load is known. */
  backfilled_at: Timestamp | null;
  /** `people` in the repository's config at its latest triage; null before any (reports on). */
  people: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  /** `governance.lead_group` at its latest triage; null before any ("lead"). */
  lead_group: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: DefaultTimestamp;
}

export interface PullRequestsTable {
  repo_id: Id;
  number: number;
  installation_id: Id | null;
  repo: string;
  author: string;
  title: string;
  /** open | closed | merged */
  state: string;
  draft: ColumnType<boolean, boolean | undefined, boolean>;
  head_sha: string | null;
  level: string | null;
  score: number | null;
  opened_at: Timestamp;
  ready_at: Timestamp | null;
  /** When it last became ready for review; null while a draft. */
  ready_since: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  merged_at: Timestamp | null;
  closed_at: Timestamp | null;
  /** Marked as a bug fix (the risk model's fix factor: title, branch or labels); null when not known. */
  fix: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  updated_at: DefaultTimestamp;
  // Report facts (src/storage/report-facts.ts): kept up to date by the history's writes.
  rounds: ColumnType<number, number | undefined, number>;
  reviewed: ColumnType<boolean, boolean | undefined, boolean>;
  first_requested_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  first_review_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  first_approval_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  app_groups: ColumnType<string[], string[] | undefined, string[]>;
  approvals_met: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  checklist_missing: ColumnType<unknown, string | null | undefined, string | null>;
  analysis_rules: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface PrFilesTable {
  repo_id: Id;
  number: number;
  path: string;
}

export interface TriageResultsTable {
  id: Generated<string>;
  repo_id: Id;
  number: number;
  head_sha: string;
  level: string;
  scored_level: string;
  score: number;
  likelihood: number;
  factors: Json;
  /** Required checklist items not ticked at this triage (text per item). */
  checklist_missing: Json;
  /** Static-analysis findings per rule on changed lines. */
  analysis_rules: Json;
  /** The approvals the level requires were there (null in rows from before this was kept). */
  approvals_met: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  at: DefaultTimestamp;
}

export interface ReviewRequestsTable {
  id: Generated<string>;
  repo_id: Id;
  number: number;
  /** Lower-cased login, or `@org/slug` for a team. */
  reviewer: string;
  /** Who asked: a login, or the app's bot; "unknown" when only seen on the PR. */
  requested_by: string;
  by_app: boolean;
  group_name: string | null;
  reason: string | null;
  requested_at: Timestamp;
  removed_at: Timestamp | null;
  removed_by: string | null;
  /** The reviewer's first review after the request. */
  reviewed_at: Timestamp | null;
  nudged_at: Timestamp | null;
  reassigned_at: Timestamp | null;
}

export interface ReviewsTable {
  id: Id;
  repo_id: Id;
  number: number;
  reviewer: string;
  /** As it stands now (a dismissed review is DISMISSED). */
  state: string;
  /** As it was submitted: a later dismissal does not unmake a round of changes. */
  submitted_state: ColumnType<string | null, string | null | undefined, string | null>;
  commit_id: string | null;
  submitted_at: Timestamp;
}

export interface ChecklistEventsTable {
  id: Generated<string>;
  repo_id: Id;
  number: number;
  item_id: string;
  checklist: string;
  item: string;
  actor: string;
  /** ticked | unticked | refused | lapsed */
  action: string;
  at: Timestamp;
}

export interface OverridesTable {
  id: Generated<string>;
  repo_id: Id;
  number: number;
  level: string;
  scored_level: string;
  by: string;
  reason: string;
  head_sha: string;
  at: Timestamp;
  lapsed_at: Timestamp | null;
}

export interface EscalationsTable {
  id: Generated<string>;
  repo_id: Id;
  number: number;
  request_id: Id;
  reviewer: string;
  /** nudge | reassign */
  kind: string;
  new_reviewer: string | null;
  at: Timestamp;
  /** Set once its effect (the nudge, the new request) is on GitHub. */
  done_at: Timestamp | null;
}

/** A signed-in dashboard user; the cookie holds the id, the table only its hash. */
export interface DashboardSessionsTable {
  id_hash: string;
  user_id: Id;
  login: string;
  /** The user's GitHub token, encrypted (AES-256-GCM, key derived from SESSION_SECRET). */
  token: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
}

export interface Tables {
  repositories: RepositoriesTable;
  pull_requests: PullRequestsTable;
  pr_files: PrFilesTable;
  triage_results: TriageResultsTable;
  review_requests: ReviewRequestsTable;
  reviews: ReviewsTable;
  checklist_events: ChecklistEventsTable;
  overrides: OverridesTable;
  escalations: EscalationsTable;
  deliveries: DeliveriesTable;
  pr_state: PrStateTable;
  refused_reviewers: RefusedReviewersTable;
  workers: WorkersTable;
  pr_locks: PrLocksTable;
  dashboard_sessions: DashboardSessionsTable;
}
