import type { Octokit, RepoRef } from "./types.js";
import { errorStatus } from "./types.js";

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
