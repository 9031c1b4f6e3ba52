import { SmeeClient } from "smee-client";

/** What Probot's setup flow calls to get a webhook URL that reaches this machine. */
export interface SetupChannel {
  createChannel: () => Promise<string | undefined>;
}

interface ChannelLogger {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
}

export const NO_CHANNEL_HELP =
  "No smee.io channel, so GitHub cannot deliver webhooks to this machine. Open https://smee.io/new, " +
  "put the channel's URL in .env as WEBHOOK_PROXY_URL=https://smee.io/<channel> and restart; or set " +
  "NO_SMEE_SETUP=true and give the app a webhook URL GitHub can reach";

/**
 * The smee.io client for Probot's manifest setup flow. Probot looks for `smee-client` only
 * through a package runner and otherwise registers `http://localhost:3000/` as the webhook
 * URL, which GitHub cannot reach; handing it the client makes the flow create a channel, and
 * when smee.io cannot be reached this says what to do instead of Probot's "try restarting".
 */
export function createSetupChannel(log: ChannelLogger, create: () => Promise<string> = () => SmeeClient.createChannel()): SetupChannel {
  return {
    async createChannel() {
      let url: string;
      try {
        url = await create();
      } catch (error) {
        log.warn({ reason: error instanceof Error ? error.message : String(error) }, NO_CHANNEL_HELP);
        // Probot writes what this returns into .env: a failure must throw, not return undefined.
        throw error;
      }
      log.info({ url }, "Webhooks reach this machine through this smee.io channel, saved in .env as WEBHOOK_PROXY_URL");
      return url;
    },
  };
}
