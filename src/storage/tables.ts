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

export interface Tables {
  deliveries: DeliveriesTable;
  pr_state: PrStateTable;
  refused_reviewers: RefusedReviewersTable;
  workers: WorkersTable;
  pr_locks: PrLocksTable;
}
