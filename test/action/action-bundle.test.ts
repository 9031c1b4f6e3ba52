import { fork, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRecord } from "../../src/core/pr-record.js";
import { startGitHubStub, STUB_BOT, type GitHubStub } from "../helpers/github-stub.js";
import { TEAM_CONFIG, addedLines, prPayload } from "../helpers/scenario.js";
import { ACTION_DIST, staleFiles } from "../../scripts/build-action.js";

const root = new URL("../../", import.meta.url);
const SHA1 = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const SHA2 = "3333333333333333333333333333333333333333";

/** A repository that uses the action gets its files, never its node_modules: run it from such a copy. */
let checkout: string;
beforeAll(() => {
  checkout = mkdtempSync(join(tmpdir(), "review-triage-action-checkout-"));
  for (const name of ["action.yml", "package.json", "dist-action"]) cpSync(new URL(name, root), join(checkout, name), { recursive: true });
});
afterAll(() => rmSync(checkout, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBundle(env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(checkout, "dist-action", "index.js")], {
      cwd: checkout,
      // Only what the runner would give the step: no inherited tokens or settings.
      env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

function errorLines(out: string): string[] {
  return out.split("\n").filter((l) => l.startsWith("::error::") || /"level":(50|60)/.test(l));
}

describe("the Action as GitHub runs it (action.yml, the committed bundle)", () => {
  it("is a node20 action whose bundle is what the sources build (run `npm run build:action` after a change)", async () => {
    const action = parse(readFileSync(new URL("action.yml", root), "utf8")) as { runs: { using: string; main: string }; inputs: Record<string, { default?: string }> };
    expect(action.runs).toEqual({ using: "node20", main: "dist-action/index.js" });
    expect(action.inputs["github-token"]?.default).toBe("${{ github.token }}");
    expect(join(ACTION_DIST, "index.js")).toBe(join(new URL(".", root).pathname, "dist-action", "index.js"));
    expect(await staleFiles()).toEqual([]);
  });

  it("is documented with the example workflow, which never checks out the PR", () => {
    const example = readFileSync(new URL("docs/examples/review-triage-workflow.yml", root), "utf8");
    const readme = readFileSync(new URL("README.md", root), "utf8");
    const section = readme.slice(readme.indexOf("## GitHub Action mode"), readme.indexOf("## Environment variables"));
    expect(section).toContain("```yaml\n" + example + "```");
    const workflow = parse(example) as { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, { steps: Array<{ uses?: string; run?: string }> }> };
    expect(Object.keys(workflow.on)).toEqual(["pull_request_target", "pull_request_review", "issue_comment"]);
    expect(workflow.permissions).toEqual({ contents: "read", "pull-requests": "write", checks: "write", issues: "write" });
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
    expect(steps.filter((s) => s.run !== undefined || !s.uses?.startsWith("review-triage/review-triage@"))).toEqual([]);
  });

  describe("against a GitHub Enterprise Server API", () => {
    let stub: GitHubStub;
    let dir: string;
    beforeAll(async () => {
      stub = await startGitHubStub({ owner: "Codertocat", repo: "Hello-World", config: TEAM_CONFIG });
      dir = mkdtempSync(join(tmpdir(), "review-triage-action-events-"));
    });
    afterAll(async () => {
      await stub.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const env = (event: string, payload: Record<string, unknown>): Record<string, string> => {
      const path = join(dir, `${event}-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(path, JSON.stringify(payload));
      return {
        "INPUT_GITHUB-TOKEN": "ghs_workflow_token",
        // The stub writes as an app's bot, as an installation token from a GitHub App would.
        "INPUT_BOT-LOGIN": STUB_BOT,
        GITHUB_EVENT_NAME: event,
        GITHUB_EVENT_PATH: path,
        GITHUB_API_URL: `${stub.url}/api/v3`,
        GITHUB_GRAPHQL_URL: `${stub.url}/api/graphql`,
        GITHUB_RUN_ID: "42",
      };
    };

    it("triages an opened PR, then a push, from a checkout without node_modules: no duplicate request, one comment, the state carried by the check run", async () => {
      const files = [1, 2, 3].map((i) => ({ filename: `src/part-${i}.ts`, status: "added", additions: 40, deletions: 0, changes: 40, patch: addedLines(40) }));
      const pull = stub.addPull({ number: 2, title: "Add session handling", author: "erin", headSha: SHA1, files });

      const first = await runBundle(env("pull_request_target", prPayload({ files })));
      expect(errorLines(first.stdout)).toEqual([]);
      expect(first.code).toBe(0);
      expect(stub.complete(2)).toBe(true);
      const picked = [...pull.requested];
      expect(picked).toHaveLength(1);

      pull.headSha = SHA2;
      const push = prPayload({ action: "synchronize", files, headSha: SHA2, requested: picked, labels: [...pull.labels] });
      push.before = SHA1;
      const second = await runBundle(env("pull_request_target", push));
      expect(errorLines(second.stdout)).toEqual([]);
      expect(second.code).toBe(0);

      expect(stub.complete(2)).toBe(true);
      expect(stub.stats.duplicateRequests).toBe(0);
      expect(stub.comments).toHaveLength(1);
      const run = stub.checkRuns.find((r) => r.headSha === SHA2)!;
      expect(decodeRecord(run.output.text)?.state).toMatchObject({ level: "medium", requested: picked });
    });
  });

  it("exits non-zero with an error annotation when started without a token", async () => {
    const result = await runBundle({ GITHUB_EVENT_NAME: "pull_request_target", GITHUB_EVENT_PATH: join(checkout, "action.yml") });
    expect(result.code).toBe(1);
    expect(errorLines(result.stdout)).toEqual([
      "::error::Review Triage: No GitHub token: give the action's `github-token` input (its default is `${{ github.token }}`), or set GITHUB_TOKEN.",
      expect.stringMatching(/^::error::Review Triage: GITHUB_EVENT_PATH \(.*action\.yml\) is not valid JSON: /),
    ]);
  });

  it("lints in its bundled worker, without the repository's node_modules", async () => {
    // Started the way the lint pool starts it: a process of its own, talking over IPC.
    const worker = fork(join(checkout, "dist-action", "run-lint-worker.js"), [], { env: {}, execArgv: [], serialization: "advanced" });
    try {
      const result = await new Promise<{ findings: Array<{ ruleId: string }> }>((resolve, reject) => {
        worker.on("error", reject);
        worker.on("exit", (code) => reject(new Error(`the bundled worker exited with code ${code}`)));
        worker.on("message", (m: { type: string; result?: { findings: Array<{ ruleId: string }> } }) => {
          if (m.type === "ready") worker.send({ id: 1, task: { filename: "a.ts", source: "const x: number = 1;\nif (x) { debugger; }\n", lines: "all", maxFindings: 10 } });
          else if (m.result) resolve(m.result);
        });
      });
      expect(result.findings.map((f) => f.ruleId)).toEqual(["no-debugger"]);
    } finally {
      worker.kill("SIGKILL");
    }
  });

});
