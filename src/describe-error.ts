/** A log-safe view of an error: never the request headers or the webhook payload. */
export function describeError(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; message?: string; status?: number; request?: { method?: string; url?: string }; stack?: string };
  return {
    type: e?.name ?? typeof error,
    message: e?.message ?? String(error),
    ...(e?.status !== undefined ? { status: e.status } : {}),
    ...(e?.request?.method ? { request: `${e.request.method} ${e.request.url ?? ""}` } : {}),
    ...(e?.stack ? { stack: e.stack.split("\n").slice(0, 6).join("\n") } : {}),
  };
}
