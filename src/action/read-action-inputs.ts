import { readFileSync } from "node:fs";

/** The bot account of a workflow's `GITHUB_TOKEN`: its comments and (by slug) its check runs are the action's. */
export const ACTIONS_BOT = "github-actions[bot]";

/** Workflow events the action handles, under the webhook name the app knows them by. */
const EVENT_NAMES: Record<string, string> = {
  pull_request: "pull_request",
  // The same payload as `pull_request`, run in the base repository with a token that can write.
  pull_request_target: "pull_request",
  pull_request_review: "pull_request_review",
  issue_comment: "issue_comment",
};

export interface ActionInputs {
  token: string;
  /** The webhook event name (`pull_request_target` is a `pull_request`). */
  event: string;
  /** The event name as the workflow saw it. */
  workflowEvent: string;
  payload: Record<string, unknown>;
  /** REST API root: `https://api.github.com`, or `https://<host>/api/v3` on GitHub Enterprise Server. */
  apiUrl: string;
  graphqlUrl: string;
  botLogin: string;
  /** Settings that were given but cannot be used as given. */
  warnings: string[];
  /** Identifies the run in the logs (like a webhook delivery id). */
  delivery: string;
}

export type ReadInputs = { ok: true; inputs: ActionInputs } | { ok: true; ignored: string } | { ok: false; problems: string[] };

/** An action input as the runner passes it: `INPUT_<NAME>`, the name upper-cased, hyphens kept. */
function input(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`]?.trim();
  return value ? value : undefined;
}

/** Where GraphQL lives for a REST root: `/graphql` beside it on github.com, `/api/graphql` on GHES. */
export function graphqlUrlFor(apiUrl: string): string {
  return /\/api\/v3\/?$/.test(apiUrl) ? apiUrl.replace(/\/v3\/?$/, "/graphql") : `${apiUrl.replace(/\/$/, "")}/graphql`;
}

/**
 * Read what the runner gives a step (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, the `github-token`
 * input, GITHUB_API_URL, GITHUB_GRAPHQL_URL), every problem as one line a workflow author can
 * act on.
 */
export function readActionInputs(env: NodeJS.ProcessEnv): ReadInputs {
  const problems: string[] = [];
  const token = input(env, "github-token") ?? env.GITHUB_TOKEN?.trim();
  if (!token) problems.push("No GitHub token: give the action's `github-token` input (its default is `${{ github.token }}`), or set GITHUB_TOKEN.");
  const workflowEvent = env.GITHUB_EVENT_NAME?.trim();
  if (!workflowEvent) problems.push("GITHUB_EVENT_NAME is not set: run the action in a GitHub Actions workflow, or set it to the event's name.");
  const eventPath = env.GITHUB_EVENT_PATH?.trim();
  let payload: Record<string, unknown> | undefined;
  if (!eventPath) problems.push("GITHUB_EVENT_PATH is not set: run the action in a GitHub Actions workflow, or set it to a file holding the event's payload.");
  else {
    try {
      const parsed: unknown = JSON.parse(readFileSync(eventPath, "utf8"));
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) problems.push(`GITHUB_EVENT_PATH (${eventPath}) does not hold a JSON object.`);
      else payload = parsed as Record<string, unknown>;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(
        code
          ? `GITHUB_EVENT_PATH (${eventPath}) cannot be read (${code}).`
          : `GITHUB_EVENT_PATH (${eventPath}) is not valid JSON: ${error instanceof Error ? error.message : String(error)}.`,
      );
    }
  }
  const apiUrl = (env.GITHUB_API_URL?.trim() || "https://api.github.com").replace(/\/$/, "");
  const graphqlUrl = env.GITHUB_GRAPHQL_URL?.trim() || graphqlUrlFor(apiUrl);
  for (const [name, value] of [["GITHUB_API_URL", apiUrl], ["GITHUB_GRAPHQL_URL", graphqlUrl]] as const) {
    if (!/^https?:\/\/[^\s/]+/.test(value)) problems.push(`${name} must be an http(s) URL, got "${value}".`);
  }
  const warnings: string[] = [];
  if (graphqlUrl !== graphqlUrlFor(apiUrl)) {
    // Octokit derives GraphQL's address from the REST root; a different one cannot be honoured.
    warnings.push(`GITHUB_GRAPHQL_URL (${graphqlUrl}) is not where GitHub serves GraphQL for GITHUB_API_URL (${apiUrl}); ${graphqlUrlFor(apiUrl)} is used.`);
  }
  const botLogin = input(env, "bot-login") ?? ACTIONS_BOT;
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\[bot\]$/.test(botLogin)) problems.push(`The \`bot-login\` input must be a bot account such as ${ACTIONS_BOT}, got "${botLogin}".`);
  if (problems.length) return { ok: false, problems };
  const event = EVENT_NAMES[workflowEvent!];
  if (!event) return { ok: true, ignored: `${workflowEvent} events are not handled (use pull_request_target, pull_request_review and issue_comment)` };
  const run = env.GITHUB_RUN_ID?.trim();
  return {
    ok: true,
    inputs: {
      token: token!,
      event,
      workflowEvent: workflowEvent!,
      payload: payload!,
      apiUrl,
      graphqlUrl: graphqlUrlFor(apiUrl),
      botLogin,
      warnings,
      delivery: run ? `run-${run}-${env.GITHUB_RUN_ATTEMPT?.trim() || "1"}` : `local-${Date.now()}`,
    },
  };
}
