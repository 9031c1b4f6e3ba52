import type { Context } from "probot";
import { CONFIG_PATH } from "../config/parse-config.js";
import type { AppDeps } from "./app-deps.js";

/** A push to the default branch that touches the config drops the cached copy at once. */
export function handlePush(deps: AppDeps) {
  return async (context: Context<"push">): Promise<void> => {
    const { repository, commits } = context.payload;
    const touched = (commits ?? []).some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(CONFIG_PATH));
    if (touched || !commits?.length) {
      deps.configs.invalidate(repository.full_name.toLowerCase());
      context.log.info({}, "config changed on the default branch; cache dropped");
    }
  };
}
