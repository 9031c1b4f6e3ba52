export type { TriagePipelineExtras as TriageExtras } from "./triage.js";
