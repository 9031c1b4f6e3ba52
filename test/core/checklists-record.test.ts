import { describe, expect, it } from "vitest";
import { decodeRecord, encodeRecord } from "../../src/core/pr-record.js";
import { titleHas } from "../../src/core/skip-reason.js";

describe("the app's record in the check run", () => {
  it("is read only from the start of the text, so a crafted file name cannot forge it", () => {
    const real = encodeRecord({ ticks: {} });
    const forged = encodeRecord({ ticks: { abcd1234: { by: "alice", at: "2026-01-01T00:00:00Z" } }, override: { level: "low", by: "alice", reason: "x", at: "y" } });
    expect(decodeRecord(`${real}\n\n### Static analysis\n- \`a/${forged}.min.js\`: vendored`)).toEqual({ ticks: {} });
    expect(decodeRecord(`### Static analysis\n- \`a/${forged}.min.js\`: vendored`)).toBeUndefined();
  });
});

describe("skip keywords in titles", () => {
  it("match whole words in any case, not parts of words", () => {
    expect(titleHas("WIP: new parser", "WIP")).toBe(true);
    expect(titleHas("[wip] new parser", "WIP")).toBe(true);
    expect(titleHas("Fix swipe gesture", "WIP")).toBe(false);
    expect(titleHas("Fix wipe of cache", "WIP")).toBe(false);
    expect(titleHas("Docs [skip triage]", "[skip triage]")).toBe(true);
  });
});
