import type { ApplicationFunctionOptions, Probot } from "probot";
import { HISTORY_ACTIONS, PULL_REQUEST_ACTIONS, REVIEW_ACTIONS } from "./core/event-relevance.js";
import { handlePullRequestHistory } from "./handlers/record-history.js";
import type { AppDeps } from "./handlers/app-deps.js";
import { handleCommentCreated, handleCommentEdited } from "./handlers/issue-comment.js";
import { handleCheckRerequested, handleReview } from "./handlers/review.js";
import { handlePullRequest } from "./handlers/pull-request.js";
import { handlePush } from "./handlers/push.js";
import { runEvent } from "./handlers/run-event.js";
import type { TriagePipelineExtras } from "./handlers/triage.js";

/** The app function: events to handlers, nothing else. The server supplies its state. */
export function createApp(deps: AppDeps, extras: TriagePipelineExtras = {}, routes: Array<Parameters<NonNullable<ApplicationFunctionOptions["addHandler"]>>[0]> = []) {
  return (app: Probot, options?: ApplicationFunctionOptions): void => {
    app.on(
      PULL_REQUEST_ACTIONS.map((a) => `pull_request.${a}` as const),
      runEvent(deps, "pull_request", handlePullRequest(deps, extras)),
    );
    app.on(
      HISTORY_ACTIONS.map((a) => `pull_request.${a}` as const),
      runEvent(deps, "pull_request", handlePullRequestHistory(deps)),
    );
    app.on(
      REVIEW_ACTIONS.map((a) => `pull_request_review.${a}` as const),
      runEvent(deps, "pull_request_review", handleReview(deps, extras)),
    );
    app.on("issue_comment.edited", runEvent(deps, "issue_comment", handleCommentEdited(deps, extras)));
    app.on("issue_comment.created", runEvent(deps, "issue_comment", handleCommentCreated(deps, extras)));
    app.on("check_run.rerequested", runEvent(deps, "check_run", handleCheckRerequested(deps, extras)));
    app.on("push", runEvent(deps, "push", handlePush(deps)));
    for (const route of routes) options?.addHandler?.(route);
  };
}
