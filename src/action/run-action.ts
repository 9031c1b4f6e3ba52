import type { Logger as PinoLogger } from "pino";
import { Probot } from "probot";
import { createLogger } from "../create-logger.js";
import { describeError } from "../describe-error.js";
import { eventRelevance } from "../core/event-relevance.js";
import { AppOctokit } from "../github/app-octokit.js";
import { createAnalyzer } from "../handlers/analyze-pull-request.js";
import type { TriagePipelineExtras } from "../handlers/triage.js";
import { createApp } from "../index.js";
import { createActionDeps } from "./create-action-deps.js";
import { readActionInputs } from "./read-action-inputs.js";

export interface RunActionOptions {
  log?: PinoLogger;
  /** Tests: an Octokit without retries or throttling. */
  Octokit?: typeof AppOctokit;
  /** Tests: the pipeline's static analysis (by default the app's, in worker processes). */
  extras?: TriagePipelineExtras;
  /** Where workflow commands (`::error::`) go: the step's standard output. */
  out?: (line: string) => void;
}

/** A workflow command's message, escaped as the runner expects (`%`, CR and LF). */
function command(kind: "error" | "warning" | "notice", message: string): string {
  return `::${kind}::${message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}`;
}

interface PullLike {
  head?: { repo?: { full_name?: string } | null };
  base?: { repo?: { full_name?: string } };
}

/**
 * Review Triage as a GitHub Action step: the event the workflow runs for is handed to the same
 * app through `probot.receive`, with an Octokit authenticated by the workflow's token (no app
 * JWT, no installation token). The PR's memory comes from the app's check run record on
 * GitHub; there is no history, no escalation and no queue. Returns the step's exit code.
 */
export async function runAction(env: NodeJS.ProcessEnv, options: RunActionOptions = {}): Promise<number> {
  const out = options.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const read = readActionInputs(env);
  if (!read.ok) {
    for (const problem of read.problems) out(command("error", `Review Triage: ${problem}`));
    return 1;
  }
  const log = options.log ?? (await createLogger(env));
  if ("ignored" in read) {
    log.info({ reason: read.ignored }, "nothing to do for this event");
    return 0;
  }
  const inputs = read.inputs;
  for (const warning of inputs.warnings) out(command("warning", `Review Triage: ${warning}`));
  const relevance = eventRelevance(inputs.event, inputs.payload);
  if (!relevance.relevant) {
    if (relevance.malformed) {
      out(command("error", `Review Triage: the ${inputs.workflowEvent} event in GITHUB_EVENT_PATH lacks ${relevance.malformed}.`));
      return 1;
    }
    log.info({ event: inputs.workflowEvent, reason: relevance.reason }, "this event cannot change the triage; nothing to do");
    return 0;
  }
  const pull = (inputs.payload as { pull_request?: PullLike }).pull_request;
  if (inputs.workflowEvent === "pull_request" && pull?.head?.repo?.full_name && pull.head.repo.full_name !== pull.base?.repo?.full_name) {
    // GitHub gives `pull_request` workflows of fork PRs a read-only token: every write would fail.
    out(command("warning", "Review Triage: this pull request comes from a fork, and `pull_request` workflows of forks get a read-only token. Run the action on `pull_request_target` instead (see the README's GitHub Action mode)."));
  }

  const deps = createActionDeps({ botLogin: inputs.botLogin });
  const extras = options.extras ?? { analyze: createAnalyzer() };
  const probot = new Probot({
    githubToken: inputs.token,
    baseUrl: inputs.apiUrl,
    log,
    Octokit: options.Octokit ?? AppOctokit,
  });
  try {
    await probot.load(createApp(deps, extras));
    await probot.receive({ id: inputs.delivery, name: inputs.event, payload: inputs.payload } as Parameters<Probot["receive"]>[0]);
  } catch (error) {
    out(command("error", `Review Triage failed: ${String(describeError(error).message)}`));
    return 1;
  } finally {
    await extras.analyze?.close?.().catch(() => undefined);
  }
  const failure = deps.failures.get(inputs.delivery);
  if (failure) {
    // The handler logged it with the event's fields; the annotation makes the step's failure readable.
    out(command("error", `Review Triage failed: ${String(describeError(failure.error).message)}`));
    return 1;
  }
  return 0;
}
