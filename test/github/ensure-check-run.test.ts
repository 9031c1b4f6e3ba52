import nock from "nock";
import { describe, expect, it } from "vitest";
import { ensureCheckRun, type CheckAnnotation } from "../../src/github/ensure-check-run.js";
import type { Octokit } from "../../src/github/types.js";
import { TestOctokit } from "../helpers/app.js";
import { API } from "../helpers/github.js";

const octokit = new TestOctokit({ auth: "token test" }) as unknown as Octokit;
const REF = { owner: "acme", repo: "widgets", head_sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" };

const annotation = (line: number): CheckAnnotation => ({ path: "a.js", start_line: line, end_line: line, annotation_level: "warning", message: "m", title: "t" });

describe("ensureCheckRun", () => {
  it("sends annotations in the one request that writes the run, 50 at most", async () => {
    let body: { output?: { annotations?: CheckAnnotation[] } } = {};
    // Only the create is mocked: a further update for the rest would fail the test.
    nock(API)
      .post("/repos/acme/widgets/check-runs", (b) => ((body = b), true))
      .reply(201, { id: 7 });
    const spec = { status: "in_progress" as const, title: "t", summary: "s", annotations: Array.from({ length: 120 }, (_, i) => annotation(i + 1)) };
    const { write, run } = await ensureCheckRun(octokit, REF, spec, null, 1);
    expect(write).toBe("created");
    expect(run.id).toBe(7);
    expect(body.output?.annotations?.map((a) => a.start_line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});
