import type { ApplicationFunctionOptions, Probot } from "probot";
import { createAppDeps, type AppDeps } from "./handlers/app-deps.js";
import { createAnalyzer } from "./handlers/analyze-pull-request.js";
import { handleHttp } from "./handlers/http.js";
import { handleCommentCreated, handleCommentEdited } from "./handlers/issue-comment.js";
import { handleCheckRerequested, handleReview } from "./handlers/review.js";
import { handlePullRequest } from "./handlers/pull-request.js";
import { handlePush } from "./handlers/push.js";
import { runEvent } from "./handlers/run-event.js";
import type { TriageExtras } from "./handlers/triage-extras.js";

export const PULL_REQUEST_ACTIONS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.synchronize",
  "pull_request.edited",
  "pull_request.labeled",
  "pull_request.unlabeled",
] as const;

/** Build the app with its own state; tests build a fresh one per case. */
export function createApp(deps?: AppDeps, extras: TriageExtras = {}) {
  return (app: Probot, options?: ApplicationFunctionOptions): void => {
    const state = deps ?? createAppDeps({ appId: Number(process.env.APP_ID) || undefined });
    app.on([...PULL_REQUEST_ACTIONS], runEvent(state, "pull_request", handlePullRequest(state, extras)));
    app.on(
      ["pull_request_review.submitted", "pull_request_review.edited", "pull_request_review.dismissed"],
      runEvent(state, "pull_request_review", handleReview(state, extras)),
    );
    app.on("issue_comment.edited", runEvent(state, "issue_comment", handleCommentEdited(state, extras)));
    app.on("issue_comment.created", runEvent(state, "issue_comment", handleCommentCreated(state, extras)));
    app.on("check_run.rerequested", runEvent(state, "check_run", handleCheckRerequested(state, extras)));
    app.on("push", runEvent(state, "push", handlePush(state)));
    options?.addHandler?.(handleHttp(state));
  };
}

export default createApp(undefined, { analyze: createAnalyzer() });
