import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createProbot, type Probot } from "probot";
import type { Logger as PinoLogger } from "pino";
import { createAnalyzer } from "../handlers/analyze-pull-request.js";
import { createAppDeps, type AppDeps, type InternalDelivery } from "../handlers/app-deps.js";
import { handleHttp } from "../handlers/http.js";
import type { TriagePipelineExtras } from "../handlers/triage.js";
import { AppOctokit } from "../github/app-octokit.js";
import { createApp } from "../index.js";
import { JobQueue, type JobQueueOptions } from "../queue/job-queue.js";
import { createDeliveryProcessor, DELIVERY_QUEUE } from "../queue/process-delivery.js";
import { createEscalationProcessor } from "../queue/process-escalation.js";
import { createEscalationScheduler, ESCALATION_EXPIRY_SECONDS, ESCALATION_QUEUE } from "../queue/schedule-escalations.js";
import { HistoryStore } from "../storage/history-store.js";
import { recoverWork } from "../queue/recover-work.js";
import { DeliveryStore } from "../storage/delivery-store.js";
import { openDatabase, type Database } from "../storage/open-database.js";
import { WorkerRegistry } from "../storage/worker-registry.js";
import { describeError } from "../describe-error.js";
import { readServerSettings, type ServerSettings } from "./read-server-settings.js";
import { createWebhookIntake } from "./webhook-intake.js";
import { handleMetrics, metrics, registerQueueGauges } from "../metrics/metrics.js";
import { requestMetrics } from "../metrics/request-metrics.js";
import { handleDashboard } from "../dashboard/handle-dashboard.js";
import { DashboardSessionStore } from "../storage/dashboard-session-store.js";
import type { Octokit } from "../github/types.js";

type Route = (req: IncomingMessage, res: ServerResponse) => boolean | void | Promise<boolean | void>;

/** How often every process looks for work of stopped processes to take over. */
const RECOVER_EVERY_MS = 10_000;
/** How often finished deliveries past their retention are forgotten. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Finished deliveries are kept this long: GitHub redelivers for 3 days. */
const DELIVERY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface RunningServer {
  url: string;
  port: number;
  database: Database;
  queue: JobQueue;
  deps: AppDeps;
  probot: Probot;
  registry: WorkerRegistry;
  settings: ServerSettings;
  /** Stop taking work, finish or hand back what is in flight, close everything. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  log: PinoLogger;
  /** Tests: an Octokit without retries or throttling, a database opened once per file. */
  Octokit?: typeof AppOctokit;
  database?: Database;
  extras?: TriagePipelineExtras;
  queue?: JobQueueOptions;
  /** The app's bot account, when known; otherwise it is asked of GitHub (`GET /app`). */
  botLogin?: string;
  /** The clock escalations are scheduled and checked by (tests move it forward). */
  clock?: () => Date;
}

