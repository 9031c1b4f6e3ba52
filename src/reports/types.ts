import type { Level } from "../config/schema.js";

export type { Level };

/** What a report is about: one repository over `[since, until)`. */
export interface ReportOptions {
  owner: string;
  repo: string;
  /**
   * The repository's GitHub id, when the caller knows it (the dashboard): only history under
   * this id is read, not that of another repository that once carried the same name.
   */
  repoId?: string;
  /** Inclusive. */
  since: Date;
  /** Exclusive. */
  until: Date;
}

export interface ReportRepository {
  /** `owner/name` as last stored. */
  fullName: string;
  /** GitHub's repository ids stored under that name (more than one after a delete and re-create). */
  ids: string[];
}

/** Time between two events, in seconds, over `count` pull requests (or requests). */
export interface DurationSummary {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

/**
 * A repository's figures over a window. The pull requests counted are those opened in the
 * window; escalations are those done in it.
 */
export interface RepositoryReport {
  repository: ReportRepository;
  window: { since: Date; until: Date };
  pullRequests: {
    total: number;
    /** By the level of their latest triage (an override's level when one holds). */
    byLevel: Record<Level, number>;
    /** Never triaged (skipped, or opened before the app was installed). */
    untriaged: number;
  };
  /** Pull requests the app requested someone of the lead group (`governance.lead_group`) on. */
  routedToLead: {
    pullRequests: number;
    /** Of the triaged pull requests; null when none was triaged. */
    share: number | null;
    byLevel: Record<Level, number>;
  };
  /** From the first review request to the first review by someone other than the author. */
  timeToFirstReview: Record<Level, DurationSummary>;
  /** From the first review request to the first approval by someone other than the author. */
  timeToApproval: Record<Level, DurationSummary>;
  escalations: { nudges: number; reassignments: number };
}

/** One checklist item an author's pull requests often ended without, or had their tick refused on. */
export interface ChecklistMiss {
  item: string;
  /** Pull requests whose latest triage still had this required item unticked. */
  unticked: number;
  /** Ticks by the author that were refused (the item is for someone else to tick). */
  refused: number;
}

export interface AnalysisRuleHits {
  rule: string;
  /** Findings on changed lines, the most any triage of each pull request saw, summed. */
  findings: number;
  pullRequests: number;
}

export interface AuthorReport {
  login: string;
  pullRequests: { total: number; byLevel: Record<Level, number>; untriaged: number };
  /** High and critical pull requests merged. */
  highRiskMerged: number;
  /**
   * High and critical pull requests merged with the approvals their level requires and no
   * follow-up fix within 30 days: no later merged fix (by the risk model's fix rule) that
   * touched any of the same files.
   */
  cleanHighRiskLandings: number;
  /** High and critical merged pull requests a fix touching the same files followed within 30 days. */
  followedByFix: number;
  /** High and critical pull requests merged without the approvals their level requires. */
  mergedWithoutApprovals: number;
  /** Of the clean landings, those merged less than 30 days before the window's end: a fix may still follow. */
  cleanStillInFixWindow: number;
  /** "Changes requested" reviews before the first approval. */
  reviewRounds: { total: number; reviewedPullRequests: number; perReviewedPullRequest: number | null };
  /** Most frequent first, at most five. */
  checklistMisses: ChecklistMiss[];
  /** Most frequent first, at most five. */
  analysisRules: AnalysisRuleHits[];
}

export interface ReviewerReport {
  login: string;
  /** Reviews submitted in the window on others' pull requests. */
  reviews: number;
  /** Pull requests reviewed in the window, by level. */
  reviewedByLevel: Record<Level, number>;
  /** Review requests made in the window (of this reviewer, in this repository; not those withdrawn unanswered within a day) and how many were answered. */
  requests: number;
  answered: number;
  /** From a request to the reviewer's first review after it, over the answered requests. */
  medianTimeToFirstReviewSeconds: number | null;
  /** Pending review requests on open pull requests now: in this repository, and across its installation (what routing counts). */
  openRequests: number;
  openRequestsAcrossInstallation: number;
}

/** Per-person figures for the leads; never shown on pull requests. */
export interface PeopleReport {
  repository: ReportRepository;
  window: { since: Date; until: Date };
  authors: AuthorReport[];
  reviewers: ReviewerReport[];
}

export type PeopleReportResult = PeopleReport | { disabled: true };

/** Nothing is stored about the repository asked for. */
export class UnknownRepositoryError extends Error {
  constructor(readonly fullName: string) {
    super(`nothing is stored about ${fullName}: the app has not triaged any of its pull requests (check the name, and DATABASE_URL or DATA_DIR)`);
    this.name = "UnknownRepositoryError";
  }
}
