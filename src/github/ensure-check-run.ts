import { createHash } from "node:crypto";
import { ANNOTATIONS_PER_REQUEST, type CheckAnnotation } from "../core/analysis/to-annotations.js";
import { CHECK_NAME, type CheckRunSpec } from "../core/render-check.js";
import type { Octokit, RepoRef } from "./types.js";

export type { CheckAnnotation, CheckRunSpec };
export { CHECK_NAME };


/** The Checks API rejects summaries and texts over 65 535 characters. */
const MAX_OUTPUT = 65_000;


export interface KnownCheckRun {
  id: number;
  fingerprint: string;
  /** The output text as found on GitHub (it carries the app's record). */
  text?: string;
  /** Fingerprint of the annotations already on the run: GitHub appends, so they are sent once. */
  annotations?: string;
  /** GitHub does not take a completed run back to in progress, so such a change needs a new run. */
  completed?: boolean;
}

function annotationsFingerprint(list: readonly CheckAnnotation[]): string {
  return createHash("sha256").update(JSON.stringify(list)).digest("hex");
}

function clip(text: string): string {
  return text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT)}\n\n…(truncated)` : text;
}

export function fingerprint(spec: CheckRunSpec): string {
  return createHash("sha256")
    .update(JSON.stringify([spec.status, spec.conclusion ?? null, spec.title, clip(spec.summary), spec.text ? clip(spec.text) : null, spec.annotations ?? []]))
    .digest("hex");
}

/**
 * Which app's runs are this app's: by id (the app), or, where the id is not known, by slug
 * (Action mode: runs made with a workflow's token belong to the `github-actions` app).
 */
export interface CheckRunOwner {
  appId?: number | undefined;
  appSlug?: string | undefined;
}

function ownerOf(app: number | CheckRunOwner | undefined): CheckRunOwner {
  return typeof app === "number" ? { appId: app } : (app ?? {});
}

/** Find this app's latest "Review Triage" run on a commit. */
export async function findCheckRun(
  octokit: Octokit,
  ref: RepoRef & { head_sha: string },
  app: number | CheckRunOwner | undefined,
): Promise<KnownCheckRun | undefined> {
  const { appId, appSlug } = ownerOf(app);
  const { data } = await octokit.rest.checks.listForRef({
    owner: ref.owner,
    repo: ref.repo,
    ref: ref.head_sha,
    check_name: CHECK_NAME,
    filter: "latest",
    ...(appId ? { app_id: appId } : {}),
  });
  const run = appId || !appSlug ? data.check_runs[0] : data.check_runs.find((r) => r.app?.slug === appSlug);
  if (!run) return undefined;
  const spec: CheckRunSpec = {
    status: run.status === "completed" ? "completed" : "in_progress",
    title: run.output.title ?? "",
    summary: run.output.summary ?? "",
    ...(run.conclusion ? { conclusion: run.conclusion as CheckRunSpec["conclusion"] } : {}),
    ...(run.output.text ? { text: run.output.text } : {}),
  };
  // Annotations are not returned here; a run that had them is rewritten when they matter.
  return {
    id: run.id,
    fingerprint: fingerprint(spec),
    ...(run.output.text ? { text: run.output.text } : {}),
    // The list does not return annotations, only their count: treat existing ones as current.
    annotations: run.output.annotations_count ? "present" : annotationsFingerprint([]),
    completed: run.status === "completed",
  };
}

/**
 * Create or update the check run so it shows `spec`; no write when it already does.
 * Annotations go in the same request, so at most 50 (the Checks API's limit per request) are
 * sent: the analysis ranks its findings and keeps only the most severe that many.
 */
export async function ensureCheckRun(
  octokit: Octokit,
  ref: RepoRef & { head_sha: string },
  spec: CheckRunSpec,
  known: KnownCheckRun | null | undefined,
  app: number | CheckRunOwner | undefined,
): Promise<{ write: "created" | "updated" | "unchanged"; run: KnownCheckRun }> {
  const wanted = fingerprint(spec);
  const found = known === undefined ? await findCheckRun(octokit, ref, app) : known;
  if (found && found.fingerprint === wanted) return { write: "unchanged", run: found };
  // A run that has concluded stays concluded on GitHub (an update cannot clear its
  // conclusion), so going back to "in progress" — an approval dismissed — takes a new run.
  const existing = found && found.completed && spec.status !== "completed" ? null : found;
  const all = spec.annotations ?? [];
  const annFp = annotationsFingerprint(all);
  // Annotations add up on a run; resend them only when they differ from what is there.
  const annotations = existing && (existing.annotations === annFp || existing.annotations === "present") ? [] : all;
  const output = {
    title: spec.title.slice(0, 255),
    summary: clip(spec.summary),
    ...(spec.text ? { text: clip(spec.text) } : {}),
    ...(annotations.length ? { annotations: annotations.slice(0, ANNOTATIONS_PER_REQUEST) } : {}),
  };
  const state = {
    status: spec.status,
    ...(spec.status === "completed" ? { conclusion: spec.conclusion ?? "neutral", completed_at: new Date().toISOString() } : {}),
  };
  let id: number;
  let write: "created" | "updated";
  if (existing) {
    await octokit.rest.checks.update({ owner: ref.owner, repo: ref.repo, check_run_id: existing.id, name: CHECK_NAME, ...state, output });
    id = existing.id;
    write = "updated";
  } else {
    const { data } = await octokit.rest.checks.create({ owner: ref.owner, repo: ref.repo, name: CHECK_NAME, head_sha: ref.head_sha, ...state, output });
    id = data.id;
    write = "created";
  }
  return {
    write,
    run: { id, fingerprint: wanted, annotations: annotations.length ? annFp : existing?.annotations ?? annFp, completed: spec.status === "completed" },
  };
}
