import type { PullRequestFacts } from "../types.js";

/**
 * Whether a change says it fixes something: the SZZ "fix commit" test. It reads the title and
 * the head branch (what a pull request shows), not the body: bodies routinely say "fixes #12"
 * of feature requests, and squash bodies list every work-in-progress commit ("fix lint"),
 * which would turn most changes into fixes.
 *
 * Reverts count: a revert is the project saying the reverted lines needed undoing, the
 * strongest "needed a fix" signal history has.
 */
const FIX_WORDS = /(^|[^a-z0-9])(fix(e[sd]|ing)?|bug(s|fix(es)?)?|(hot|quick)fix(es)?|regressions?|revert(s|ed)?)($|[^a-z0-9])/i;

/** Typo and spelling fixes are fixes of text, not of behaviour. */
const TEXT_ONLY = /(^|[^a-z])(typos?|spelling|grammar|wording)([^a-z]|$)/i;

export function isFixChange(pr: Pick<PullRequestFacts, "title" | "headRef">): boolean {
  const text = `${pr.title}\n${pr.headRef.replace(/[/_-]/g, " ")}`;
  return FIX_WORDS.test(text) && !TEXT_ONLY.test(pr.title);
}
