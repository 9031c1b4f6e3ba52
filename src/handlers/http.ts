import type { IncomingMessage, ServerResponse } from "node:http";
import { version } from "../version.js";

export interface HealthSources {
  /** Jobs running in this process and writes waiting for GitHub. */
  load(): { inFlight: number; pendingWrites: number };
  /** Whether the process can do its work: the database answers and the queue is running. */
  ready(): Promise<{ ok: boolean; checks: Record<string, string> }>;
}

/**
 * Routes beside the webhook endpoint. `/healthz` is liveness (the process answers: it never
 * touches the database, so a database outage does not get the process restarted); `/readyz`
 * is readiness (database reachable, queue running), for a load balancer.
 */
export function handleHttp(health: HealthSources) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", version, ...health.load() }));
      return true;
    }
    if (path === "/readyz") {
      const { ok, checks } = await health.ready();
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify({ status: ok ? "ready" : "not ready", checks }));
      return true;
    }
    return false;
  };
}
