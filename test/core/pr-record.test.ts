import { describe, expect, it } from "vitest";
import { decodeRecord, encodeRecord, recallRecord, recordOf, type PrRecord } from "../../src/core/pr-record.js";

const base64 = (value: unknown) => `<!-- review-triage:record ${Buffer.from(JSON.stringify(value)).toString("base64")} -->`;

describe("the record in the check run", () => {
  it("round-trips what the app remembers, and leaves out what it does not keep", () => {
    const record = recordOf(
      {
        touched: true,
        commentId: 5,
        level: "high",
        requestedByApp: ["alice"],
        pickReasons: { alice: "lead: least loaded" },
        escalations: ["Risk rose from medium to high; requested @alice for the higher level."],
        ticks: { "0a1b2c3d": { by: "erin", at: "2026-01-01T00:00:00Z", role: "author" } },
        refusals: ["@mallory's tick was reverted"],
      },
      { level: "medium", by: "alice", reason: "docs only", at: "2026-01-01T00:00:00Z", headSha: "abc" },
    );
    expect(decodeRecord(`${encodeRecord(record)}\n\n### Checklist ticks`)).toEqual({
      ticks: { "0a1b2c3d": { by: "erin", at: "2026-01-01T00:00:00Z", role: "author" } },
      override: { level: "medium", by: "alice", reason: "docs only", at: "2026-01-01T00:00:00Z", headSha: "abc" },
      state: { level: "high", requested: ["alice"], reasons: { alice: "lead: least loaded" }, escalations: ["Risk rose from medium to high; requested @alice for the higher level."] },
    });
  });

  it("keeps only the newest escalation notes", () => {
    const notes = Array.from({ length: 30 }, (_, i) => `note ${i}`);
    expect(recordOf({ escalations: notes }, undefined).state?.escalations).toEqual(notes.slice(-20));
  });

  it("is no record when it is malformed or out of bounds", () => {
    expect(decodeRecord(base64({ ticks: {}, state: { level: "urgent" } }))).toBeUndefined();
    expect(decodeRecord(base64({ ticks: {}, override: { level: "low", by: "", reason: "x", at: "y" } }))).toBeUndefined();
    expect(decodeRecord(base64({ ticks: {}, state: { requested: Array.from({ length: 201 }, (_, i) => `u${i}`) } }))).toBeUndefined();
    expect(decodeRecord(base64({ ticks: { a: { by: "x".repeat(101), at: "t" } } }))).toBeUndefined();
    expect(decodeRecord(base64({ ticks: [] }))).toBeUndefined();
    expect(decodeRecord(base64("ticks"))).toBeUndefined();
    expect(decodeRecord("<!-- review-triage:record bm90IGpzb24= -->")).toBeUndefined();
    expect(decodeRecord(null)).toBeUndefined();
    // Keys it does not know are dropped, not kept.
    expect(decodeRecord(base64({ ticks: {}, extra: "<script>" }))).toEqual({ ticks: {} });
  });

  it("fills only what the store does not know, and lower-cases the people", () => {
    const record: PrRecord = { ticks: { abcd0123: { by: "erin", at: "t" } }, state: { level: "high", requested: ["Alice"], reasons: { alice: "lead" } } };
    expect(recallRecord({ touched: true }, record)).toEqual({
      touched: true,
      level: "high",
      requestedByApp: ["alice"],
      pickReasons: { alice: "lead" },
      ticks: { abcd0123: { by: "erin", at: "t" } },
    });
    expect(recallRecord({ level: "critical", ticks: {} }, record)).toMatchObject({ level: "critical", ticks: {}, requestedByApp: ["alice"] });
  });
});
