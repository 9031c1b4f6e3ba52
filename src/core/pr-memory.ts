/** What the app remembers about a pull request between events. */
export interface PrMemory {
  /** Set before the first write, so a retried job knows writes may already have happened. */
  touched?: boolean;
  commentId?: number;
  /** Hash of the sticky comment as last written, to skip writes that change nothing. */
  commentHash?: string;
  /** Check run id per head sha, and the output last written to it (the newest few heads). */
  checkRuns?: Record<string, { id: number; fingerprint: string; annotations?: string; completed?: boolean }>;
  /** Highest level triaged so far: escalation is announced when it rises. */
  level?: string;
  /** Everyone the app has requested on this PR; a person removed by a human is not asked again. */
  requestedByApp?: string[];
  /** Why each of them was picked, as first explained. */
  pickReasons?: Record<string, string>;
  /** Escalation notes, kept so the comment does not flip between events. */
  escalations?: string[];
  /** Checklist ticks as recorded by the app: item id → who and when. */
  ticks?: Record<string, { by: string; at: string; role?: "author" | "reviewer" | "lead" }>;
  /** The latest refused ticks, explained in the comment (a few, newest last). */
  refusals?: string[];
  /** Whether the last triage found the PR urgent: becoming urgent brings its escalations forward. */
  urgent?: boolean;
  /** The base branch last triaged against, and when the app saw it change: approvals given before then were given on another diff. */
  baseRef?: string;
  baseChangedAt?: string;
  /**
   * Whether this PR's own governance passed at its last evaluation, on which head: another
   * open PR on the same head commit shares the check run and passes it only when this does too.
   */
  governance?: { headSha: string; satisfied: boolean };
  /**
   * The head of the newest event triaged, with its `updated_at`: an event no newer that names
   * another head is out of order, and the PR is read from GitHub instead.
   */
  head?: { sha: string; at: string };
  /** A lead's `/triage override`: the level and who set it, with why. */
  override?: { level: string; by: string; reason: string; at: string; /** The head it was given on: new commits that raise the risk end it. */ headSha?: string };
}

