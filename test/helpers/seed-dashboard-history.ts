import { seededRandom } from "../../bench/support/seeded-random.js";
import type { Db } from "../../src/storage/open-database.js";

export interface SeedRepo {
  id: number;
  fullName: string;
  installationId: number;
}

export const SEED_PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
export const SEED_LEADS = ["alice", "bob"];

const TITLES = [
  "Add retry to the payment webhook",
  "Fix flaky login test",
  "Refactor session store",
  "Bump dependencies",
  "Docs: explain the config reference",
  "Rate-limit the search endpoint",
  "Migrate users table to bigint ids",
  "Speed up the report export",
  "Handle empty carts in checkout",
  "Remove the legacy admin panel",
];

/**
 * A realistic history in bulk (for screenshots and the benchmark): `count` pull requests
 * over the last twelve weeks across `repos`, a share of them still open, each with a triage,
 * review requests (high and critical ones to a lead) and, for most, reviews.
 */
export async function seedDashboardHistory(db: Db, options: { repos: readonly SeedRepo[]; count: number; now: Date; openShare?: number; seed?: number }): Promise<{ open: number }> {
  const random = seededRandom(options.seed ?? 7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const hour = 3_600_000;
  const span = 12 * 7 * 24 * hour;
  const now = options.now.getTime();
  await db
    .insertInto("repositories")
    .values(options.repos.map((r) => ({ repo_id: String(r.id), installation_id: String(r.installationId), full_name: r.fullName, backfilled_at: options.now })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  const prs: Array<Record<string, unknown>> = [];
  const triages: Array<Record<string, unknown>> = [];
  const requests: Array<Record<string, unknown>> = [];
  const reviews: Array<Record<string, unknown>> = [];
  let open = 0;
  let reviewId = 1;
  for (let i = 0; i < options.count; i++) {
    const repo = options.repos[i % options.repos.length]!;
    const number = Math.floor(i / options.repos.length) + 1;
    const r = random();
    const level = r < 0.07 ? "critical" : r < 0.25 ? "high" : r < 0.6 ? "medium" : "low";
    const isOpen = random() < (options.openShare ?? 0.08);
    const openedAt = new Date(now - (isOpen ? random() * 14 * 24 * hour : random() * span));
    const author = pick(SEED_PEOPLE);
    const closedAt = isOpen ? null : new Date(Math.min(now, openedAt.getTime() + (2 + random() * 96) * hour));
    if (isOpen) open++;
    const key = { repo_id: String(repo.id), number };
    prs.push({
      ...key,
      installation_id: String(repo.installationId),
      repo: repo.fullName,
      author,
      title: `${pick(TITLES)} (#${number})`,
      state: isOpen ? "open" : random() < 0.85 ? "merged" : "closed",
      draft: isOpen && random() < 0.05,
      head_sha: "0".repeat(40),
      level,
      score: Math.round(random() * 100),
      opened_at: openedAt,
      ready_at: null,
      merged_at: closedAt,
      closed_at: closedAt,
    });
    triages.push({
      ...key,
      head_sha: "0".repeat(40),
      level,
      scored_level: level,
      score: 50,
      likelihood: 0.4,
      factors: "{}",
      checklist_missing: JSON.stringify(isOpen && (level === "critical" || level === "high") && random() < 0.6 ? ["Threat model updated"] : []),
      analysis_rules: "{}",
      at: openedAt,
    });
    const toLead = level === "critical" || level === "high";
    const reviewers = new Set<string>([toLead ? pick(SEED_LEADS) : pick(SEED_PEOPLE.slice(2))]);
    if (level === "critical") reviewers.add(pick(SEED_PEOPLE.slice(2)));
    reviewers.delete(author);
    const requestedAt = new Date(openedAt.getTime() + 5 * 60_000);
    for (const reviewer of reviewers) {
      const waitHours = (level === "critical" ? 2 : level === "high" ? 6 : 12) * (0.3 + random() * 2);
      const reviewedAt = new Date(requestedAt.getTime() + waitHours * hour);
      const answered = reviewedAt.getTime() < (closedAt?.getTime() ?? now) && (!isOpen || random() < 0.3);
      requests.push({
        ...key,
        reviewer,
        requested_by: "review-triage[bot]",
        by_app: true,
        group_name: SEED_LEADS.includes(reviewer) && toLead ? "lead" : "seniors",
        reason: "least loaded",
        requested_at: requestedAt,
        removed_at: null,
        removed_by: null,
        reviewed_at: answered ? reviewedAt : null,
        nudged_at: !answered && isOpen && now - requestedAt.getTime() > 48 * hour ? new Date(requestedAt.getTime() + 24 * hour) : null,
        reassigned_at: null,
      });
      if (answered) reviews.push({ id: String(reviewId++), ...key, reviewer, state: "APPROVED", commit_id: null, submitted_at: reviewedAt });
    }
  }
  const chunks = <T>(rows: T[], size = 500) => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
  for (const rows of chunks(prs)) await db.insertInto("pull_requests").values(rows as never).execute();
  for (const rows of chunks(triages)) await db.insertInto("triage_results").values(rows as never).execute();
  for (const rows of chunks(requests)) await db.insertInto("review_requests").values(rows as never).execute();
  for (const rows of chunks(reviews)) await db.insertInto("reviews").values(rows as never).execute();
  return { open };
}
