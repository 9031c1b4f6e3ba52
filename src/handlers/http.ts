import type { IncomingMessage, ServerResponse } from "node:http";
import { version } from "../version.js";
import type { AppDeps } from "./app-deps.js";

/** Routes beside the webhook endpoint: health for load balancers and the container. */
export function handleHttp(deps: AppDeps) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ status: "ok", version, inFlight: deps.prQueue.size, pendingWrites: deps.writes.pending }),
      );
      return true;
    }
    return false;
  };
}
