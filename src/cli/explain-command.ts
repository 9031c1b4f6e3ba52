import { CONFIG_PATH } from "../config/parse-config.js";
import { createReadOnlyOctokit } from "./explain/create-read-only-octokit.js";
import { describeReadError } from "./explain/describe-read-error.js";
import { gatherPullRequest, MAX_LISTED_FILES } from "./explain/gather-pull-request.js";
import { parseTarget, resolveApiUrl, type ExplainTarget } from "./explain/parse-target.js";
import { planTriage } from "../core/plan-triage.js";
import { recallRecord } from "../core/pr-record.js";
import { renderConfigSource, renderInvalidConfig, renderPlan } from "./explain/render-plan.js";
import type { CliCommand } from "./io.js";

const HELP = `Usage: review-triage explain <owner/repo#N | https://host/owner/repo/pull/N> [--json] [--no-analysis]

Shows what the Review Triage app would do on a pull request, writing nothing: the risk
level and why, the reviewers it would request (and who it passed over, and why), the
checklists that apply and who must tick them, and what the check run still needs.

It reads, with a token, exactly what the app reads: the pull request and its files (up to
${MAX_LISTED_FILES}), ${CONFIG_PATH} from the default branch (following _extends, or the
built-in defaults when there is none), team members, open pull requests for review load,
the reviews, the app's check run, and the changed JavaScript/TypeScript for static analysis.
The client refuses any request that is not a read. It reads GitHub, never a local clone,
so there is no --repo option (score and evaluate take --repo).

  --json          print the result as JSON
  --no-analysis   skip static analysis (one read per changed JS/TS file); the app runs it
  -h, --help      show this help

Environment:
  GITHUB_TOKEN    required: a token that can read the repository (fine-grained: Pull
                  requests, Contents and Checks read; Members read for @org/team groups)
  GITHUB_API_URL  the REST API of GitHub Enterprise Server, e.g. https://ghe.example.com/api/v3
                  (a pasted PR URL on another host than github.com implies https://host/api/v3)
  APP_ID          the app's id, to tell its check run from others of the same name

Exit code 0 when explained, 1 when the repository's config is invalid, 2 on a bad argument,
a missing or refused token, or a pull request that cannot be read.
`;

class UsageError extends Error {}

interface Options {
  target?: ExplainTarget;
  targetText?: string;
  json: boolean;
  analysis: boolean;
  help: boolean;
}

function parseArgs(args: string[]): Options {
  const options: Options = { json: false, analysis: true, help: false };
  for (const arg of args) {
    if (arg === "--json") options.json = true;
    else if (arg === "--no-analysis") options.analysis = false;
    else if (arg === "--help" || arg === "-h") options.help = true;
    else if (arg === "--repo" || arg.startsWith("--repo="))
      throw new UsageError("--repo does not apply: explain reads the pull request from GitHub, not a local clone; name it as owner/repo#N");
    else if (arg.startsWith("-")) throw new UsageError(`unknown option "${arg}"`);
    else if (options.targetText !== undefined) throw new UsageError(`one pull request at a time (got "${options.targetText}" and "${arg}")`);
    else {
      const target = parseTarget(arg);
      if (!target) throw new UsageError(`"${arg}" is not owner/repo#N or a pull request URL (https://github.com/owner/repo/pull/N)`);
      options.target = target;
      options.targetText = arg;
    }
  }
  return options;
}

