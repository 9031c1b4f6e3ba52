import type { Context } from "probot";
import { loadConfig } from "../config/load-config.js";
import { decideUrgency } from "../core/decide-urgency.js";
import { CHECK_NAME } from "../core/render-check.js";
import { marksFix } from "../core/score-risk.js";
import { stillRequested } from "../github/still-requested.js";
import { prKey } from "../storage/pr-state-store.js";
import type { AppDeps } from "./app-deps.js";
import { schedulePendingEscalations } from "./schedule-pending-escalations.js";

type PrContext = Context<"pull_request">;

/**
 * Whether the app itself sent the event. Until the app knows its bot account, no sender is
 * taken for it: another bot (a workflow's github-actions[bot], which a PR's author can drive)
 * would otherwise pass for the app, and its requests be escalated as the app's. The app's
 * own requests are recorded as its own by the triage that makes them.
 */
function botSender(context: { payload: { sender?: { login?: string } } }, botLogin: string | undefined): boolean {
  const sender = context.payload.sender?.login;
  return Boolean(sender && botLogin && sender.toLowerCase() === botLogin.toLowerCase());
}

/**
 * pull_request events that only the history needs: a PR closed or merged, and review
 * requests made or withdrawn (by a person, or by the app, whose own request comes back as an
 * event too). The review load and the escalations are read from what is recorded here.
 */
export function handlePullRequestHistory(deps: AppDeps) {
  return async (context: PrContext): Promise<void> => {
    const payload = context.payload as PrContext["payload"] & {
      requested_reviewer?: { login: string } | null;
      requested_team?: { slug: string } | null;
    };
    const pull = payload.pull_request;
    const pr = { repoId: pull.base.repo.id, number: pull.number };
    const at = new Date(pull.updated_at ?? Date.now());
    if (payload.action === "closed") {
      // On a head commit other open PRs share, the close decides their common check: it must be
      // GitHub's word, not an event that comes after the PR's reopening (GitHub does not
      // promise an order), or the check would pass for an open PR that lacks its approvals.
      // Asked too when the PR has moved on from the event's head since (reopened and pushed):
      // the event is then older than what is known, and its head may not be the shared one.
      const known = await deps.history.pullRequest(pr);
      const moved = Boolean(known?.headSha && known.headSha !== pull.head.sha);
      if (moved || (await deps.history.openPullsOnHead(pr, pull.head.sha)).length) {
        const { data: now } = await context.octokit.rest.pulls.get(context.repo({ pull_number: pull.number }));
        if (now.state === "open") {
          context.log.info({}, "closed event older than the PR's reopening; ignored");
          return;
        }
      }
      await deps.history.upsertPullRequest({
        ...pr,
        ...(payload.installation?.id !== undefined ? { installationId: payload.installation.id } : {}),
        repo: payload.repository.full_name,
        author: pull.user?.login ?? "",
        title: pull.title,
        state: pull.merged ? "merged" : "closed",
        draft: pull.draft ?? false,
        headSha: pull.head.sha,
        openedAt: pull.created_at,
        ...(pull.merged_at ? { mergedAt: pull.merged_at } : {}),
        closedAt: pull.closed_at ?? at.toISOString(),
        fix: marksFix({ title: pull.title, headRef: pull.head.ref, labels: (pull.labels ?? []).map((l) => l.name) }),
      });
      context.log.info({ merged: Boolean(pull.merged) }, "PR closed; recorded");
      await recheckSharedHead(context, deps, pr, pull.head.sha);
      return;
    }
    const reviewer = payload.requested_reviewer?.login ?? (payload.requested_team ? `@${payload.repository.owner.login}/${payload.requested_team.slug}` : undefined);
    if (!reviewer) return;
    const sender = payload.sender?.login ?? "unknown";
    if (payload.action === "review_requested") {
      // The author withdrawing the app's request and making it again themselves does not turn
      // the app's pick into a person's request, which would not be escalated.
      const byAuthorAgain = sender.toLowerCase() === (pull.user?.login ?? "").toLowerCase() && (await deps.history.withdrewAppRequest(pr, reviewer, sender));
      const byApp = botSender(context, deps.botLogin) || byAuthorAgain;
      await deps.history.recordRequest({ ...pr, reviewer, requestedBy: sender, byApp, at });
      // A person's request (with `human_requests`), or the app's own seen first here (its run
      // died before recording it), is scheduled now; one scheduled already is not queued twice.
      if (deps.escalations && pull.state === "open") {
        const { owner, repo } = context.repo();
        const loaded = await deps.configs.get(`${owner}/${repo}`.toLowerCase(), () => loadConfig(context, { extendsOwners: deps.extendsOwners }));
        if (loaded.ok) {
          const { urgent } = decideUrgency(loaded.config.urgency, { labels: (pull.labels ?? []).map((l) => l.name), headRef: pull.head.ref, baseRef: pull.base.ref });
          const installationId = payload.installation?.id;
          await schedulePendingEscalations(deps, { ...pr, owner, repo, ...(installationId !== undefined ? { installationId } : {}) }, loaded.config.escalation, urgent);
        }
      }
      return;
    }
    // The removal is confirmed with GitHub: a request withdrawn and made again within the same
    // second carries the same time in both events, and GitHub does not promise their order; the
    // removal delivered last would retire the request made again (its escalation cancelled, its
    // load no longer counted).
    const { data: requested } = await context.octokit.rest.pulls.listRequestedReviewers(context.repo({ pull_number: pull.number }));
    const owner = payload.repository.owner.login;
    if (stillRequested(requested, owner, reviewer)) {
      context.log.info({ reviewer }, "review request removed and made again since; still requested on GitHub");
      return;
    }
    await deps.history.removeRequest(pr, reviewer, sender, at);
    // A request of the app's that someone withdrew is no longer the app's: the next triage does
    // not count that reviewer as on the PR (an escalation would otherwise take them as the one
    // who took over, and pick nobody).
    const key = prKey(pr.repoId, pr.number);
    const memory = await deps.store.get(key);
    const who = reviewer.toLowerCase();
    if (memory?.requestedByApp?.includes(who)) {
      const { [who]: _dropped, ...pickReasons } = memory.pickReasons ?? {};
      await deps.store.save(key, { repo: payload.repository.full_name, number: pr.number }, { ...memory, requestedByApp: memory.requestedByApp.filter((l) => l !== who), pickReasons });
    }
  };
}

