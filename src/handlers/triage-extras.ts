import type { triagePullRequest } from "./triage.js";

/** Optional stages of the pipeline (checklists, static analysis), wired by the app. */
export type TriageExtras = NonNullable<Parameters<typeof triagePullRequest>[4]>;
