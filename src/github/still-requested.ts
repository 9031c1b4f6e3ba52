/** The reviewers and teams GitHub lists as requested on a PR (a pull, or `listRequestedReviewers`' answer). */
export interface RequestedOnGitHub {
  users?: Array<{ login?: string } | null> | null;
  teams?: Array<{ slug?: string } | null> | null;
}

/** Whether `reviewer` (a login, or "@org/slug" for a team) is among the requested on GitHub. */
export function stillRequested(requested: RequestedOnGitHub, owner: string, reviewer: string): boolean {
  const who = reviewer.toLowerCase();
  if (who.startsWith("@")) return (requested.teams ?? []).some((t) => t?.slug && `@${owner}/${t.slug}`.toLowerCase() === who);
  return (requested.users ?? []).some((u) => u?.login?.toLowerCase() === who);
}
