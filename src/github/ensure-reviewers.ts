import type { Octokit, RepoRef } from "./types.js";
import { errorStatus } from "./types.js";

export interface ReviewRequest {
  login: string;
  isTeam: boolean;
}

export interface ReviewRequestResult {
  requested: ReviewRequest[];
  /** login → why GitHub refused (e.g. not a collaborator). */
  refused: Map<string, string>;
}

function body(people: ReviewRequest[]) {
  const reviewers = people.filter((p) => !p.isTeam).map((p) => p.login);
  // `@org/team` → team slug; the API wants slugs of teams in the repository's org.
  const team_reviewers = people.filter((p) => p.isTeam).map((p) => p.login.split("/")[1]!);
  return { reviewers, team_reviewers };
}

function refusal(error: unknown): string {
  const message = (error as { response?: { data?: { message?: string } } })?.response?.data?.message;
  return `GitHub refused the review request (${message ?? "422"}); usually no access to this repository`;
}

/**
 * Request reviewers in one call. GitHub answers 422 for the whole call when any one of them
 * cannot review (no access); then each is asked alone so the others still get requested,
 * and the refused ones are reported for the caller to replace.
 */
export async function requestReviewers(
  octokit: Octokit,
  ref: RepoRef & { pull_number: number },
  people: ReviewRequest[],
): Promise<ReviewRequestResult> {
  const refused = new Map<string, string>();
  if (!people.length) return { requested: [], refused };
  try {
    await octokit.rest.pulls.requestReviewers({ ...ref, ...body(people) });
    return { requested: people, refused };
  } catch (error) {
    if (errorStatus(error) !== 422) throw error;
    if (people.length === 1) {
      refused.set(people[0]!.login.toLowerCase(), refusal(error));
      return { requested: [], refused };
    }
  }
  const requested: ReviewRequest[] = [];
  for (const person of people) {
    try {
      await octokit.rest.pulls.requestReviewers({ ...ref, ...body([person]) });
      requested.push(person);
    } catch (error) {
      if (errorStatus(error) !== 422) throw error;
      refused.set(person.login.toLowerCase(), refusal(error));
    }
  }
  return { requested, refused };
}
