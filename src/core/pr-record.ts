import { z } from "zod";
import { LEVELS } from "../config/schema.js";
import type { TickRecord } from "./checklists.js";
import type { PrMemory } from "./pr-memory.js";

/**
 * The app's record of a pull request, carried in its check run's output, which only the app
 * can write: the checklist ticks and the override (never trusted from the editable comment),
 * and the rest of what the app remembers between events (the level so far, whom it requested
 * and why, the escalation notes). Refused ticks are not kept: a refusal alone then changes
 * the comment, not the check run. With a database it is a copy; without one
 * (Action mode, a restart that lost its data, the CLI) it is the memory.
 */
export interface PrRecord {
  ticks: TickRecord;
  override?: { level: string; by: string; reason: string; at: string; headSha?: string };
  state?: {
    level?: string;
    requested?: string[];
    reasons?: Record<string, string>;
    escalations?: string[];
  };
}

/** Notes kept in the record: the newest this many (the comment shows them all, so they stay few). */
const KEPT_NOTES = 20;

// Bounds on what is read back: another workflow of the repository writes check runs as the
// same identity in Action mode, so a record is validated like any input, never just cast.
const login = z.string().min(1).max(100);
const time = z.string().max(40);
const note = z.string().max(2000);
const bounded = <T extends z.ZodType>(schema: T, max: number) =>
  z.record(z.string().max(100), schema).refine((r) => Object.keys(r).length <= max, `at most ${max} entries`);
const recordSchema = z.object({
  ticks: bounded(z.object({ by: login, at: time, role: z.enum(["author", "reviewer", "lead"]).optional() }), 500),
  override: z.object({ level: z.enum(LEVELS), by: login, reason: note, at: time, headSha: z.string().max(64).optional() }).optional(),
  state: z
    .object({
      level: z.enum(LEVELS).optional(),
      requested: z.array(login).max(200).optional(),
      reasons: bounded(note, 200).optional(),
      escalations: z.array(note).max(50).optional(),
    })
    .optional(),
});

// Anchored at the start: the app writes its record first, so text that merely contains a
// marker (a crafted file name in the analysis summary, say) can never be read as the record.
const RECORD_MARK = /^<!-- review-triage:record ([A-Za-z0-9+/=]{1,200000}) -->/;

export function encodeRecord(record: PrRecord): string {
  return `<!-- review-triage:record ${Buffer.from(JSON.stringify(record)).toString("base64")} -->`;
}

/** The record at the start of a check run's text; anything malformed or out of bounds is no record. */
export function decodeRecord(text: string | null | undefined): PrRecord | undefined {
  const m = text?.match(RECORD_MARK);
  if (!m) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(m[1]!, "base64").toString("utf8"));
  } catch {
    return undefined;
  }
  const parsed = recordSchema.safeParse(json);
  return parsed.success ? (parsed.data as PrRecord) : undefined;
}

/** What goes into the record from what the app will remember. */
export function recordOf(memory: PrMemory, override: PrRecord["override"]): PrRecord {
  const state: NonNullable<PrRecord["state"]> = {
    ...(memory.level ? { level: memory.level } : {}),
    ...(memory.requestedByApp?.length ? { requested: memory.requestedByApp } : {}),
    ...(memory.pickReasons && Object.keys(memory.pickReasons).length ? { reasons: memory.pickReasons } : {}),
    ...(memory.escalations?.length ? { escalations: memory.escalations.slice(-KEPT_NOTES) } : {}),
  };
  return { ticks: memory.ticks ?? {}, ...(override ? { override } : {}), ...(Object.keys(state).length ? { state } : {}) };
}

/** The memory with what it lacks filled in from the record (what the store knows wins). */
export function recallRecord(memory: PrMemory, record: PrRecord): PrMemory {
  const state = record.state ?? {};
  return {
    ...(state.level ? { level: state.level } : {}),
    ...(state.requested ? { requestedByApp: state.requested.map((l) => l.toLowerCase()) } : {}),
    ...(state.reasons ? { pickReasons: state.reasons } : {}),
    ...(state.escalations ? { escalations: state.escalations } : {}),
    ticks: record.ticks,
    ...(record.override ? { override: record.override } : {}),
    ...Object.fromEntries(Object.entries(memory).filter(([, v]) => v !== undefined)),
  };
}
