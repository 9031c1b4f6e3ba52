import { parseCommand } from "./parse-command.js";
import { CHECK_NAME } from "./render-check.js";
import { STICKY_MARKER } from "./render-comment.js";
import { isRiskLabel } from "./risk-label.js";

/** The pull_request actions that can change a triage. */
export const PULL_REQUEST_ACTIONS = ["opened", "reopened", "ready_for_review", "converted_to_draft", "synchronize", "edited", "labeled", "unlabeled"] as const;
/** The pull_request actions the history records without a triage. */
export const HISTORY_ACTIONS = ["closed", "review_requested", "review_request_removed"] as const;
export const REVIEW_ACTIONS = ["submitted", "edited", "dismissed"] as const;

export type Relevance =
  | { relevant: true; /** Events with the same key are processed one at a time. */ key?: string }
  | { relevant: false; reason: string; /** A payload missing what the event must carry. */ malformed?: string };

type Obj = Record<string, unknown>;

function at(payload: unknown, path: string): unknown {
  let node: unknown = payload;
  for (const k of path.split(".")) node = node && typeof node === "object" ? (node as Obj)[k] : undefined;
  return node;
}

const REQUIRED_FIELDS: Record<string, string[]> = {
  pull_request: ["pull_request.number", "pull_request.head.sha", "pull_request.head.ref", "pull_request.base.repo.id", "pull_request.labels"],
  pull_request_review: ["pull_request.number", "pull_request.head.sha", "pull_request.base.repo.id", "review.state"],
  issue_comment: ["issue.number", "comment.id", "comment.body", "sender.login"],
  check_run: ["check_run.name", "check_run.head_sha"],
  push: ["ref", "repository.default_branch"],
};

/** The first field a handler relies on that the payload lacks (truncated or malformed). */
export function missingField(event: string, payload: unknown): string | undefined {
  if (typeof at(payload, "repository.full_name") !== "string") return "repository.full_name";
  for (const path of REQUIRED_FIELDS[event] ?? []) {
    const value = at(payload, path);
    if (value === undefined || value === null) return path;
  }
  return undefined;
}

function isBotSender(payload: unknown): boolean {
  return at(payload, "sender.type") === "Bot" || /\[bot\]$/i.test(String(at(payload, "sender.login") ?? ""));
}

function prKeyOf(payload: unknown, number: unknown): string | undefined {
  const repoId = at(payload, "repository.id") ?? at(payload, "pull_request.base.repo.id");
  return (typeof repoId === "number" || typeof repoId === "string") && typeof number === "number" ? `${repoId}#${number}` : undefined;
}

/**
 * Whether an event can change anything, decided from the raw payload alone, before any
 * GitHub client or Probot context is made for it: most comments on a busy repository are
 * chatter, and a webhook endpoint is open to anyone, so this is the cheap first gate.
 * The handlers are written for exactly the events this lets through.
 */
export function eventRelevance(event: string, payload: unknown): Relevance {
  if (!payload || typeof payload !== "object") return { relevant: false, reason: "not a JSON object", malformed: "payload" };
  const action = at(payload, "action");
  switch (event) {
    case "pull_request": {
      if (!(PULL_REQUEST_ACTIONS as readonly unknown[]).includes(action) && !(HISTORY_ACTIONS as readonly unknown[]).includes(action)) {
        return { relevant: false, reason: `pull_request.${String(action)} is not handled` };
      }
      break;
    }
    case "pull_request_review":
      if (!(REVIEW_ACTIONS as readonly unknown[]).includes(action)) return { relevant: false, reason: `pull_request_review.${String(action)} is not handled` };
      break;
    case "issue_comment":
      if (action !== "created" && action !== "edited") return { relevant: false, reason: `issue_comment.${String(action)} is not handled` };
      break;
    case "check_run":
      if (action !== "rerequested") return { relevant: false, reason: `check_run.${String(action)} is not handled` };
      break;
    case "push":
      break;
    default:
      return { relevant: false, reason: `${event} events are not handled` };
  }
  const missing = missingField(event, payload);
  if (missing) return { relevant: false, reason: "malformed payload", malformed: missing };

  if (event === "pull_request") {
    const key = keyed(prKeyOf(payload, at(payload, "pull_request.number")));
    // Closing and review requests are history: who asked whom, and when the PR ended.
    if ((HISTORY_ACTIONS as readonly unknown[]).includes(action)) return { relevant: true, ...key };
    if (at(payload, "pull_request.state") !== "open") return { relevant: false, reason: "the pull request is not open" };
    if (action === "edited") {
      // Only the title (fix/type factors, skip keywords) and base (the diff) affect triage.
      const changes = (at(payload, "changes") ?? {}) as Obj;
      if (!("title" in changes) && !("base" in changes)) return { relevant: false, reason: "an edit of neither the title nor the base" };
    }
    if (action === "labeled" || action === "unlabeled") {
      // The app's own risk label going on or off must not trigger another round.
      if (isRiskLabel(String(at(payload, "label.name") ?? ""))) return { relevant: false, reason: "the app's own risk label" };
    }
    return { relevant: true, ...key };
  }
  if (event === "pull_request_review") {
    if (at(payload, "pull_request.state") !== "open") return { relevant: false, reason: "the pull request is not open" };
    return { relevant: true, ...keyed(prKeyOf(payload, at(payload, "pull_request.number"))) };
  }
  if (event === "issue_comment") {
    if (!at(payload, "issue.pull_request")) return { relevant: false, reason: "a comment on an issue, not a pull request" };
    // A closed or merged PR is history: no reviewers, labels or checks are changed on it.
    if (at(payload, "issue.state") !== "open") return { relevant: false, reason: "the pull request is not open" };
    if (isBotSender(payload)) return { relevant: false, reason: "a comment event caused by a bot" };
    const body = String(at(payload, "comment.body") ?? "");
    if (action === "created") {
      if (!parseCommand(body)) return { relevant: false, reason: "not a /triage command" };
    } else {
      // An edit matters only on a bot's comment carrying the app's marker: a checklist tick.
      if (!body.startsWith(STICKY_MARKER) || at(payload, "comment.user.type") !== "Bot") return { relevant: false, reason: "an edit of a comment that is not the app's" };
      if (typeof at(payload, "changes.body.from") !== "string") return { relevant: false, reason: "an edit without the previous body" };
    }
    return { relevant: true, ...keyed(prKeyOf(payload, at(payload, "issue.number"))) };
  }
  if (event === "check_run") {
    if (at(payload, "check_run.name") !== CHECK_NAME) return { relevant: false, reason: "another check" };
    const number = at(payload, "check_run.pull_requests.0.number");
    // A fork PR's run lists no pull request: its head commit stands in for the key.
    return { relevant: true, ...keyed(prKeyOf(payload, number) ?? `${String(at(payload, "repository.id"))}@${String(at(payload, "check_run.head_sha"))}`) };
  }
  // push: only the default branch's config matters (its cached copy is dropped).
  if (at(payload, "ref") !== `refs/heads/${String(at(payload, "repository.default_branch"))}`) return { relevant: false, reason: "a push to another branch" };
  return { relevant: true };
}

function keyed(key: string | undefined): { key?: string } {
  return key ? { key } : {};
}