/**
 * The app as `npm start` runs it (SPEC §8, §10): webhooks are verified, stored and answered
 * at once; jobs on the shared queue do the work, one delivery per pull request at a time
 * across every process; processes that die have their work taken over; SIGTERM drains.
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const settings = readServerSettings(options.env ?? process.env);
  const log = options.log;
  for (const warning of settings.warnings) log.warn({}, warning);
  const database =
    options.database ??
    (await openDatabase({
      ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : { dataDir: settings.dataDir }),
      poolSize: settings.databasePoolSize,
    }));
  log.info({ database: database.where }, "database ready");
  const probot = createProbot({
    env: options.env ?? process.env,
    overrides: {
      log,
      Octokit: (options.Octokit ?? AppOctokit).plugin(requestMetrics as never),
      secret: settings.webhookSecret,
      appId: settings.appId,
      privateKey: settings.privateKey,
    },
  });
  const deps = createAppDeps({ database, appId: settings.appId, extendsOwners: settings.extendsOwners });
  const deliveries = new DeliveryStore(database.db);
  const registry = new WorkerRegistry(database.db);
  const queue = new JobQueue(database, log, { concurrency: settings.concurrency, expirySeconds: { [ESCALATION_QUEUE]: ESCALATION_EXPIRY_SECONDS }, ...options.queue });
  let accepting = true;

  const health = handleHttp({
    load: () => ({ inFlight: queue.inFlight, pendingWrites: deps.writes.pending }),
    ready: async () => {
      const checks: Record<string, string> = {};
      try {
        await database.executeSql("SELECT 1");
        checks.database = "ok";
      } catch (error) {
        checks.database = String(describeError(error).message);
      }
      checks.queue = accepting ? "running" : "stopping";
      return { ok: checks.database === "ok" && accepting, checks };
    },
  });
  const routes: Route[] = [];
  const extras = options.extras ?? { analyze: createAnalyzer() };
  registerQueueGauges((q) => queue.depth(q), [DELIVERY_QUEUE, ESCALATION_QUEUE]);
  const dashboard = handleDashboard({
    settings: settings.dashboard,
    db: database.db,
    installationOctokit: async (id) => (await probot.auth(id)) as unknown as Octokit,
    configs: deps.configs,
    teams: deps.teams,
    extendsOwners: settings.extendsOwners,
    log,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  log.info({ dashboard: settings.dashboard ? "on" : "off (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET not set)" }, "dashboard at /dashboard");
  await probot.load(createApp(deps, extras, [health, handleMetrics(settings.metricsToken), dashboard]), { cwd: process.cwd(), addHandler: (route: Route) => void routes.push(route) });

  // The app's own comments are recognised by its bot account: learn it once from GitHub.
  const learnIdentity = async (): Promise<boolean> => {
    try {
      const app = await probot.auth();
      const { data } = await app.rest.apps.getAuthenticated();
      if (data?.slug) deps.botLogin = `${data.slug}[bot]`;
      return true;
    } catch (error) {
      log.warn({ error: describeError(error) }, "could not read the app's bot account from GitHub; its comments are recognised by app id until it can");
      return false;
    }
  };
  let identityTimer: NodeJS.Timeout | undefined;
  if (options.botLogin) deps.botLogin = options.botLogin;
  else if (!(await learnIdentity())) {
    identityTimer = setInterval(() => void learnIdentity().then((ok) => ok && clearInterval(identityTimer)), 60_000);
    identityTimer.unref();
  }

  await registry.register();
  await queue.start([DELIVERY_QUEUE, ESCALATION_QUEUE]);
  queue.handle(DELIVERY_QUEUE, createDeliveryProcessor({ probot, deps, deliveries, registry, queue, log }));
  const clock = options.clock ?? (() => new Date());
  deps.clock = clock;
  deps.escalations = createEscalationScheduler(queue, clock);
  queue.handle(
    ESCALATION_QUEUE,
    createEscalationProcessor({ probot, deps, history: new HistoryStore(database.db), registry, queue, extras, log, now: clock }),
  );
  const recover = (everyoneElse = false) =>
    recoverWork({ registry, deliveries, queue, log, everyoneElse }).catch((error: unknown) =>
      log.warn({ error: describeError(error) }, "could not check for work of stopped processes"),
    );
  // The embedded database serves one process: whoever held work before this start is gone.
  await recover(database.engine === "embedded");
  queue.startWorking();
  const recoverTimer = setInterval(() => void recover(), RECOVER_EVERY_MS);
  recoverTimer.unref();
  const pruneTimer = setInterval(() => {
    void deliveries.prune(new Date(Date.now() - DELIVERY_RETENTION_MS)).catch(() => undefined);
    void deps.refused.prune().catch(() => undefined);
    void new HistoryStore(database.db).prune(new Date(Date.now() - settings.historyDays * 86_400_000)).catch(() => undefined);
    void new DashboardSessionStore(database.db).prune().catch(() => undefined);
  }, PRUNE_EVERY_MS);
  pruneTimer.unref();

  // A delivery stored and its job queued in one transaction: GitHub's, or one the app makes itself.
  const accept = (d: InternalDelivery, origin: "github" | "app" = "github") =>
      database.db.transaction().execute(async (trx) => {
        if (d.unlessQueued) {
          const waiting = await trx.selectFrom("deliveries").select("id").where("id", "like", `${d.unlessQueued}%`).where("state", "=", "queued").executeTakeFirst();
          if (waiting) return "duplicate" as const;
        }
        const stored = await deliveries.record(trx, {
          id: d.id,
          event: d.event,
          ...(d.action ? { action: d.action } : {}),
          ...(d.installationId !== undefined ? { installationId: d.installationId } : {}),
          ...(d.repo ? { repo: d.repo } : {}),
          ...(d.key ? { prKey: d.key } : {}),
          body: d.body,
        });
        if (!stored) {
          if (origin === "github") metrics.deliveriesReceived.inc({ event: d.event, intake: "duplicate" });
          return "duplicate" as const;
        }
        if (origin === "github") metrics.deliveriesReceived.inc({ event: d.event, intake: "queued" });
        const jobId = await queue.send(DELIVERY_QUEUE, { delivery: d.id }, { trx });
        await deliveries.setJob(trx, d.id, jobId);
        return "queued" as const;
      });
  deps.enqueue = (d) => accept(d, "app");
  const intake = createWebhookIntake({
    path: settings.webhookPath,
    secret: settings.webhookSecret,
    log,
    accept: (d) => accept(d),
  });

  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        if (await intake(req, res)) return;
        for (const route of routes) if (await route(req, res)) return;
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
      } catch (error) {
        log.error({ error: describeError(error) }, "request failed");
        if (!res.headersSent) res.writeHead(500).end();
        else res.end();
      }
    })();
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((listening, fail) => {
    server.once("error", fail);
    server.listen(settings.port, settings.host, () => listening());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${settings.host.includes(":") ? `[${settings.host}]` : settings.host}:${port}`;
  log.info({ url, webhookPath: settings.webhookPath, concurrency: settings.concurrency }, "listening");

  let stopping: Promise<void> | undefined;
  const stop = (stopOptions: { graceMs?: number } = {}) => {
    stopping ??= (async () => {
      accepting = false;
      clearInterval(recoverTimer);
      clearInterval(identityTimer);
      clearInterval(pruneTimer);
      const graceMs = stopOptions.graceMs ?? settings.shutdownGraceSeconds * 1000;
      // Webhooks are still accepted and stored while the jobs in flight finish.
      const handedBack = await queue.stop(graceMs, async (job, newJobId) => {
        const id = String(job.data.delivery ?? "");
        await deliveries.release(id, "the process stopped before it finished");
        await deliveries.setJob(database.db, id, newJobId);
      });
      if (handedBack.length) log.warn({ jobs: handedBack.length }, "jobs still running at the end of the grace period were handed back to the queue");
      await new Promise<void>((closed) => {
        server.close(() => closed());
        server.closeIdleConnections();
      });
      await registry.deregister().catch(() => undefined);
      await extras.analyze?.close?.().catch(() => undefined);
      if (!options.database) await database.close();
      log.info({}, "stopped");
    })();
    return stopping;
  };
  return { url, port, database, queue, deps, probot, registry, settings, stop };
}
