import type { Octokit, RepoRef } from "./types.js";
import { errorStatus } from "./types.js";

export interface StickyComment {
  id: number;
  body: string;
}

/** Find the app's comment by its hidden marker (Renovate's `ensureComment` approach). */
export async function findStickyComment(
  octokit: Octokit,
  ref: RepoRef & { issue_number: number },
  marker: string,
): Promise<StickyComment | undefined> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, per_page: 100 });
  const found = comments.find((c) => c.user?.type === "Bot" && (c.body ?? "").includes(marker));
  return found ? { id: found.id, body: found.body ?? "" } : undefined;
}

export type CommentWrite = "created" | "updated" | "unchanged";

/**
 * Create the comment once, then edit it only when its text changes. `known` is what the
 * caller already knows (from memory or a previous lookup); `undefined` means "look it up".
 */
export async function ensureStickyComment(
  octokit: Octokit,
  ref: RepoRef & { issue_number: number },
  marker: string,
  body: string,
  known: StickyComment | null | undefined,
): Promise<{ write: CommentWrite; comment: StickyComment }> {
  const existing = known === undefined ? await findStickyComment(octokit, ref, marker) : known;
  if (existing && existing.body === body) return { write: "unchanged", comment: existing };
  if (existing) {
    try {
      await octokit.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: existing.id, body });
      return { write: "updated", comment: { id: existing.id, body } };
    } catch (error) {
      // Someone deleted the comment: fall through and post it again.
      if (errorStatus(error) !== 404) throw error;
    }
  }
  const { data } = await octokit.rest.issues.createComment({ ...ref, body });
  return { write: "created", comment: { id: data.id, body } };
}
