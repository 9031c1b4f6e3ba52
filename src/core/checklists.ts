import { minimatch } from "minimatch";
import type { Config, Level } from "../config/schema.js";
import { stableHash } from "./choose-reviewers.js";
import { md } from "./render-comment.js";

export type TickerRole = "author" | "reviewer" | "lead";

export interface ChecklistItem {
  /** Stable id from the checklist name and the item text. */
  id: string;
  checklist: string;
  text: string;
  required: boolean;
  by: TickerRole;
}

export interface AppliedChecklist {
  name: string;
  /** Why it applies, e.g. "risk is high" or "src/auth/login.ts changed". */
  because: string;
  items: ChecklistItem[];
}

/** Who ticked an item and when, as recorded by the app (never read back from the comment). */
export interface Tick {
  by: string;
  at: string;
}

export type TickRecord = Record<string, Tick>;

export function itemId(checklist: string, text: string): string {
  return stableHash(`${checklist}\u0000${text}`).toString(16).padStart(8, "0");
}

/** Checklists whose `when` matches: any listed condition suffices; no `when` means always. */
export function applicableChecklists(
  config: Pick<Config, "checklists">,
  facts: { level: Level; files: readonly string[]; labels: readonly string[] },
): AppliedChecklist[] {
  const out: AppliedChecklist[] = [];
  const labels = new Set(facts.labels.map((l) => l.toLowerCase()));
  for (const checklist of config.checklists) {
    const when = checklist.when;
    let because: string | undefined;
    if (!when || (!when.paths?.length && !when.risk?.length && !when.labels?.length)) because = "always";
    if (!because && when?.risk?.includes(facts.level)) because = `risk is ${facts.level}`;
    if (!because && when?.labels?.length) {
      const label = when.labels.find((l) => labels.has(l.toLowerCase()));
      if (label) because = `label "${label}"`;
    }
    if (!because && when?.paths?.length) {
      const file = facts.files.find((f) => when.paths!.some((p) => minimatch(f, p, { dot: true })));
      if (file) because = `${file} changed`;
    }
    if (!because) continue;
    out.push({
      name: checklist.name,
      because,
      items: checklist.items.map((item) => {
        const text = typeof item === "string" ? item : item.text;
        return {
          id: itemId(checklist.name, text),
          checklist: checklist.name,
          text,
          required: typeof item === "string" ? false : item.required,
          by: typeof item === "string" ? "author" : item.by,
        };
      }),
    });
  }
  return out;
}

const ITEM_MARK = /<!-- rt:item:([0-9a-f]{8}) -->/;
const TASK = /^\s*[-*] \[( |x|X)\] /;

/** Which items a comment body shows ticked, by the hidden id on each task line. */
export function readTaskStates(body: string): Map<string, boolean> {
  const states = new Map<string, boolean>();
  for (const line of body.split(/\r?\n/)) {
    const mark = line.match(ITEM_MARK);
    const task = line.match(TASK);
    if (mark && task) states.set(mark[1]!, task[1] !== " ");
  }
  return states;
}

const ROLE_TEXT: Record<TickerRole, string> = { author: "author", reviewer: "a reviewer", lead: "a lead" };

export function renderChecklists(applied: AppliedChecklist[], ticks: TickRecord): string {
  if (!applied.length) return "";
  const out: string[] = ["#### Checklists"];
  for (const list of applied) {
    out.push("");
    out.push(`**${md(list.name)}** <sub>(${md(list.because)})</sub>`);
    for (const item of list.items) {
      const tick = ticks[item.id];
      const who = `${item.required ? "**required**, " : ""}ticked by ${ROLE_TEXT[item.by]}`;
      const done = tick ? ` — ✔ @${tick.by}, ${tick.at.slice(0, 16).replace("T", " ")} UTC` : "";
      out.push(`- [${tick ? "x" : " "}] ${md(item.text)} <sub>(${who})</sub>${done} <!-- rt:item:${item.id} -->`);
    }
  }
  return out.join("\n");
}

/** Required items not yet ticked by an allowed person. */
export function missingRequired(applied: AppliedChecklist[], ticks: TickRecord): { missing: string[]; total: number } {
  const missing: string[] = [];
  let total = 0;
  for (const list of applied) {
    for (const item of list.items) {
      if (!item.required) continue;
      total++;
      if (!ticks[item.id]) missing.push(`${list.name}: ${item.text} (by ${ROLE_TEXT[item.by]})`);
    }
  }
  return { missing, total };
}

/** Whether `login` may tick an item that asks for `role`. */
export function mayTick(
  role: TickerRole,
  who: { login: string; author: string; hasWrite: boolean; leads: ReadonlySet<string> },
): boolean {
  const login = who.login.toLowerCase();
  if (role === "author") return login === who.author.toLowerCase();
  if (role === "lead") return who.leads.has(login);
  return who.hasWrite && login !== who.author.toLowerCase();
}

export function roleText(role: TickerRole, leads: ReadonlySet<string>): string {
  if (role === "author") return "only the PR author may tick it";
  if (role === "lead") return `only the lead group${leads.size ? ` (${[...leads].sort().join(", ")})` : ""} may tick it`;
  return "only a reviewer with write access, other than the author, may tick it";
}

/** The tick record travels in the check run output, which only the app can write. */
// Anchored at the start: the app writes its record first, so text that merely contains a
// marker (a crafted file name in the analysis summary, say) can never be read as the record.
const RECORD_MARK = /^<!-- review-triage:record ([A-Za-z0-9+/=]+) -->/;

export interface PrRecord {
  ticks: TickRecord;
  override?: { level: string; by: string; reason: string; at: string };
}

export function encodeRecord(record: PrRecord): string {
  return `<!-- review-triage:record ${Buffer.from(JSON.stringify(record)).toString("base64")} -->`;
}

export function decodeRecord(text: string | null | undefined): PrRecord | undefined {
  const m = text?.match(RECORD_MARK);
  if (!m) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(m[1]!, "base64").toString("utf8")) as PrRecord;
    return typeof parsed === "object" && parsed && typeof parsed.ticks === "object" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The human-readable record shown in the check run. */
export function renderTickTable(applied: AppliedChecklist[], ticks: TickRecord): string {
  const rows: string[] = [];
  for (const list of applied) {
    for (const item of list.items) {
      const t = ticks[item.id];
      if (t) rows.push(`| ${md(list.name)} | ${md(item.text)} | @${t.by} | ${t.at} |`);
    }
  }
  if (!rows.length) return "";
  return ["### Checklist ticks (recorded by the app)", "", "| checklist | item | ticked by | at |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
