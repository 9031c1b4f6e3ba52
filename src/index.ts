import type { ApplicationFunctionOptions, Probot } from "probot";
import { createAppDeps, type AppDeps } from "./handlers/app-deps.js";
import { handleHttp } from "./handlers/http.js";
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
    app.on("push", runEvent(state, "push", handlePush(state)));
    options?.addHandler?.(handleHttp(state));
  };
}

export default createApp();
