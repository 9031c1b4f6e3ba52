import { mayTick, readTaskStates, roleText, type AppliedChecklist, type TickRecord } from "../core/checklists.js";
import type { Octokit, RepoRef } from "../github/types.js";
import { errorStatus } from "../github/types.js";

const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);

/** Write access from the collaborator-permission API (never from `author_association`). */
export async function hasWriteAccess(octokit: Octokit, ref: RepoRef, login: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...ref, username: login });
    const role = (data as { role_name?: string }).role_name;
    return WRITE_PERMISSIONS.has(data.permission) || (role !== undefined && WRITE_PERMISSIONS.has(role));
  } catch (error) {
    if (errorStatus(error) === 404 || errorStatus(error) === 403) return false;
    throw error;
  }
}

/**
 * Apply a hand edit of the sticky comment to the app's tick record. Each item whose box
 * changed is checked against who may tick it; allowed changes are recorded with who and when,
 * the rest are refused (and reverted when the comment is re-rendered from the record).
 * Everything else in the edited text is ignored: the record, not the comment, is the truth.
 */
export async function applyTickEdit(input: {
  octokit: Octokit;
  repoRef: RepoRef;
  applied: AppliedChecklist[];
  ticks: TickRecord;
  edit: { sender: string; before: string; after: string };
  author: string;
  leads: ReadonlySet<string>;
  now: string;
}): Promise<{ ticks: TickRecord; refusals: string[] }> {
  const before = readTaskStates(input.edit.before);
  const after = readTaskStates(input.edit.after);
  const ticks = { ...input.ticks };
  const refusals: string[] = [];
  let writeAccess: boolean | undefined;
  for (const list of input.applied) {
    for (const item of list.items) {
      const was = before.get(item.id) ?? Boolean(ticks[item.id]);
      const now = after.get(item.id);
      if (now === undefined || now === was) continue;
      if (item.by === "reviewer" && writeAccess === undefined) {
        writeAccess = await hasWriteAccess(input.octokit, input.repoRef, input.edit.sender);
      }
      const allowed = mayTick(item.by, { login: input.edit.sender, author: input.author, hasWrite: writeAccess ?? false, leads: input.leads });
      if (!allowed) {
        refusals.push(`@${input.edit.sender}'s ${now ? "tick" : "untick"} of "${item.text}" was reverted: ${roleText(item.by, input.leads)}.`);
        continue;
      }
      if (now) ticks[item.id] = { by: input.edit.sender, at: input.now };
      else delete ticks[item.id];
    }
  }
  return { ticks, refusals };
}
