import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { escalationDelays, escalationDue, escalationJobId } from "../../src/queue/schedule-escalations.js";

const H = 3_600_000;
const escalation = (input: Record<string, unknown>) => configSchema.parse({ escalation: input }).escalation;

describe("escalation timing", () => {
  it("waits nudge_after and reassign_after for a normal PR", () => {
    expect(escalationDelays(escalation({ nudge_after: "24h", reassign_after: "48h" }))).toEqual({ nudge: 24 * H, reassign: 48 * H });
  });

  it("nudges an urgent PR after a quarter of nudge_after by default, and reassigns it after the same share of reassign_after", () => {
    expect(escalationDelays(escalation({ nudge_after: "24h", reassign_after: "48h" }), true)).toEqual({ nudge: 6 * H, reassign: 12 * H });
  });

  it("takes urgent_nudge_after when set, scaling reassign_after by the same ratio", () => {
    expect(escalationDelays(escalation({ nudge_after: "24h", urgent_nudge_after: "2h", reassign_after: "48h" }), true)).toEqual({ nudge: 2 * H, reassign: 4 * H });
  });

  it("counts working time only, as for normal PRs", () => {
    // Friday 22:00 UTC, Monday to Friday: the urgent 6 h nudge lands on Monday 04:00.
    const due = escalationDue(escalation({ nudge_after: "24h", reassign_after: "48h" }), new Date("2026-01-02T22:00:00Z"), true);
    expect(due.nudge.toISOString()).toBe("2026-01-05T04:00:00.000Z");
    expect(due.reassign.toISOString()).toBe("2026-01-05T10:00:00.000Z");
  });
});

describe("escalation job ids", () => {
  const at = new Date("2026-01-05T04:00:00Z");
  it("are UUIDs, the same for the same step of the same request at the same time", () => {
    expect(escalationJobId("17", "nudge", at)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(escalationJobId("17", "nudge", at)).toBe(escalationJobId("17", "nudge", new Date(at.getTime())));
  });

  it("differ by request, by step and by due time", () => {
    const ids = new Set([
      escalationJobId("17", "nudge", at),
      escalationJobId("18", "nudge", at),
      escalationJobId("17", "reassign", at),
      escalationJobId("17", "nudge", new Date(at.getTime() + 1000)),
    ]);
    expect(ids.size).toBe(4);
  });
});
