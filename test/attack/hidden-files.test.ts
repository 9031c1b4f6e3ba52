import { describe, expect, it } from "vitest";
import { buildApp } from "../helpers/app.js";
import { REPO_PATH, TEAM_CONFIG, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive, API } from "../helpers/scenario.js";

/**
 * Hostile author: GitHub lists at most 3000 files of a PR. An author who pads a PR with 3000
 * harmless files (sorted before the sensitive one) hides the sensitive change from the list.
 * A required checklist that applies by path must then still apply: the unlisted files may
 * match it, and otherwise the check passes without the items the config demands.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CONFIG = `${TEAM_CONFIG}
checklists:
  - name: Migrations
    when: { paths: ["migrations/**"] }
    items:
      - { text: "Migration reviewed by a DBA", by: reviewer, required: true }
`;

describe("files GitHub does not list", () => {
  it("still applies a path checklist when files are unlisted (a padded PR cannot hide its migration)", async () => {
    const app = await buildApp();
    const listed = [file("a/pad0.ts", 1), file("a/pad1.ts", 1), file("a/pad2.ts", 1)];
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, CONFIG);
    mockFiles(scope, listed);
    mockOpenPulls(scope, {});
    let check: Json = {};
    let comment = "";
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 41 });
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((comment = b.body), true)).optionally().reply(201, { id: 555 });
    scope.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, [{ name: "risk: x", color: "fbca04" }]);
    const payload = prPayload({ files: listed }) as Json;
    // The PR reports 3001 changed files; GitHub's list stopped before migrations/0042.sql.
    payload.pull_request.changed_files = 3001;
    await receive(app.probot, "pull_request", payload);
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(comment).toContain("Migration reviewed by a DBA");
    expect(check.output.title).toContain("required checklist item");
  });
});
