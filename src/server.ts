import { run } from "probot";
import app from "./index.js";

// Probot reads APP_ID, PRIVATE_KEY(_PATH), WEBHOOK_SECRET, PORT, HOST, LOG_LEVEL, GHE_HOST,
// GHE_PROTOCOL and REDIS_URL from the environment; without credentials it serves the
// app-manifest setup flow.
await run(app);
