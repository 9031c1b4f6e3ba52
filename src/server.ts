import { run } from "probot";
import { createLogger } from "./create-logger.js";
import { createSetupChannel } from "./create-setup-channel.js";
import { hasAppCredentials, SettingsError } from "./server/read-server-settings.js";
import { loadDotEnv } from "./server/load-dot-env.js";
import { startServer } from "./server/start-server.js";

loadDotEnv();

const log = await createLogger();

if (!hasAppCredentials(process.env)) {
  // No GitHub App yet: Probot's manifest flow registers one and writes its credentials to `.env`.
  await run(() => undefined, { log, SmeeClient: createSetupChannel(log) });
} else {
  try {
    const server = await startServer({ log });
    let signals = 0;
    const shutdown = (signal: string) => {
      signals++;
      if (signals > 1) {
        log.warn({ signal }, "second signal: exiting now");
        process.exit(1);
      }
      log.info({ signal, graceSeconds: server.settings.shutdownGraceSeconds }, "shutting down: no new jobs, finishing those in flight");
      server.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ error: { message: (error as Error).message } }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));
  } catch (error) {
    if (error instanceof SettingsError) {
      log.fatal({}, `cannot start: ${error.message}`);
      // Let the log line reach its destination before the exit.
      await new Promise((done) => setTimeout(done, 100));
      process.exit(78);
    }
    throw error;
  }
}
