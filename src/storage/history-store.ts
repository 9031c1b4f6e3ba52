import { sql } from "kysely";
import { withoutNestedLoops, type Db } from "./open-database.js";
import { refreshReportFacts } from "./report-facts.js";

export interface PrIdentity {
  repoId: number | string;
  number: number;
}

export interface PullRequestRecord extends PrIdentity {
  installationId?: number;
  repo: string;
  author: string;
  title: string;
  state: "open" | "closed" | "merged";
  draft: boolean;
  headSha?: string;
  openedAt: Date | string;
  readyAt?: Date | string;
  mergedAt?: Date | string;
  closedAt?: Date | string;
  /** Marked as a bug fix (`marksFix`); absent keeps what is known. */
  fix?: boolean;
}

export interface TriageRecord extends PrIdentity {
  headSha: string;
  level: string;
  scoredLevel: string;
  score: number;
  likelihood: number;
  factors: Record<string, number>;
  checklistMissing: string[];
  analysisRules: Record<string, number>;
  files: string[];
  /** The approvals the level requires are there. */
  approvalsMet?: boolean;
  /** The repository's config at this triage: `people` and `governance.lead_group`. */
  repository?: { fullName: string; people: boolean; leadGroup: string };
  at: Date;
}

export interface RequestRecord extends PrIdentity {
  reviewer: string;
  requestedBy: string;
  byApp: boolean;
  group?: string;
  reason?: string;
  at: Date | string;
}

export interface PendingRequest {
  id: string;
  repoId: string;
  number: number;
  reviewer: string;
  byApp: boolean;
  group: string | null;
  requestedAt: Date;
  nudgedAt: Date | null;
  reassignedAt: Date | null;
}

/**
 * Files per PR kept for the people reports (a later fix touching the same files): all that
 * GitHub lists (3,000 at most), so padding a PR with other files cannot push its risky ones
 * out of sight of the fix that follows it.
 */
const MAX_FILES_KEPT = 3000;

const key = (id: PrIdentity) => ({ repo_id: String(id.repoId), number: id.number });

/**
 * The app's memory over time (SPEC §8): pull requests, every triage, review requests and
 * reviews, checklist ticks and refusals, overrides and escalations, recorded from the events
 * the app receives. Review load across an installation, escalations, people reports, metrics
 * and the dashboard are all read from here.
 */
export class HistoryStore {
  constructor(readonly db: Db) {}

  async upsertPullRequest(pr: PullRequestRecord): Promise<void> {
    const values = {
      ...key(pr),
      installation_id: pr.installationId === undefined ? null : String(pr.installationId),
      repo: pr.repo,
      author: pr.author.toLowerCase(),
      title: pr.title.slice(0, 300),
      state: pr.state,
      draft: pr.draft,
      head_sha: pr.headSha ?? null,
      level: null,
      score: null,
      opened_at: pr.openedAt,
      ready_at: pr.readyAt ?? null,
      ready_since: pr.draft || pr.state !== "open" ? null : (pr.readyAt ?? null),
      merged_at: pr.mergedAt ?? null,
      closed_at: pr.closedAt ?? null,
      fix: pr.fix ?? null,
    };
    await this.db
      .insertInto("pull_requests")
      .values(values)
      .onConflict((oc) =>
        oc.columns(["repo_id", "number"]).doUpdateSet((eb) => ({
          installation_id: eb.fn.coalesce(eb.ref("excluded.installation_id"), eb.ref("pull_requests.installation_id")),
          title: eb.ref("excluded.title"),
          state: eb.ref("excluded.state"),
          draft: eb.ref("excluded.draft"),
          head_sha: eb.fn.coalesce(eb.ref("excluded.head_sha"), eb.ref("pull_requests.head_sha")),
          ready_at: eb.fn.coalesce(eb.ref("pull_requests.ready_at"), eb.ref("excluded.ready_at")),
          // Back to draft, or closed: not ready; ready (or reopened) again: from now (the first
          // write that sees it ready). The escalations' due times, and so their job ids, start over.
          ready_since: sql<Date | null>`CASE WHEN excluded.draft OR excluded.state <> 'open' THEN NULL ELSE COALESCE(pull_requests.ready_since, excluded.ready_since) END`,
          merged_at: eb.fn.coalesce(eb.ref("excluded.merged_at"), eb.ref("pull_requests.merged_at")),
          closed_at: eb.ref("excluded.closed_at"),
          fix: eb.fn.coalesce(eb.ref("excluded.fix"), eb.ref("pull_requests.fix")),
          updated_at: new Date(),
        })),
      )
      .execute();
    await refreshReportFacts(this.db, pr);
  }

