import { describe, expect, it } from "vitest";
import { addWorkingTime, workingTimeBetween } from "../../src/core/working-time.js";

const WEEK = ["mon", "tue", "wed", "thu", "fri"] as const;
const H = 3_600_000;

describe("working time", () => {
  it("skips the weekend: 24 h from Friday 18:00 ends on Monday 18:00", () => {
    // 2026-01-02 is a Friday.
    expect(addWorkingTime(new Date("2026-01-02T18:00:00Z"), 24 * H, WEEK, "UTC").toISOString()).toBe("2026-01-05T18:00:00.000Z");
  });

  it("counts within a working day as plain time", () => {
    expect(addWorkingTime(new Date("2026-01-05T09:00:00Z"), 30 * 60_000, WEEK, "UTC").toISOString()).toBe("2026-01-05T09:30:00.000Z");
  });

  it("starts counting on Monday for a request made on Sunday", () => {
    expect(addWorkingTime(new Date("2026-01-04T15:00:00Z"), 2 * H, WEEK, "UTC").toISOString()).toBe("2026-01-05T02:00:00.000Z");
  });

  it("uses the configured time zone's calendar, across a daylight-saving change", () => {
    // Friday 2026-03-27 20:00 in Berlin (19:00 UTC); the clocks go forward on Sunday 29 March.
    const due = addWorkingTime(new Date("2026-03-27T19:00:00Z"), 8 * H, WEEK, "Europe/Berlin");
    // 4 h left of Friday, then Monday from local midnight (22:00 UTC on Sunday, now UTC+2): 4 h more.
    expect(due.toISOString()).toBe("2026-03-30T02:00:00.000Z");
    expect(workingTimeBetween(new Date("2026-03-27T19:00:00Z"), due, WEEK, "Europe/Berlin")).toBe(8 * H);
  });

  it("measures working time between two instants", () => {
    expect(workingTimeBetween(new Date("2026-01-02T18:00:00Z"), new Date("2026-01-05T18:00:00Z"), WEEK, "UTC")).toBe(24 * H);
    expect(workingTimeBetween(new Date("2026-01-03T00:00:00Z"), new Date("2026-01-04T23:00:00Z"), WEEK, "UTC")).toBe(0);
  });
});
