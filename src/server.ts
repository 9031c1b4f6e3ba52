import { run } from "probot";
import { createLogger } from "./create-logger.js";
import { createSetupChannel } from "./create-setup-channel.js";
import { AppOctokit } from "./github/app-octokit.js";
import app from "./index.js";

// Probot reads APP_ID, PRIVATE_KEY(_PATH), WEBHOOK_SECRET, PORT, HOST, LOG_LEVEL, GHE_HOST,
// GHE_PROTOCOL and REDIS_URL from the environment; without credentials it serves the
// app-manifest setup flow.
const log = await createLogger();
await run(app, { Octokit: AppOctokit, log, SmeeClient: createSetupChannel(log) });
