import { sql, type Expression, type RawBuilder } from "kysely";
import { LEVELS, type Level } from "../config/schema.js";
import type { Db } from "../storage/open-database.js";
import { UnknownRepositoryError, type DurationSummary, type ReportOptions } from "./types.js";

/** A repository as the reports read it: its ids and what its latest triage's config said. */
export interface ResolvedRepository {
  fullName: string;
  ids: string[];
  /** false when the config says `people: false`. */
  people: boolean;
  leadGroup: string;
  installationId: string | null;
}

/**
 * The stored repository named `owner/repo` (GitHub names are case-insensitive). The
 * repositories table knows every repository the app triaged in; pull requests recorded only
 * from other events (a close) still name theirs.
 */
export async function resolveRepository(db: Db, options: Pick<ReportOptions, "owner" | "repo" | "repoId">): Promise<ResolvedRepository> {
  const fullName = `${options.owner}/${options.repo}`;
  const name = fullName.toLowerCase();
  const byId = options.repoId;
  const rows = await db
    .selectFrom("repositories")
    .select(["repo_id", "full_name", "people", "lead_group", "installation_id"])
    .where((eb) => (byId !== undefined ? eb("repo_id", "=", byId) : eb(eb.fn("lower", ["full_name"]), "=", name)))
    .orderBy("updated_at", "desc")
    .execute();
  if (rows.length) {
    return {
      fullName: rows[0]!.full_name,
      ids: rows.map((r) => r.repo_id),
      // Any of its ids saying no keeps the reports off.
      people: !rows.some((r) => r.people === false),
      leadGroup: rows.find((r) => r.lead_group !== null)?.lead_group ?? "lead",
      installationId: rows.find((r) => r.installation_id !== null)?.installation_id ?? null,
    };
  }
  const prs = await db
    .selectFrom("pull_requests")
    .select(["repo_id", "repo", "installation_id"])
    .distinct()
    .where((eb) => (byId !== undefined ? eb("repo_id", "=", byId) : eb(eb.fn("lower", ["repo"]), "=", name)))
    .execute();
  if (!prs.length) throw new UnknownRepositoryError(fullName);
  return {
    fullName: prs[0]!.repo,
    ids: [...new Set(prs.map((r) => r.repo_id))],
    people: true,
    leadGroup: "lead",
    installationId: prs.find((r) => r.installation_id !== null)?.installation_id ?? null,
  };
}

/** Seconds from `earlier` to `later` (null when either is). */
export function secondsBetween(later: Expression<unknown>, earlier: Expression<unknown>): RawBuilder<number | null> {
  return sql<number | null>`extract(epoch from (${later} - ${earlier}))::float8`;
}

/** The `fraction` percentile (continuous) of `value` over the group; nulls are left out. */
export function percentile(fraction: number, value: Expression<number | null>): RawBuilder<number | null> {
  return sql<number | null>`percentile_cont(${sql.lit(fraction)}) within group (order by ${value})`;
}

export function zeroByLevel(): Record<Level, number> {
  return { low: 0, medium: 0, high: 0, critical: 0 };
}

export function isLevel(value: string | null): value is Level {
  return value !== null && (LEVELS as readonly string[]).includes(value);
}

export function durationSummary(row: { n: number | string; median: number | string | null; p90: number | string | null } | undefined): DurationSummary {
  if (!row) return { count: 0, medianSeconds: null, p90Seconds: null };
  const round = (v: number | string | null) => (v === null ? null : Math.round(Number(v)));
  return { count: Number(row.n), medianSeconds: round(row.median), p90Seconds: round(row.p90) };
}

/** Logins that are not people: bots are neither authors nor reviewers in these reports. */
export const BOT_LOGIN = "%[bot]";
