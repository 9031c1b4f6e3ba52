import { describe, expect, it } from "vitest";
import { buildApp } from "../helpers/app.js";
import { API, REPO_PATH, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive, type FileSpec } from "../helpers/scenario.js";
import { CRITICAL_PATH_CONFIG as CONFIG } from "./critical-path-config.js";

/**
 * Hostile author: the title is the author's text. A Conventional Commit type that claims no
 * behaviour change ("test:", "docs:", "chore:") lowers the likelihood, and with the default
 * weights that is enough to drop a change to a critical path by a whole level: from high
 * (a lead's approval) to medium, or from critical (two approvals on the head) to high. A claim
 * the files contradict (a source file changed) must not lower what governance requires.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function open(title: string, files: FileSpec[]): Promise<Json> {
  const app = await buildApp();
  const scope = nock(API);
  mockToken(scope);
  mockConfig(scope, CONFIG);
  mockFiles(scope, files);
  mockOpenPulls(scope, {});
  let check: Json = {};
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 41 });
  scope.post(`${REPO_PATH}/issues/2/comments`).optionally().reply(201, { id: 555 });
  await receive(app.probot, "pull_request", prPayload({ files, title }));
  expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  return check;
}

describe("a title that claims no behaviour change", () => {
  it("does not drop a 20-line change to a critical path from needing a lead's approval", async () => {
    const files = [file("src/auth/login.ts", 20, { status: "modified" })];
    const honest = await open("Add login throttling", files);
    expect(honest.output.title).toContain("lead approval");
    const claimed = await open("test: add login throttling", files);
    expect(claimed.output.title).toBe(honest.output.title);
  });

  it("does not drop a 170-line change to a critical path from critical to high", async () => {
    const files = [file("src/auth/login.ts", 170, { status: "modified" })];
    const honest = await open("Add login throttling", files);
    expect(honest.output.summary).toContain("**critical** risk");
    const claimed = await open("docs: login throttling", files);
    expect(claimed.output.summary).toContain("**critical** risk");
  });
});
