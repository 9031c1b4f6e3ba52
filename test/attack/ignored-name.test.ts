import { describe, expect, it } from "vitest";
import { buildApp } from "../helpers/app.js";
import { API, REPO_PATH, file, mockConfig, mockOpenPulls, mockToken, nock, prPayload, receive, type FileSpec } from "../helpers/scenario.js";
import { CRITICAL_PATH_CONFIG as CONFIG } from "./critical-path-config.js";

/**
 * Hostile author: file names are the author's. The default `risk.ignore` list (`**∕*.min.js`,
 * `**∕*.snap`, `dist/**`, lockfiles) takes a file out of the repository's own impact rules, so
 * code under a critical path named `*.min.js` (or a critical file renamed to such a name) makes
 * a low-risk PR: one approval, no lead. The repository's explicit impact rule must still apply.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function open(files: Array<FileSpec & { previous_filename?: string }>): Promise<Json> {
  const app = await buildApp();
  const scope = nock(API);
  mockToken(scope);
  mockConfig(scope, CONFIG);
  scope
    .get(`${REPO_PATH}/pulls/2/files`)
    .query({ per_page: 100 })
    .reply(200, files.map((f) => ({ sha: "abc", deletions: 0, changes: f.additions, status: "added", ...f })));
  mockOpenPulls(scope, {});
  let check: Json = {};
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 41 });
  scope.post(`${REPO_PATH}/issues/2/comments`).optionally().reply(201, { id: 555 });
  await receive(app.probot, "pull_request", prPayload({ files, title: "Add login throttling" }));
  expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  return check;
}

describe("a file named to match the ignore list", () => {
  it("keeps the repository's critical impact for code under src/auth named *.min.js", async () => {
    const check = await open([file("src/auth/bypass.min.js", 200)]);
    expect(check.output.summary).toMatch(/impact critical/);
    expect(check.output.summary).not.toMatch(/^\*\*low\*\* risk/m);
  });

  it("keeps it for a critical file renamed to an ignored name", async () => {
    const check = await open([{ ...file("src/auth/session.min.js", 120, { status: "renamed" }), previous_filename: "src/auth/session.ts" }]);
    expect(check.output.summary).toMatch(/impact critical/);
  });
});
