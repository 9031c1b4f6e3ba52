import type { Config } from "../config/schema.js";

export interface PrSkipFacts {
  draft: boolean;
  authorLogin: string;
  authorType: string;
  labels: string[];
  title: string;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A keyword as a whole word ("WIP" matches "WIP: x" and "[WIP]", not "swipe"), any case. */
export function titleHas(title: string, keyword: string): boolean {
  const k = keyword.trim();
  if (!k) return false;
  const start = /^\w/.test(k) ? "(?<![\\w])" : "";
  const end = /\w$/.test(k) ? "(?![\\w])" : "";
  return new RegExp(`${start}${escape(k)}${end}`, "i").test(title);
}

/** Why this PR is not triaged now, or undefined to triage it (SPEC §2 `options.skip`). */
export function skipReason(pr: PrSkipFacts, skip: Config["options"]["skip"]): string | undefined {
  if (skip.drafts && pr.draft) return "it is a draft; it will be triaged when marked ready for review";
  if (skip.bots && (pr.authorType === "Bot" || /\[bot\]$/i.test(pr.authorLogin))) return `it was opened by a bot (${pr.authorLogin})`;
  const labels = new Set(pr.labels.map((l) => l.toLowerCase()));
  const label = skip.labels.find((l) => labels.has(l.toLowerCase()));
  if (label) return `it has the label "${label}"`;
  const keyword = skip.title.find((k) => titleHas(pr.title, k));
  if (keyword) return `its title contains "${keyword}"`;
  return undefined;
}
