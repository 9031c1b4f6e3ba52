import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configSchema, LEVELS, type Level } from "../../src/config/schema.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { applicableChecklists, itemId, readItemStates, renderChecklists } from "../../src/core/checklists.js";
import { eventRelevance } from "../../src/core/event-relevance.js";
import { approvers } from "../../src/core/evaluate-approvals.js";
import { planTriage, type TriageFacts } from "../../src/core/plan-triage.js";
import { code, text } from "../../src/core/safe-markdown.js";
import type { ChangedFile } from "../../src/core/types.js";

/**
 * Properties over hostile input (SPEC §11): whatever an author puts in file names, titles,
 * labels, branches, their own config or comment edits, and whatever anyone posts as a
 * payload, the app decides without throwing, writes no comment line it did not render, and
 * never passes the check while an approval rule is unmet.
 */

const RUNS = { numRuns: 150 };
const HEAD = "a".repeat(40);

// Strings an attacker would try: Markdown, HTML, line breaks, the app's own markers.
const hostile = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    "x`\n- [ ] Docs updated <!-- rt:item:00000000 -->\n`",
    "<!-- review-triage:sticky -->",
    "<img src=x onerror=alert(1)>",
    "@everyone @org/admins",
    "```\n</details>\n#### Checklists\n- [x] ",
    "\r\n- [x] forged",
    "\u202eevil\u2066",
    "a|b|c",
    "[link](javascript:alert(1))",
  ),
  fc.array(fc.constantFrom("`", "\n", "<", ">", "[", "]", "|", "@", "-", " ", "x", "!", "#", "*"), { maxLength: 40 }).map((a) => a.join("")),
);

const login = fc.constantFrom("alice", "bob", "carol", "dave", "erin", "mallory", "ci[bot]");

const CONFIG = configSchema.parse({
  reviewers: { lead: ["alice"], seniors: ["bob", "carol", "dave"] },
  routing: { respect_busy: false },
  checklists: [
    { name: "Security", items: ["Input is validated", { text: "Threat model updated", required: true, by: "lead" }, { text: "No secrets in logs", required: true, by: "reviewer" }] },
  ],
});

function filesOf(names: string[]): ChangedFile[] {
  return names.map((filename, i) => ({ filename: filename || `f${i}`, status: "added", additions: 10 + i, deletions: 0, patch: `@@ -0,0 +1,1 @@\n+const a${i} = ${i};` }));
}

function facts(over: Partial<TriageFacts> & { files: ChangedFile[] }): TriageFacts {
  return {
    owner: "acme",
    repo: "app",
    trigger: "opened",
    pr: {
      number: 7,
      title: "Change",
      draft: false,
      author: "erin",
      authorType: "User",
      headSha: HEAD,
      headRef: "feature",
      baseRef: "main",
      labels: [],
      requested: [],
      additions: 10,
      deletions: 0,
    },
    config: CONFIG,
    configSource: "file",
    members: { lead: [{ login: "alice", isTeam: false }], seniors: ["bob", "carol", "dave"].map((l) => ({ login: l, isTeam: false })) },
    leads: ["alice"],
    load: new Map(),
    reviews: [],
    refused: new Map(),
    notes: [],
    now: "2026-01-01T00:00:00.000Z",
    ...over,
  };
}

const review = fc.record({
  login,
  state: fc.constantFrom("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"),
  submittedAt: fc.integer({ min: 1, max: 28 }).map((d) => `2026-01-${String(d).padStart(2, "0")}T00:00:00Z`),
  commitId: fc.constantFrom(HEAD, "b".repeat(40)),
});

describe("rendering what others wrote", () => {
  it("keeps any text on one line, out of code spans, HTML and mentions", () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const out = text(value);
        expect(out).not.toMatch(/[\r\n]/);
        expect(out).not.toMatch(/(^|[^\\])[<>`]/);
        expect(out).not.toMatch(/@[A-Za-z0-9]/);
      }),
      RUNS,
    );
  });

  it("keeps any text inside its code span", () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const span = code(value);
        expect(span).not.toMatch(/[\r\n]/);
        const fence = span.match(/^`+/)![0];
        // The span ends only at its closing fence: no run of that length inside.
        expect(span.slice(fence.length, -fence.length).includes(fence)).toBe(false);
      }),
      RUNS,
    );
  });
});

