import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";

/**
 * Probot's logger, plus redaction: Probot logs a rejected delivery (a bad signature, say)
 * with the whole webhook attached to the error, and Octokit errors carry request headers and
 * bodies. None of that may reach the logs (SPEC §10), whoever sends the request.
 */
export const REDACTED_PATHS = [
  "err.event",
  "err.aggregateErrors[*].event",
  "err.errors[*].event",
  "err.request.headers",
  "err.request.body",
  "err.response.headers",
  "event.payload",
  "payload",
];

export const REDACT = { paths: REDACTED_PATHS, remove: true };

export async function createLogger(env: NodeJS.ProcessEnv = process.env): Promise<Logger> {
  const logFormat = env.LOG_FORMAT ? (env.LOG_FORMAT === "pretty" ? "pretty" : "json") : env.NODE_ENV === "production" ? "json" : "pretty";
  const transform = await getTransformStream({
    logFormat,
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    ...(env.SENTRY_DSN ? { sentryDsn: env.SENTRY_DSN } : {}),
  });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino(
    {
      level: env.LOG_LEVEL || "info",
      name: "probot",
      messageKey: env.LOG_MESSAGE_KEY || "msg",
      redact: REDACT,
    },
    transform,
  );
}
