import type { IncomingMessage, ServerResponse } from "node:http";
import { verify } from "@octokit/webhooks-methods";
import { eventRelevance, type Relevance } from "../core/event-relevance.js";
import { describeError } from "../describe-error.js";
import type { Logger } from "../github/types.js";
import { metrics } from "../metrics/metrics.js";

/** GitHub caps webhook payloads at 25 MB; anything bigger is not from GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface AcceptedDelivery {
  id: string;
  event: string;
  action?: string;
  installationId?: number;
  repo?: string;
  key?: string;
  body: string;
}

export interface WebhookIntakeOptions {
  path: string;
  secret: string;
  /** Persist the delivery and queue its job, atomically. */
  accept(delivery: AcceptedDelivery): Promise<"queued" | "duplicate">;
  log: Logger;
  maxBytes?: number;
}

class BodyTooLarge extends Error {}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): true {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  return true;
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The webhook endpoint: verify the signature, persist the delivery (unique by
 * `X-GitHub-Delivery`) with its job, answer. The work happens later in a job, so the answer
 * takes milliseconds even during a burst, and a restart loses nothing that was answered 2xx.
 * Events that cannot change anything are answered 200 without being stored.
 */
export function createWebhookIntake(options: WebhookIntakeOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const max = options.maxBytes ?? MAX_WEBHOOK_BYTES;
  return async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== options.path) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return reply(res, 405, { error: "webhooks are POSTed" });
    }
    const event = header(req, "x-github-event");
    const id = header(req, "x-github-delivery");
    const signature = header(req, "x-hub-signature-256");
    const missing = [!event && "X-GitHub-Event", !id && "X-GitHub-Delivery", !signature && "X-Hub-Signature-256"].filter(Boolean);
    if (missing.length) {
      req.resume();
      options.log.warn({ missing }, "webhook without the headers GitHub sends; refused");
      return reply(res, 400, { error: `missing header${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}` });
    }
    const type = (header(req, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") {
      req.resume();
      return reply(res, 415, { error: "the webhook's content type must be application/json (set it in the app's webhook settings)" });
    }
    // Made on first use: most deliveries (ignored chatter) log nothing at the default level.
    let child: Logger | undefined;
    const log = (): Logger => (child ??= options.log.child?.({ delivery: id, event }) ?? options.log);
    const debug = (obj: object, msg: string): void => {
      if (options.log.isLevelEnabled?.("debug") !== false) log().debug(obj, msg);
    };
    const declared = Number(header(req, "content-length") ?? 0);
    let body: string;
    try {
      if (declared > max) throw new BodyTooLarge();
      body = await readBody(req, max);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        log().warn({ limit: max }, "webhook body over 25 MB; refused unread");
        res.setHeader("connection", "close");
        reply(res, 413, { error: "payload too large" });
        req.destroy();
        return true;
      }
      throw error;
    }
    if (!(await verify(options.secret, body, signature!).catch(() => false))) {
      log().warn({}, "webhook signature does not match; refused");
      return reply(res, 401, { error: "signature does not match" });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      log().warn({ bytes: body.length }, "webhook body is not valid JSON; refused");
      return reply(res, 400, { error: "body is not valid JSON" });
    }
    if (event === "ping") return reply(res, 200, { status: "pong" });
    const relevance: Relevance = eventRelevance(event!, payload);
    const p = payload as { action?: unknown; installation?: { id?: unknown }; repository?: { full_name?: unknown } };
    if (!relevance.relevant) {
      metrics.deliveriesReceived.inc({ event: event!, intake: relevance.malformed ? "malformed" : "ignored" });
      const repo = typeof p.repository?.full_name === "string" ? { repo: p.repository.full_name } : {};
      if (relevance.malformed) log().warn({ missing: relevance.malformed, ...repo }, "malformed webhook payload; ignored");
      else debug({ reason: relevance.reason }, "event cannot change the triage; ignored");
      return reply(res, 200, { status: "ignored", reason: relevance.reason });
    }
    try {
      const outcome = await options.accept({
        id: id!,
        event: event!,
        ...(typeof p.action === "string" ? { action: p.action } : {}),
        ...(typeof p.installation?.id === "number" ? { installationId: p.installation.id } : {}),
        ...(typeof p.repository?.full_name === "string" ? { repo: p.repository.full_name } : {}),
        ...(relevance.key ? { key: relevance.key } : {}),
        body,
      });
      if (outcome === "duplicate") {
        log().info({}, "redelivered webhook ignored");
        return reply(res, 200, { status: "duplicate" });
      }
      debug({}, "webhook queued");
      return reply(res, 202, { status: "queued" });
    } catch (error) {
      // Not stored: a non-2xx answer, so the delivery shows as failed on GitHub and can be redelivered.
      log().error({ error: describeError(error) }, "could not store the webhook; answered 503");
      return reply(res, 503, { error: "could not store the delivery; redeliver it later" });
    }
  };
}
