import type { Context } from "probot";
import { loadConfig } from "../config/load-config.js";
import { COMMAND_HELP, parseCommand } from "../core/parse-command.js";
import { renderExplanation } from "../core/render-explanation.js";
import { text } from "../core/safe-markdown.js";
import { expandGroups } from "../github/expand-teams.js";
import { hasWriteAccess } from "../github/has-write-access.js";
import { isOwnComment } from "../github/ensure-sticky-comment.js";
import type { Octokit } from "../github/types.js";
import { PRIORITY } from "../queue/write-queue.js";
import type { AppDeps } from "./app-deps.js";
import { triagePullRequest, type PullRequestLike, type TriagePipelineExtras } from "./triage.js";

type CommentContext = Context<"issue_comment">;

const CLOSED = "This pull request is closed: Review Triage no longer triages it, and nothing was changed.";

async function fetchPull(context: CommentContext): Promise<PullRequestLike> {
  const { data } = await context.octokit.rest.pulls.get(context.repo({ pull_number: context.payload.issue.number }));
  return data as unknown as PullRequestLike;
}

/**
 * `issue_comment.edited` on the app's sticky comment: a person ticked or unticked checklist
 * items. The edit is checked against who may tick each item, recorded, and the comment is
 * re-rendered from the record (SPEC §6).
 */
export function handleCommentEdited(deps: AppDeps, extras: TriagePipelineExtras) {
  return async (context: CommentContext): Promise<void> => {
    const { comment, changes } = context.payload as CommentContext["payload"] & { changes?: { body?: { from?: string } } };
    if (!isOwnComment(comment as Parameters<typeof isOwnComment>[0], deps)) return;
    const pr = await fetchPull(context);
    if (pr.state !== "open") return;
    await triagePullRequest(context, deps, pr, "tick", extras, {
      tickEdit: { sender: context.payload.sender.login, before: changes!.body!.from!, after: comment.body ?? "", commentId: comment.id },
    });
  };
}

/** Slash commands in PR comments, accepted only from people with write access (SPEC §6). */
export function handleCommentCreated(deps: AppDeps, extras: TriagePipelineExtras) {
  return async (context: CommentContext): Promise<void> => {
    const { comment } = context.payload;
    const command = parseCommand(comment.body ?? "")!;
    const sender = context.payload.sender.login;
    const octokit = context.octokit as unknown as Octokit;
    const { owner, repo } = context.repo();
    const lane = String(context.payload.installation?.id ?? owner);
    if (!(await hasWriteAccess(octokit, { owner, repo }, sender))) {
      context.log.info({ sender, command: command.kind }, "command from someone without write access ignored");
      return;
    }
    const reply = (body: string) => deps.writes.schedule(lane, PRIORITY.comment, () => context.octokit.rest.issues.createComment(context.issue({ body })));
    // A command read after the merge (the author comments and merges at once) must not bring
    // the PR back as open: its history, its reviewers' load and its author's report would follow.
    const openPull = async (): Promise<PullRequestLike | undefined> => {
      const pr = await fetchPull(context);
      if (pr.state === "open") return pr;
      await reply(CLOSED);
      return undefined;
    };
    const react = () =>
      deps.writes.schedule(lane, PRIORITY.label, () =>
        context.octokit.rest.reactions.createForIssueComment(context.repo({ comment_id: comment.id, content: "+1" as const })),
      );

    if (command.kind === "help" || command.kind === "invalid") {
      await reply(command.kind === "invalid" ? `${command.message}\n\n${COMMAND_HELP}` : COMMAND_HELP);
      return;
    }
    if (command.kind === "override") {
      const loaded = await deps.configs.get(`${owner}/${repo}`.toLowerCase(), () => loadConfig(context, { extendsOwners: deps.extendsOwners }));
      if (!loaded.ok) {
        await reply("The risk level cannot be overridden while `.github/review-triage.yml` is invalid: see the Review Triage check.");
        return;
      }
      const leadGroup = loaded.config.governance.lead_group;
      const members = await expandGroups(octokit, { [leadGroup]: loaded.config.reviewers[leadGroup] ?? [] }, false, deps.teams, []);
      const leads = (members[leadGroup] ?? []).map((m) => m.login.toLowerCase());
      if (!leads.includes(sender.toLowerCase())) {
        await reply(`@${sender}, only the lead group${leads.length ? ` (${leads.join(", ")})` : ""} can override the risk level. Nothing was changed.`);
        return;
      }
      const pr = await openPull();
      if (!pr) return;
      // Four eyes: the author's own lead status does not let them wave their own change through.
      if (!loaded.config.governance.allow_self_override && pr.user?.login.toLowerCase() === sender.toLowerCase()) {
        await reply(`@${sender}, a lead cannot override the risk level of their own pull request; another lead must. Nothing was changed.`);
        return;
      }
      await triagePullRequest(context, deps, pr, "command", extras, { override: { level: command.level, by: sender, reason: command.reason } });
      await reply(`Risk level overridden to **${command.level}** by @${sender}: ${text(command.reason)}\n\nThe comment and the Review Triage check now use it.`);
      return;
    }
    const pr = await openPull();
    if (!pr) return;
    const outcome = await triagePullRequest(context, deps, pr, "command", extras);
    if (command.kind === "explain") {
      if (outcome.plan && outcome.status === "triaged") await reply(renderExplanation(outcome.plan.assessment, outcome.plan.choice));
      else await reply(`This pull request is not triaged now (${outcome.status}); see the Review Triage check for why.`);
      return;
    }
    await react();
  };
}