  async recordRepository(repo: { repoId: number | string; installationId?: number; fullName: string }): Promise<{ backfilled: boolean }> {
    const row = await this.db
      .insertInto("repositories")
      .values({ repo_id: String(repo.repoId), installation_id: repo.installationId === undefined ? null : String(repo.installationId), full_name: repo.fullName, backfilled_at: null })
      .onConflict((oc) =>
        oc.column("repo_id").doUpdateSet((eb) => ({
          full_name: repo.fullName,
          installation_id: eb.fn.coalesce(eb.ref("excluded.installation_id"), eb.ref("repositories.installation_id")),
          updated_at: new Date(),
        })),
      )
      .returning("backfilled_at")
      .executeTakeFirstOrThrow();
    return { backfilled: row.backfilled_at !== null };
  }

  async markBackfilled(repoId: number | string, at = new Date()): Promise<void> {
    await this.db.updateTable("repositories").set({ backfilled_at: at }).where("repo_id", "=", String(repoId)).execute();
  }

  /** A triage's result, kept when it says something new (level, score, head, checklist or approvals). */
  async recordTriage(t: TriageRecord): Promise<void> {
    const last = await this.db
      .selectFrom("triage_results")
      .select(["head_sha", "level", "score", "checklist_missing", "approvals_met"])
      .where("repo_id", "=", String(t.repoId))
      .where("number", "=", t.number)
      .orderBy("at", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    await this.db.updateTable("pull_requests").set({ level: t.level, score: t.score }).where("repo_id", "=", String(t.repoId)).where("number", "=", t.number).execute();
    if (t.repository) {
      const { fullName, people, leadGroup } = t.repository;
      await this.db
        .insertInto("repositories")
        .values({ repo_id: String(t.repoId), installation_id: null, full_name: fullName, backfilled_at: null, people, lead_group: leadGroup })
        .onConflict((oc) => oc.column("repo_id").doUpdateSet({ people, lead_group: leadGroup }))
        .execute();
    }
    const missing = JSON.stringify(t.checklistMissing);
    const approvalsMet = t.approvalsMet ?? null;
    const unchanged =
      last &&
      last.head_sha === t.headSha &&
      last.level === t.level &&
      last.score === t.score &&
      JSON.stringify(last.checklist_missing) === missing &&
      last.approvals_met === approvalsMet;
    if (!unchanged) await this.insertTriage(t, missing, approvalsMet);
    await refreshReportFacts(this.db, t);
  }

  private async insertTriage(t: TriageRecord, missing: string, approvalsMet: boolean | null): Promise<void> {
    await this.db
      .insertInto("triage_results")
      .values({
        ...key(t),
        head_sha: t.headSha,
        level: t.level,
        scored_level: t.scoredLevel,
        score: t.score,
        likelihood: t.likelihood,
        factors: JSON.stringify(t.factors),
        checklist_missing: missing,
        analysis_rules: JSON.stringify(t.analysisRules),
        approvals_met: approvalsMet,
        at: t.at,
      })
      .execute();
    // The files of the PR as this triage saw them: a file a force-push took out of the PR is
    // not its file any more (a later "fix" must not be tied to code it no longer touches).
    const files = t.files.slice(0, MAX_FILES_KEPT);
    let stale = this.db.deleteFrom("pr_files").where("repo_id", "=", String(t.repoId)).where("number", "=", t.number);
    if (files.length) stale = stale.where("path", "not in", files);
    await stale.execute();
    for (let i = 0; i < files.length; i += 1000) {
      await this.db
        .insertInto("pr_files")
        .values(files.slice(i, i + 1000).map((path) => ({ ...key(t), path })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }

  /** A review request; the same pending request seen again (the app's call, then GitHub's event) is one row. */
  async recordRequest(r: RequestRecord): Promise<{ id: string; created: boolean }> {
    // An event older than the answer it precedes (delivered late, redelivered after an
    // outage, or overtaken by the next event of its PR) brings no request back.
    const answeredSince = await this.db
      .selectFrom("review_requests")
      .select("id")
      .where("repo_id", "=", String(r.repoId))
      .where("number", "=", r.number)
      .where("reviewer", "=", r.reviewer.toLowerCase())
      // A withdrawal in the same second (GitHub's times are whole seconds) does not hide the
      // request: removed and requested again at once is common, and a request wrongly kept is
      // retired by the live checks before anything acts on it, where one wrongly dropped is lost.
      .where((eb) => eb.or([eb("removed_at", ">", new Date(r.at)), eb("reviewed_at", ">=", new Date(r.at))]))
      .executeTakeFirst();
    if (answeredSince) return { id: "", created: false };
    const inserted = await this.db
      .insertInto("review_requests")
      .values({
        ...key(r),
        reviewer: r.reviewer.toLowerCase(),
        requested_by: r.requestedBy.toLowerCase(),
        by_app: r.byApp,
        group_name: r.group ?? null,
        reason: r.reason ?? null,
        requested_at: r.at,
        removed_at: null,
        removed_by: null,
        reviewed_at: null,
        nudged_at: null,
        reassigned_at: null,
      })
      .onConflict((oc) => oc.columns(["repo_id", "number", "reviewer"]).where("removed_at", "is", null).where("reviewed_at", "is", null).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted) {
      await refreshReportFacts(this.db, r);
      return { id: inserted.id, created: true };
    }
    const pending = await this.pendingFor(r, r.reviewer);
    // The app's own request seen first as a webhook (by GitHub's clock) keeps the app's reason.
    if (pending && r.byApp) {
      await this.db
        .updateTable("review_requests")
        .set({ by_app: true, requested_by: r.requestedBy.toLowerCase(), ...(r.reason ? { reason: r.reason } : {}), ...(r.group ? { group_name: r.group } : {}) })
        .where("id", "=", pending.id)
        .execute();
    }
    await refreshReportFacts(this.db, r);
    return { id: pending?.id ?? "", created: false };
  }

  /** Whether `by` withdrew a request the app made of `reviewer` on the PR. */
  async withdrewAppRequest(pr: PrIdentity, reviewer: string, by: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("review_requests")
      .select("id")
      .where("repo_id", "=", String(pr.repoId))
      .where("number", "=", pr.number)
      .where("reviewer", "=", reviewer.toLowerCase())
      .where("by_app", "=", true)
      .where("removed_by", "=", by.toLowerCase())
      .executeTakeFirst();
    return row !== undefined;
  }

  async pendingFor(pr: PrIdentity, reviewer: string): Promise<PendingRequest | undefined> {
    const row = await this.db
      .selectFrom("review_requests")
      .selectAll()
      .where("repo_id", "=", String(pr.repoId))
      .where("number", "=", pr.number)
      .where("reviewer", "=", reviewer.toLowerCase())
      .where("removed_at", "is", null)
      .where("reviewed_at", "is", null)
      .executeTakeFirst();
    return row ? toPending(row) : undefined;
  }

  /** The PR's pending requests, oldest first. */
  async pendingRequests(pr: PrIdentity): Promise<PendingRequest[]> {
    const rows = await this.db
      .selectFrom("review_requests")
      .selectAll()
      .where("repo_id", "=", String(pr.repoId))
      .where("number", "=", pr.number)
      .where("removed_at", "is", null)
      .where("reviewed_at", "is", null)
      .orderBy("requested_at")
      .orderBy("id")
      .execute();
    return rows.map(toPending);
  }

  async request(id: string): Promise<(PendingRequest & { removedAt: Date | null; removedBy: string | null; reviewedAt: Date | null }) | undefined> {
    const row = await this.db.selectFrom("review_requests").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? { ...toPending(row), removedAt: row.removed_at, removedBy: row.removed_by, reviewedAt: row.reviewed_at } : undefined;
  }

  async removeRequest(pr: PrIdentity, reviewer: string, by: string, at: Date | string): Promise<void> {
    await this.db
      .updateTable("review_requests")
      .set({ removed_at: at, removed_by: by.toLowerCase() })
      .where("repo_id", "=", String(pr.repoId))
      .where("number", "=", pr.number)
      .where("reviewer", "=", reviewer.toLowerCase())
      .where("removed_at", "is", null)
      .where("reviewed_at", "is", null)
      // A withdrawal older than the request (the events arrived out of order) is not this request's.
      .where("requested_at", "<=", new Date(at))
      .execute();
  }

  /** A review; the reviewer's pending request is answered. Returns the request, for time-to-first-review. */
  async recordReview(r: PrIdentity & { id: number | string; reviewer: string; state: string; commitId?: string; submittedAt: Date | string }): Promise<{ requestedAt?: Date; first: boolean }> {
    const inserted = await this.db
      .insertInto("reviews")
      .values({ id: String(r.id), ...key(r), reviewer: r.reviewer.toLowerCase(), state: r.state, submitted_state: r.state, commit_id: r.commitId ?? null, submitted_at: r.submittedAt })
      // The state as it stands changes (a dismissal); the state as submitted stays.
      .onConflict((oc) => oc.column("id").doUpdateSet({ state: r.state }))
      .returning(sql<boolean>`(xmax = 0)`.as("fresh"))
      .executeTakeFirst();
    const answered = await this.db
      .updateTable("review_requests")
      .set({ reviewed_at: r.submittedAt })
      .where("repo_id", "=", String(r.repoId))
      .where("number", "=", r.number)
      .where("reviewer", "=", r.reviewer.toLowerCase())
      .where("removed_at", "is", null)
      .where("reviewed_at", "is", null)
      // Only a review given after the request answers it: an older review dismissed or edited
      // now, or its event delivered late, must not cancel the escalation of a re-request.
      // GitHub's times are whole seconds and the request's may carry milliseconds.
      .where("requested_at", "<", new Date(new Date(r.submittedAt).getTime() + 1000))
      .returning("requested_at")
      .executeTakeFirst();
    await refreshReportFacts(this.db, r);
    return { ...(answered ? { requestedAt: answered.requested_at } : {}), first: Boolean(inserted?.fresh) };
  }

  async recordChecklistEvents(pr: PrIdentity, events: Array<{ itemId: string; checklist: string; item: string; actor: string; action: "ticked" | "unticked" | "refused" | "lapsed"; at: Date | string }>): Promise<void> {
    if (!events.length) return;
    await this.db
      .insertInto("checklist_events")
      .values(events.map((e) => ({ ...key(pr), item_id: e.itemId, checklist: e.checklist.slice(0, 100), item: e.item.slice(0, 500), actor: e.actor.toLowerCase(), action: e.action, at: e.at })))
      .execute();
  }

  async recordOverride(o: PrIdentity & { level: string; scoredLevel: string; by: string; reason: string; headSha: string; at: Date | string }): Promise<void> {
    await this.db
      .insertInto("overrides")
      .values({ ...key(o), level: o.level, scored_level: o.scoredLevel, by: o.by.toLowerCase(), reason: o.reason.slice(0, 300), head_sha: o.headSha, at: o.at, lapsed_at: null })
      .execute();
  }

  async lapseOverrides(pr: PrIdentity, at: Date | string): Promise<void> {
    await this.db.updateTable("overrides").set({ lapsed_at: at }).where("repo_id", "=", String(pr.repoId)).where("number", "=", pr.number).where("lapsed_at", "is", null).execute();
  }

  /**
   * Start an escalation: true while it still has to happen. Each request is nudged and
   * reassigned at most once across every process and restart; a job that died after
   * starting one finds it started and not done, and finishes it (its writes are idempotent).
   */
  async startEscalation(e: PrIdentity & { requestId: string; reviewer: string; kind: "nudge" | "reassign"; at: Date }): Promise<boolean> {
    await this.db
      .insertInto("escalations")
      .values({ ...key(e), request_id: e.requestId, reviewer: e.reviewer, kind: e.kind, new_reviewer: null, at: e.at, done_at: null })
      .onConflict((oc) => oc.columns(["request_id", "kind"]).doNothing())
      .execute();
    const row = await this.db.selectFrom("escalations").select("done_at").where("request_id", "=", e.requestId).where("kind", "=", e.kind).executeTakeFirst();
    return row !== undefined && row.done_at === null;
  }

  /**
   * Whom a reassignment begun but not finished chose (kept before they were requested): a
   * retry of the step finishes it with them instead of beginning it again.
   */
  async escalationChosen(requestId: string, kind: "nudge" | "reassign"): Promise<string[]> {
    const row = await this.db.selectFrom("escalations").select(["new_reviewer", "done_at"]).where("request_id", "=", requestId).where("kind", "=", kind).executeTakeFirst();
    return row && row.done_at === null && row.new_reviewer ? row.new_reviewer.split(", ") : [];
  }

  /** Keep whom a reassignment begun is about to request (added to any an earlier attempt chose). */
  async chooseForEscalation(requestId: string, kind: "nudge" | "reassign", reviewers: string[]): Promise<void> {
    const chosen = [...new Set([...(await this.escalationChosen(requestId, kind)), ...reviewers])];
    await this.db
      .updateTable("escalations")
      .set({ new_reviewer: chosen.join(", ") })
      .where("request_id", "=", requestId)
      .where("kind", "=", kind)
      .where("done_at", "is", null)
      .execute();
  }

  async escalationDone(requestId: string, kind: "nudge" | "reassign"): Promise<boolean> {
    const row = await this.db.selectFrom("escalations").select("done_at").where("request_id", "=", requestId).where("kind", "=", kind).executeTakeFirst();
    return row?.done_at != null;
  }

  /** Forget a step started but not made (its PR turned out not to be triaged). */
  async cancelEscalation(requestId: string, kind: "nudge" | "reassign"): Promise<void> {
    await this.db.deleteFrom("escalations").where("request_id", "=", requestId).where("kind", "=", kind).where("done_at", "is", null).execute();
  }

  async finishEscalation(requestId: string, kind: "nudge" | "reassign", at: Date, newReviewer?: string): Promise<void> {
    await this.db
      .updateTable("escalations")
      // Who took over, as it turned out: none when nobody did (the one chosen was removed since).
      .set({ done_at: at, new_reviewer: newReviewer ?? null })
      .where("request_id", "=", requestId)
      .where("kind", "=", kind)
      .execute();
    await this.db
      .updateTable("review_requests")
      .set(kind === "nudge" ? { nudged_at: at } : { reassigned_at: at })
      .where("id", "=", requestId)
      .execute();
  }

  async escalationsOf(pr: PrIdentity): Promise<Array<{ reviewer: string; kind: string; newReviewer: string | null; at: Date }>> {
    const rows = await this.db
      .selectFrom("escalations")
      .select(["reviewer", "kind", "new_reviewer", "at"])
      .where("repo_id", "=", String(pr.repoId))
      .where("number", "=", pr.number)
      .orderBy("at")
      .execute();
    return rows.map((r) => ({ reviewer: r.reviewer, kind: r.kind, newReviewer: r.new_reviewer, at: r.at }));
  }

  async pullRequest(pr: PrIdentity): Promise<{ state: string; draft: boolean; installationId: string | null; repo: string; readySince: Date | null; headSha: string | null } | undefined> {
    const row = await this.db
      .selectFrom("pull_requests")
      .select(["state", "draft", "installation_id", "repo", "ready_since", "head_sha"])
      .where("repo_id", "=", String(pr.repoId))
      .where("number", "=", pr.number)
      .executeTakeFirst();
    return row ? { state: row.state, draft: row.draft, installationId: row.installation_id, repo: row.repo, readySince: row.ready_since, headSha: row.head_sha } : undefined;
  }

  /**
   * The other open pull requests of the repository whose head is `headSha`: check runs belong
   * to a commit, so they share this PR's "Review Triage" check. A PR closed, merged or pushed
   * to since is no longer one (its row says so).
   */
  async openPullsOnHead(pr: PrIdentity, headSha: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom("pull_requests")
      .select("number")
      .where("repo_id", "=", String(pr.repoId))
      .where("head_sha", "=", headSha)
      .where("state", "=", "open")
      .where("number", "!=", pr.number)
      .orderBy("number")
      .execute();
    return rows.map((r) => r.number);
  }

  /**
   * Open review requests per reviewer across every repository of the installation (SPEC §4,
   * "least loaded"), from the stored history: pending requests on open pull requests,
   * leaving out the PR being routed (when given).
   */
  async openRequestLoad(installationId: number | string, exclude?: PrIdentity): Promise<Map<string, number>> {
    // The pending requests (a partial index) hash-joined with the installation's open pull
    // requests. Without statistics, the embedded database takes both for a few rows and loops
    // over the open pull requests once per pending request instead: a cost that grows with the
    // square of the open pull requests (seconds at a few thousand).
    return withoutNestedLoops(this.db, async (trx) => {
      let query = trx
        .selectFrom("review_requests as rr")
        .innerJoin("pull_requests as p", (join) => join.onRef("p.repo_id", "=", "rr.repo_id").onRef("p.number", "=", "rr.number"))
        .select(["rr.reviewer", (eb) => eb.fn.countAll<string>().as("n")])
        .where("p.installation_id", "=", String(installationId))
        .where("p.state", "=", "open")
        .where("rr.removed_at", "is", null)
        .where("rr.reviewed_at", "is", null)
        .groupBy("rr.reviewer");
      if (exclude) query = query.where((eb) => eb.not(eb.and([eb("rr.repo_id", "=", String(exclude.repoId)), eb("rr.number", "=", exclude.number)])));
      const rows = await query.execute();
      return new Map(rows.map((r) => [r.reviewer, Number(r.n)]));
    });
  }

  /** Forget closed pull requests (and what belongs to them) closed before `before` (HISTORY_DAYS). */
  async prune(before: Date): Promise<number> {
    const old = this.db.selectFrom("pull_requests").select(["repo_id", "number"]).where("state", "!=", "open").where("closed_at", "<", before);
    for (const table of ["pr_files", "triage_results", "review_requests", "reviews", "checklist_events", "overrides", "escalations"] as const) {
      await sql`DELETE FROM ${sql.table(table)} t USING (${old}) o WHERE t.repo_id = o.repo_id AND t.number = o.number`.execute(this.db);
    }
    const result = await this.db.deleteFrom("pull_requests").where("state", "!=", "open").where("closed_at", "<", before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toPending(row: {
  id: string;
  repo_id: string;
  number: number;
  reviewer: string;
  by_app: boolean;
  group_name: string | null;
  requested_at: Date;
  nudged_at: Date | null;
  reassigned_at: Date | null;
}): PendingRequest {
  return {
    id: row.id,
    repoId: row.repo_id,
    number: row.number,
    reviewer: row.reviewer,
    byApp: row.by_app,
    group: row.group_name,
    requestedAt: row.requested_at,
    nudgedAt: row.nudged_at,
    reassignedAt: row.reassigned_at,
  };
}
