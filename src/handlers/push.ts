import type { Context } from "probot";
import { CONFIG_PATH } from "../config/parse-config.js";
import { CODEOWNERS_PATHS } from "../github/read-codeowners.js";
import type { AppDeps } from "./app-deps.js";

/** A push to the default branch that touches the config or CODEOWNERS drops the cached copy at once. */
export function handlePush(deps: AppDeps) {
  return async (context: Context<"push">): Promise<void> => {
    const { repository, commits } = context.payload;
    const changed = new Set((commits ?? []).flatMap((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]));
    // A push without its commit list (over 2,000 commits) may have changed anything.
    const unknown = !commits?.length;
    if (unknown || changed.has(CONFIG_PATH)) {
      deps.configs.invalidate(repository.full_name.toLowerCase());
      context.log.info({}, "config changed on the default branch; cache dropped");
    }
    if (unknown || CODEOWNERS_PATHS.some((p) => changed.has(p))) {
      deps.codeowners.invalidate({ owner: repository.owner?.login ?? repository.full_name.split("/")[0]!, repo: repository.name });
    }
  };
}