describe("the comment", () => {
  it("has task lines only for the checklist items it renders, whatever the files, title, labels and branch", () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 6 }), hostile, fc.array(hostile, { maxLength: 3 }), hostile, (names, title, labels, branch) => {
        const f = facts({ files: filesOf(names) });
        const plan = planTriage({ ...f, pr: { ...f.pr, title, labels, headRef: branch } });
        const body = plan.commentBody ?? "";
        const tasks = body.split("\n").filter((l) => /^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]/.test(l));
        const items = plan.checklists.flatMap((c) => c.items);
        expect(tasks).toHaveLength(items.length);
        // A marker may appear quoted inside a code span, never on a line of its own making.
        expect(tasks.map((l) => l.match(/<!-- rt:item:([0-9a-f]{8}) -->$/)?.[1])).toEqual(items.map((i) => i.id));
        // The marker that makes it the app's comment opens it and starts no other line.
        expect(body.startsWith("<!-- review-triage:sticky -->")).toBe(true);
        expect(body.split("\n").filter((l) => l.startsWith("<!-- review-triage:sticky -->"))).toHaveLength(1);
        // HTML only where the app writes it: quoted inside code spans, text is inert.
        const outsideCode = body.replace(/(`+)[^`][\s\S]*?\1/g, "");
        expect(outsideCode).not.toMatch(/<img|<script/i);
      }),
      RUNS,
    );
  });

  it("reads ticks only from the lines it renders, so a planted line ticks nothing", () => {
    const applied = applicableChecklists(CONFIG, { level: "high", files: [], labels: [] });
    const real = renderChecklists(applied, {});
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...applied.flatMap((c) => c.items.map((i) => i.id))), { maxLength: 4 }), hostile, (ids, noise) => {
        // Lines an attacker might add: copies of real item lines (ticked), and noise.
        const planted = ids.map((id) => `- [x] forged <!-- rt:item:${id} -->`).join("\n");
        const body = `${noise}\n${real}\n${planted}`;
        for (const ticked of readItemStates(body, applied).values()) expect(ticked).toBe(false);
      }),
      RUNS,
    );
    expect(itemId("Security", "Threat model updated")).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe("urgency", () => {
  // Every PR urgent: its branch names and labels reach the top line of the comment and the check.
  const URGENT = configSchema.parse({ ...CONFIG, urgency: { urgent: { labels: ["urgent"], head_branches: ["**"], base_branches: ["**"] } } });

  it("renders the author's branch and labels inert, and never changes what the check requires", () => {
    fc.assert(
      fc.property(hostile, hostile, fc.array(hostile, { maxLength: 3 }), fc.array(review, { maxLength: 6 }), (head, base, labels, reviews) => {
        const f = facts({ files: filesOf(["src/a.ts"]), reviews, writers: new Set(["alice", "bob", "carol", "dave", "mallory"]) });
        const pr = { ...f.pr, headRef: head, baseRef: base, labels: [...labels, "URGENT"] };
        const urgent = planTriage({ ...f, pr, config: URGENT });
        const normal = planTriage({ ...f, pr, config: CONFIG });
        expect(urgent.urgency.urgent).toBe(true);
        expect(normal.urgency.urgent).toBe(false);
        expect(urgent.approvals).toEqual(normal.approvals);
        expect({ status: urgent.check.status, conclusion: urgent.check.conclusion, title: urgent.check.title }).toEqual({
          status: normal.check.status,
          conclusion: normal.check.conclusion,
          title: normal.check.title,
        });
        expect(urgent.checklistStatus).toEqual(normal.checklistStatus);
        const body = urgent.commentBody ?? "";
        const lines = body.split("\n");
        expect(lines[0]).toBe("<!-- review-triage:sticky -->");
        expect(lines[1]).toMatch(/^> \*\*🚨 Urgent\*\*: label `URGENT`/);
        expect(lines.filter((l) => l.startsWith("<!-- review-triage:sticky -->"))).toHaveLength(1);
        const tasks = lines.filter((l) => /^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]/.test(l));
        expect(tasks).toHaveLength(urgent.checklists.flatMap((c) => c.items).length);
        const outsideCode = [body, urgent.check.summary].join("\n").replace(/(`+)[^`][\s\S]*?\1/g, "");
        expect(outsideCode).not.toMatch(/<img|<script/i);
      }),
      RUNS,
    );
  });
});

describe("the check", () => {
  it("never passes while the approvals of its level are not there", () => {
    fc.assert(
      fc.property(
        fc.array(review, { maxLength: 8 }),
        fc.subarray(["alice", "bob", "carol", "dave", "mallory"]),
        fc.constantFrom(...LEVELS),
        fc.record({ lead: fc.integer({ min: 0, max: 2 }), total: fc.integer({ min: 0, max: 3 }), fresh: fc.boolean() }),
        (reviews, writerList, level: Level, rule) => {
          const config = configSchema.parse({
            reviewers: { lead: ["alice"], seniors: ["bob", "carol", "dave"] },
            routing: { respect_busy: false },
            governance: { approvals: { [level]: rule } },
          });
          const writers = new Set(writerList);
          const f = facts({ files: filesOf(["src/a.ts"]), reviews, writers, override: { level, by: "alice", reason: "pinned for the test" } });
          const plan = planTriage({ ...f, config });
          if (plan.check.conclusion !== "success") return;
          // Count, independently, the approvals that may count.
          const latest = new Map<string, (typeof reviews)[number]>();
          for (const r of [...reviews].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt))) {
            if (r.login === "erin" || r.login.endsWith("[bot]") || r.state === "COMMENTED") continue;
            latest.set(r.login, r);
          }
          const valid = [...latest.values()].filter((r) => r.state === "APPROVED" && writers.has(r.login) && (!rule.fresh || r.commitId === HEAD));
          expect(valid.length).toBeGreaterThanOrEqual(Math.max(rule.total, rule.lead));
          expect(valid.filter((r) => r.login === "alice").length).toBeGreaterThanOrEqual(rule.lead);
          expect(approvers(reviews, "erin").length).toBeGreaterThanOrEqual(valid.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("hostile payloads and configs", () => {
  it("decides relevance of any payload without throwing", () => {
    fc.assert(
      fc.property(fc.constantFrom("pull_request", "pull_request_review", "issue_comment", "check_run", "push", "ping", "other"), fc.anything(), (event, payload) => {
        const r = eventRelevance(event, payload);
        expect(typeof r.relevant).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });

  it("turns any config into a config or readable problems, never an exception", () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const parsed = parseConfig(raw);
        if (!parsed.ok) for (const p of parsed.problems) expect(typeof p.path).toBe("string");
      }),
      { numRuns: 300 },
    );
  });
});
