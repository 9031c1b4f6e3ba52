import { LEVELS, type Level } from "../config/schema.js";

export type TriageCommand =
  | { kind: "rerun" }
  | { kind: "explain" }
  | { kind: "override"; level: Level; reason: string }
  | { kind: "invalid"; message: string }
  | { kind: "help" };

export const COMMAND_HELP = [
  "Review Triage commands (people with write access):",
  "- `/triage rerun` — triage this pull request again",
  "- `/triage explain` — the full explanation of the risk and the reviewers",
  "- `/triage override <low|medium|high|critical> <reason>` — set the risk level (lead group only)",
].join("\n");

/** The command in a comment, if its first line is one; undefined for ordinary comments. */
export function parseCommand(body: string): TriageCommand | undefined {
  const first = body.trim().split(/\r?\n/)[0]?.trim() ?? "";
  const m = first.match(/^\/triage(?:\s+(.*))?$/i);
  if (!m) return undefined;
  const [verb = "", ...rest] = (m[1] ?? "").trim().split(/\s+/).filter(Boolean);
  switch (verb.toLowerCase()) {
    case "rerun":
      return { kind: "rerun" };
    case "explain":
      return { kind: "explain" };
    case "override": {
      const [level = "", ...reason] = rest;
      if (!(LEVELS as readonly string[]).includes(level.toLowerCase())) {
        return { kind: "invalid", message: `\`/triage override\` needs a level (${LEVELS.join(", ")}), then a reason.` };
      }
      if (!reason.length) return { kind: "invalid", message: "`/triage override` needs a reason after the level, so others know why." };
      return { kind: "override", level: level.toLowerCase() as Level, reason: reason.join(" ").slice(0, 300) };
    }
    default:
      return { kind: "help" };
  }
}
