import { createHash } from "node:crypto";
import type { Octokit, RepoRef } from "./types.js";
import { errorStatus } from "./types.js";

export interface StickyComment {
  id: number;
  body: string;
}

/** What the app remembers of its comment: the id and a hash, not the (up to 65 KB) text. */
export type KnownComment = { id: number; body: string } | { id: number; bodyHash: string };

export function hashText(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}

/** Who the app is on GitHub: its id and its bot account (`<slug>[bot]`), where known. */
export interface AppIdentity {
  appId?: number;
  botLogin?: string;
}

/**
 * Whether a comment is the app's own: written by this app's bot account (and, where GitHub
 * says which app performed it, by this app). Anyone can paste the marker into a comment of
 * their own, and another bot's comment can carry it too.
 */
export function isOwnComment(
  comment: { user?: { type?: string; login?: string } | null; performed_via_github_app?: { id?: number } | null },
  identity: AppIdentity,
): boolean {
  if (comment.user?.type !== "Bot") return false;
  if (identity.botLogin && comment.user.login?.toLowerCase() !== identity.botLogin.toLowerCase()) return false;
  const via = comment.performed_via_github_app?.id;
  if (identity.appId && via !== undefined && via !== identity.appId) return false;
  // Without a bot login to compare, only a comment GitHub attributes to this app counts.
  return Boolean(identity.botLogin) || !identity.appId || via === identity.appId;
}

/** Find the app's comment by its hidden marker (Renovate's `ensureComment` approach) and its author. */
export async function findStickyComment(
  octokit: Octokit,
  ref: RepoRef & { issue_number: number },
  marker: string,
  identity: AppIdentity = {},
): Promise<StickyComment | undefined> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, per_page: 100 });
  // The marker opens the app's comment; quoted anywhere else (a file name in a reply) it is
  // only text, and must not make that comment the sticky one.
  const found = comments.find((c) => isOwnComment(c, identity) && (c.body ?? "").startsWith(marker));
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
  known: KnownComment | null | undefined,
  identity: AppIdentity = {},
): Promise<{ write: CommentWrite; comment: StickyComment }> {
  const existing = known === undefined ? await findStickyComment(octokit, ref, marker, identity) : known;
  const same = existing && ("body" in existing ? existing.body === body : existing.bodyHash === hashText(body));
  if (existing && same) return { write: "unchanged", comment: { id: existing.id, body } };
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
