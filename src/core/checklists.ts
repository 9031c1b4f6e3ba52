import { minimatch } from "minimatch";
import type { Config, Level } from "../config/schema.js";
import { stableHash } from "./choose-reviewers.js";
import { md } from "./render-comment.js";
import { name } from "./safe-markdown.js";

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
  /** Who the item asked for when it was ticked: a tick stops counting when that changes. */
  role?: TickerRole;
}

export type TickRecord = Record<string, Tick>;

export function itemId(checklist: string, text: string): string {
  return stableHash(`${checklist}\u0000${text}`).toString(16).padStart(8, "0");
}

/** Checklists whose `when` matches: any listed condition suffices; no `when` means always. */
export function applicableChecklists(
  config: Pick<Config, "checklists">,
  facts: { level: Level; files: readonly string[]; labels: readonly string[]; unlistedFiles?: number },
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
      // GitHub lists at most 3000 files: an unlisted file may be the one a path names, and a
      // PR padded with harmless files must not shed the checklist its hidden change needs.
      else if (facts.unlistedFiles) because = `${facts.unlistedFiles} file${facts.unlistedFiles === 1 ? "" : "s"} GitHub did not list may match`;
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

const ROLE_TEXT: Record<TickerRole, string> = { author: "author", reviewer: "a reviewer", lead: "a lead" };

const TASK_BOX = /^- \[( |x|X)\] /;
// What the app appends to a ticked item: " — ✔ @login, 2026-01-01 10:00 UTC".
const DONE_NOTE = / — ✔ .*? UTC(?= <!-- rt:item:[0-9a-f]{8} -->$)/;

/** An item's task line as the app renders it, with or without the tick. */
export function renderItemLine(item: ChecklistItem, tick: Tick | undefined): string {
  const who = `${item.required ? "**required**, " : ""}ticked by ${ROLE_TEXT[item.by]}`;
  const done = tick ? ` — ✔ ${name(tick.by)}, ${tick.at.slice(0, 16).replace("T", " ")} UTC` : "";
  return `- [${tick ? "x" : " "}] ${md(item.text)} <sub>(${who})</sub>${done} <!-- rt:item:${item.id} -->`;
}

/** The line without its box state and tick note: what an edit of the box leaves unchanged. */
function lineShape(line: string): string {
  return line.replace(TASK_BOX, "- [ ] ").replace(DONE_NOTE, "");
}

/**
 * Which items a comment body shows ticked, read only from the lines the app itself renders
 * for them: a line counts for an item when it is exactly the app's line for that item (but
 * for the box and the tick note), and the items' lines come in the order the app renders
 * them. A line planted elsewhere (a crafted file name, a hand edit), a duplicate, or lines
 * out of order make no state at all for the items involved.
 */
export function readItemStates(body: string, applied: readonly AppliedChecklist[]): Map<string, boolean> {
  const items = applied.flatMap((list) => list.items);
  const shapes = new Map(items.map((item) => [lineShape(renderItemLine(item, undefined)), item.id]));
  const found: Array<{ id: string; ticked: boolean }> = [];
  const seen = new Map<string, number>();
  for (const line of body.split(/\r?\n/)) {
    const box = line.match(TASK_BOX);
    if (!box) continue;
    const id = shapes.get(lineShape(line));
    if (!id) continue;
    found.push({ id, ticked: box[1] !== " " });
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const order = items.map((i) => i.id);
  const states = new Map<string, boolean>();
  let cursor = 0;
  for (const entry of found) {
    if (seen.get(entry.id) !== 1) continue;
    const at = order.indexOf(entry.id, cursor);
    if (at < 0) return new Map();
    cursor = at + 1;
    states.set(entry.id, entry.ticked);
  }
  return states;
}

export function renderChecklists(applied: AppliedChecklist[], ticks: TickRecord): string {
  if (!applied.length) return "";
  const out: string[] = ["#### Checklists"];
  for (const list of applied) {
    out.push("");
    out.push(`**${md(list.name)}** <sub>(${md(list.because)})</sub>`);
    for (const item of list.items) out.push(renderItemLine(item, ticks[item.id]));
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

/**
 * Whether `login` may tick an item that asks for `role`. A lead's tick on a lead item of
 * their own PR does not count (four eyes) unless `selfAllowed`.
 */
export function mayTick(
  role: TickerRole,
  who: { login: string; author: string; hasWrite: boolean; leads: ReadonlySet<string>; selfAllowed?: boolean },
): boolean {
  const login = who.login.toLowerCase();
  const isAuthor = login === who.author.toLowerCase();
  if (role === "author") return isAuthor;
  if (role === "lead") return who.leads.has(login) && (!isAuthor || who.selfAllowed === true);
  return who.hasWrite && !isAuthor;
}

/**
 * Why someone may not tick an item, in words. `author` is given when a lead who is the PR's
 * author is the one refused (four eyes): another lead must tick it.
 */
export function roleText(role: TickerRole, leads: ReadonlySet<string>, author = ""): string {
  if (role === "author") return "only the PR author may tick it";
  if (role === "lead") {
    if (author && leads.has(author.toLowerCase())) {
      const others = [...leads].filter((l) => l !== author.toLowerCase()).sort();
      return `a lead may not tick a lead item of their own pull request; another lead${others.length ? ` (${others.join(", ")})` : ""} must`;
    }
    return `only the lead group${leads.size ? ` (${[...leads].sort().join(", ")})` : ""} may tick it`;
  }
  return "only a reviewer with write access, other than the author, may tick it";
}

/** The human-readable record shown in the check run. */
export function renderTickTable(applied: AppliedChecklist[], ticks: TickRecord): string {
  const rows: string[] = [];
  for (const list of applied) {
    for (const item of list.items) {
      const t = ticks[item.id];
      if (t) rows.push(`| ${md(list.name)} | ${md(item.text)} | ${name(t.by)} | ${md(t.at)} |`);
    }
  }
  if (!rows.length) return "";
  return ["### Checklist ticks (recorded by the app)", "", "| checklist | item | ticked by | at |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