/**
 * The open PRs that shared the head commit a PR has left (closed, merged, or pushed to) shared
 * its check run too, which waited for every one of them to be approved: each that was approved
 * itself is checked again now (as "Re-run" on the check would), in a delivery of its own under
 * its own lock, so its approvals count without waiting for its next event. Once per event: a
 * redelivery queues nothing more.
 */
export async function recheckSharedHead(context: PrContext, deps: AppDeps, pr: { repoId: number; number: number }, headSha: string): Promise<void> {
  if (!deps.enqueue) return;
  for (const number of await deps.history.openPullsOnHead(pr, headSha)) {
    // Only a PR whose own approvals and checklists were met on this commit can pass now; one
    // that waits for its own is checked at its next event, as any PR is. (Closing, one by one,
    // many unapproved PRs on one commit would otherwise cost a triage per remaining PR each.)
    const governance = (await deps.store.get(prKey(pr.repoId, number)))?.governance;
    if (!(governance?.headSha === headSha && governance.satisfied)) {
      context.log.debug({ sibling: number }, "PR on the same head commit waits for its own approvals; not checked again");
      continue;
    }
    const queued = await queueRecheck(context, deps, pr.repoId, number, headSha);
    context.log.info({ sibling: number, queued: queued === "queued" }, "PR on the same head commit checked again");
  }
}

type RecheckContext = Pick<Context, "id" | "payload">;

/**
 * Queue a check of PR `number` on `headSha` as a delivery of its own (a `check_run.rerequested`
 * naming the PR), run under that PR's lock like its other events. At most one waits per PR and
 * commit: it reads the state when it runs.
 */
export async function queueRecheck(context: RecheckContext, deps: AppDeps, repoId: number, number: number, headSha: string): Promise<"queued" | "duplicate" | undefined> {
  if (!deps.enqueue) return undefined;
  const payload = context.payload as { repository: { full_name: string }; installation?: { id: number; node_id?: string }; sender?: unknown };
  const body = {
    action: "rerequested",
    check_run: { name: CHECK_NAME, head_sha: headSha, pull_requests: [{ number }], ...(deps.appId ? { app: { id: deps.appId } } : {}) },
    repository: payload.repository,
    ...(payload.installation ? { installation: payload.installation } : {}),
    sender: payload.sender,
  };
  return deps.enqueue({
    id: `recheck:${repoId}:${number}:${headSha}:${context.id}`,
    unlessQueued: `recheck:${repoId}:${number}:${headSha}:`,
    event: "check_run",
    action: "rerequested",
    ...(payload.installation?.id !== undefined ? { installationId: payload.installation.id } : {}),
    repo: payload.repository.full_name,
    key: prKey(repoId, number),
    body: JSON.stringify(body),
  });
}