export const explainCommand: CliCommand = async (args, io) => {
  let options: Options;
  try {
    options = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`review-triage explain: ${error.message}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    io.stdout(HELP);
    return 0;
  }
  const target = options.target;
  if (!target) {
    io.stderr(`review-triage explain: which pull request? Give owner/repo#N\n\n${HELP}`);
    return 2;
  }
  const slug = `${target.owner}/${target.repo}`;
  const shown = `${slug}#${target.number}`;
  const token = io.env.GITHUB_TOKEN?.trim();
  if (!token) {
    io.stderr(`review-triage explain: GITHUB_TOKEN is not set: create a token that can read ${slug} and export it as GITHUB_TOKEN\n`);
    return 2;
  }
  const api = resolveApiUrl(target, io.env.GITHUB_API_URL);
  if (!api.ok) {
    io.stderr(`review-triage explain: ${api.message}\n`);
    return 2;
  }
  const appId = Number(io.env.APP_ID);
  const { octokit, requests } = createReadOnlyOctokit({
    token,
    baseUrl: api.baseUrl,
    warn: (message) => io.stderr(`review-triage explain: ${message}\n`),
  });

  let gathered: Awaited<ReturnType<typeof gatherPullRequest>>;
  try {
    gathered = await gatherPullRequest(octokit, {
      owner: target.owner,
      repo: target.repo,
      number: target.number,
      analysis: options.analysis,
      ...(Number.isSafeInteger(appId) && appId > 0 ? { appId } : {}),
      extendsOwners: (io.env.EXTENDS_ALLOWED_OWNERS ?? "").split(",").map((o) => o.trim()).filter(Boolean),
    });
  } catch (error) {
    io.stderr(`review-triage explain: ${describeReadError(error, { target: shown, slug, baseUrl: api.baseUrl })}\n`);
    return 2;
  }

  const { pr } = gathered;
  const pullRequest = {
    owner: target.owner,
    repo: target.repo,
    number: pr.number,
    title: pr.title,
    author: pr.user?.login ?? null,
    url: pr.html_url,
    state: pr.merged ? "merged" : pr.state,
    draft: pr.draft ?? false,
    head: { ref: pr.head.ref, sha: pr.head.sha },
    base: pr.base.ref,
  };

  if ("invalid" in gathered) {
    const { problems, files } = gathered.invalid;
    if (options.json) {
      io.stdout(`${JSON.stringify({ pullRequest, config: { valid: false, files, problems }, requests, written: false }, null, 2)}\n`);
    } else {
      io.stdout(renderInvalidConfig({ pr, slug, problems, files, requests: requests.length }));
    }
    return 1;
  }

  const { triage } = gathered;
  // The same plan the app makes, from the same facts; what the app remembers in its own
  // database is known here only from its check run's record, as after a restart without one.
  const plan = planTriage(triage.facts, triage.facts.record ? recallRecord({}, triage.facts.record) : {});
  const analysisRan = triage.facts.config.analysis.enabled ? options.analysis : "off";
  if (options.json) {
    const { assessment, choice, mode } = plan;
    const result = {
      pullRequest,
      config: { valid: true, source: triage.source, files: triage.configFiles },
      risk: assessment,
      urgency: plan.urgency,
      reviewers: { mode, request: choice.picks, kept: choice.kept, skipped: choice.skipped, notes: choice.notes },
      ...(plan.skipReason ? { skipReason: plan.skipReason } : {}),
      scoredLevel: plan.scoredLevel,
      ...(plan.override ? { override: plan.override } : {}),
      checklists: plan.checklists,
      ...(plan.checklistStatus ? { checklistStatus: plan.checklistStatus } : {}),
      approvals: plan.approvals,
      leads: plan.leads,
      check: { status: plan.check.status, ...(plan.check.conclusion ? { conclusion: plan.check.conclusion } : {}), title: plan.check.title },
      ...(plan.label ? { label: plan.label } : {}),
      comment: plan.comment,
      ...(plan.configDryRun ? { configDryRun: plan.configDryRun } : {}),
      notes: plan.notes,
      staticAnalysis: analysisRan === true ? (triage.analysis ?? { errors: 0, annotations: [] }) : null,
      requests,
      written: false,
    };
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  io.stdout(
    renderPlan({
      pr,
      slug,
      configLine: renderConfigSource(triage.source, triage.configFiles, target.owner, target.repo),
      plan,
      ...(triage.analysis ? { analysis: triage.analysis } : {}),
      analysisRan,
      // Counted after the reads, so the line states what this run actually sent.
      requests: requests.length,
    }),
  );
  return 0;
};
