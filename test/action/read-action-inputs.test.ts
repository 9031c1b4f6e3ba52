import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { graphqlUrlFor, readActionInputs } from "../../src/action/read-action-inputs.js";

const dir = mkdtempSync(join(tmpdir(), "review-triage-inputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const event = join(dir, "event.json");
writeFileSync(event, JSON.stringify({ action: "opened" }));
const runner = { GITHUB_EVENT_NAME: "pull_request_target", GITHUB_EVENT_PATH: event, "INPUT_GITHUB-TOKEN": "ghs_x" };

describe("the action's inputs", () => {
  it("reads the runner's variables, pull_request_target as a pull_request, github.com by default", () => {
    const read = readActionInputs({ ...runner, GITHUB_RUN_ID: "7", GITHUB_RUN_ATTEMPT: "2" });
    expect(read).toEqual({
      ok: true,
      inputs: {
        token: "ghs_x",
        event: "pull_request",
        workflowEvent: "pull_request_target",
        payload: { action: "opened" },
        apiUrl: "https://api.github.com",
        graphqlUrl: "https://api.github.com/graphql",
        botLogin: "github-actions[bot]",
        warnings: [],
        delivery: "run-7-2",
      },
    });
  });

  it("follows GitHub Enterprise Server's addresses, and says when GraphQL's cannot be used as given", () => {
    expect(graphqlUrlFor("https://ghes.example.com/api/v3")).toBe("https://ghes.example.com/api/graphql");
    const ghes = readActionInputs({ ...runner, GITHUB_API_URL: "https://ghes.example.com/api/v3/", GITHUB_GRAPHQL_URL: "https://ghes.example.com/api/graphql" });
    expect(ghes).toMatchObject({ ok: true, inputs: { apiUrl: "https://ghes.example.com/api/v3", graphqlUrl: "https://ghes.example.com/api/graphql", warnings: [] } });
    const odd = readActionInputs({ ...runner, GITHUB_API_URL: "https://ghes.example.com/api/v3", GITHUB_GRAPHQL_URL: "https://proxy.example.com/graphql" });
    expect(odd).toMatchObject({ ok: true, inputs: { graphqlUrl: "https://ghes.example.com/api/graphql", warnings: [expect.stringContaining("https://proxy.example.com/graphql")] } });
  });

  it("takes GITHUB_TOKEN when the input is empty, and a bot-login of the token's app", () => {
    expect(readActionInputs({ ...runner, "INPUT_GITHUB-TOKEN": "", GITHUB_TOKEN: "ghs_env", "INPUT_BOT-LOGIN": "acme-triage[bot]" })).toMatchObject({ ok: true, inputs: { token: "ghs_env", botLogin: "acme-triage[bot]" } });
    expect(readActionInputs({ ...runner, "INPUT_BOT-LOGIN": "alice" })).toEqual({ ok: false, problems: ['The `bot-login` input must be a bot account such as github-actions[bot], got "alice".'] });
  });

  it("lists every problem at once", () => {
    const read = readActionInputs({ GITHUB_API_URL: "ftp://x" });
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problems.map((p) => p.split(":")[0])).toEqual(["No GitHub token", "GITHUB_EVENT_NAME is not set", "GITHUB_EVENT_PATH is not set", "GITHUB_API_URL must be an http(s) URL, got \"ftp", "GITHUB_GRAPHQL_URL must be an http(s) URL, got \"ftp"]);
  });

  it("ignores events it does not handle", () => {
    expect(readActionInputs({ ...runner, GITHUB_EVENT_NAME: "schedule" })).toEqual({ ok: true, ignored: "schedule events are not handled (use pull_request_target, pull_request_review and issue_comment)" });
  });
});
