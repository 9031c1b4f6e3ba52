import { afterAll, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { createAnalyzer, diffDigest, readAnalyzerEnv } from "../../src/handlers/analyze-pull-request.js";
import type { Octokit } from "../../src/github/types.js";
import { createLintPool, type LintPool } from "../../src/workers/create-lint-pool.js";
import { buildApp, TestOctokit, type TestApp } from "../helpers/app.js";
import { DEBUGGER_MEGABYTE, DEEP_ARRAYS, DEEP_PARENS, QUADRATIC_SWITCH } from "../helpers/hostile-inputs.js";
import { API, REPO_PATH, TEAM_CONFIG, addedFile, file, mockBlobs, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive, type FileSpec } from "../helpers/scenario.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BUGGY = [
  "export function total(items) {",
  "  const config = { limit: 1, limit: 2 };",
  "  for (const item of items) {",
  "    if (item.price = 0) continue;",
  "  }",
  "  return config.limit;",
  "  console.log('never');",
  "}",
  "",
].join("\n");

/** One pool for the file: a worker's start-up (loading ESLint and TypeScript) is paid once. */
const pool = createLintPool();
afterAll(() => pool.close());

function errors(app: TestApp) {
  return app.logs.filter((l) => (l.level as number) >= 50);
}

/** A new 100,000-line file: GitHub lists it without a patch (too large to show), so all of it is new. */
function hugeAddition(filename: string): FileSpec {
  return { filename, additions: 100_000, deletions: 0, status: "added" };
}

function mockWrites(scope: nock.Scope, onCheck: (b: Json) => void) {
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (b) => (onCheck(b), true)).reply(201, { id: 5 });
  scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 6 });
  scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: low", color: "0e8a16" }]);
}

/** The longest the event loop went without running a 10 ms timer, until `stop`. */
function watchEventLoop(): { stop: () => number } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(longest, performance.now() - last);
    },
  };
}

/** A PR opened with `files` whose contents are `blobs`, through the webhook path; what the check run got. */
async function openPr(app: TestApp, files: FileSpec[], blobs: Parameters<typeof mockBlobs>[1]): Promise<{ check: Json; calls: string[] }> {
  const scope = nock(API);
  const calls: string[] = [];
  scope.on("request", (req: { method: string; path: string }) => calls.push(`${req.method} ${req.path.split("?")[0]}`));
  mockToken(scope);
  mockConfig(scope, TEAM_CONFIG);
  mockFiles(scope, files);
  mockBlobs(scope, blobs);
  mockOpenPulls(scope, {});
  let check: Json = {};
  mockWrites(scope, (b) => (check = b));
  await receive(app.probot, "pull_request", prPayload({ files }));
  expect(errors(app)).toEqual([]);
  return { check, calls };
}

describe("static analysis on the webhook path", () => {
  it("lints changed JS at the head commit and annotates the changed lines in the check run", async () => {
    const app = await buildApp({ extras: { analyze: createAnalyzer({ pool }) } });
    const files = [addedFile("src/total.js", BUGGY)];
    const scope = nock(API);
    const calls: string[] = [];
    scope.on("replied", (req: { method: string; path: string }) => calls.push(`${req.method} ${req.path.split("?")[0]}`));
    mockToken(scope);
    mockConfig(scope, TEAM_CONFIG);
    mockFiles(scope, files);
    mockBlobs(scope, { "src/total.js": BUGGY }, { delayMs: 300 });
    mockOpenPulls(scope, {});
    let check: Json = {};
    mockWrites(scope, (b) => (check = b));
    await receive(app.probot, "pull_request", prPayload({ files }));
    expect(errors(app)).toEqual([]);
    const annotations = check.output.annotations as Json[];
    const byRule = annotations.map((a) => `${a.start_line}:${a.title}`);
    expect(byRule).toEqual(expect.arrayContaining(["2:no-dupe-keys (error)", "4:no-cond-assign (warning)", "7:no-unreachable (error)"]));
    expect(annotations.every((a) => a.path === "src/total.js")).toBe(true);
    expect(check.output.text).toContain("### Static analysis");
    expect(check.output.text).toMatch(/\d+ errors? and \d+ warnings? on changed lines \(1 file linted\)/);
    // The linter's factor has no weight by default, so reviewers are not kept waiting for it:
    // the review request is answered while the (slow) file read is still on its way.
    expect(calls.indexOf(`POST ${REPO_PATH}/pulls/2/requested_reviewers`)).toBeLessThan(calls.indexOf("POST /graphql"));
  });

  it("fetches nothing for a PR that touches only Markdown", async () => {
    const app = await buildApp({ extras: { analyze: createAnalyzer({ pool }) } });
    const files = [file("docs/guide.md", 30), file("README.md", 5)];
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, TEAM_CONFIG);
    mockFiles(scope, files);
    mockOpenPulls(scope, {});
    let check: Json = {};
    mockWrites(scope, (b) => (check = b));
    await receive(app.probot, "pull_request", prPayload({ files }));
    expect(errors(app)).toEqual([]);
    expect(check.output.annotations).toBeUndefined();
    expect(check.output.text ?? "").not.toContain("Static analysis");
  });

  it("costs at most 8 requests for a 100-file TypeScript PR opened, token exchange excluded", async () => {
    const app = await buildApp({ extras: { analyze: createAnalyzer({ pool, prBudgetMs: 120_000, fileBudgetMs: 20_000 }) } });
    const source = "export const limits = { max: 1, max: 2 };\n";
    const files = Array.from({ length: 100 }, (_, i) => addedFile(`packages/p${i % 10}/src/module${i}.ts`, source));
    const { check, calls } = await openPr(app, files, Object.fromEntries(files.map((f) => [f.filename, source])));
    const paid = calls.filter((c) => !c.includes("/access_tokens"));
    expect(paid.toSorted()).toEqual(
      [
        `GET ${REPO_PATH}/contents/.github%2Freview-triage.yml`,
        `GET ${REPO_PATH}/pulls/2/files`,
        `GET ${REPO_PATH}/pulls`,
        "POST /graphql",
        `POST ${REPO_PATH}/pulls/2/requested_reviewers`,
        `POST ${REPO_PATH}/check-runs`,
        `POST ${REPO_PATH}/issues/2/comments`,
        `POST ${REPO_PATH}/issues/2/labels`,
      ].toSorted(),
    );
    expect(paid.length).toBeLessThanOrEqual(8);
    // 100 errors: the 50 first by file and line are annotated, all 100 are counted.
    expect(check.output.annotations).toHaveLength(50);
    expect(check.output.text).toContain("100 errors and 0 warnings on changed lines (100 files linted).");
    expect(check.output.text).toContain("| [`no-dupe-keys`](https://eslint.org/docs/latest/rules/no-dupe-keys) | 100 |");
    expect(check.output.text).toContain("Annotated: the 50 most severe findings of 100.");
  });

  it("survives a PR of hostile files: a quadratic switch, deep nesting, a binary and an oversized file", async () => {
    const app = await buildApp({ extras: { analyze: createAnalyzer({ pool, fileBudgetMs: 1_000, prBudgetMs: 60_000 }) } });
    const files = [
      addedFile("src/switch.js", QUADRATIC_SWITCH),
      addedFile("src/arrays.ts", DEEP_ARRAYS),
      addedFile("src/parens.js", DEEP_PARENS),
      addedFile("src/total.js", BUGGY),
      file("assets/logo.js", 1),
      file("dist/bundle.js", 1),
    ];
    const loop = watchEventLoop();
    const { check, calls } = await openPr(app, files, {
      "src/switch.js": QUADRATIC_SWITCH,
      "src/arrays.ts": DEEP_ARRAYS,
      "src/parens.js": DEEP_PARENS,
      "src/total.js": BUGGY,
      "assets/logo.js": { text: null, byteSize: 20_000, isBinary: true, isTruncated: false },
      // GitHub's answer for a 3 MB file: its size and the first 512,000 bytes.
      "dist/bundle.js": { text: "x".repeat(512_000), byteSize: 3_000_000, isBinary: false, isTruncated: true },
    });
    const longestStall = loop.stop();

    expect(calls).toContain(`POST ${REPO_PATH}/pulls/2/requested_reviewers`);
    expect(calls.filter((c) => c === `POST ${REPO_PATH}/check-runs`)).toHaveLength(1);
    expect(calls.filter((c) => c.includes("/check-runs/"))).toEqual([]);
    const annotations = check.output.annotations as Json[];
    expect(annotations.length).toBeLessThanOrEqual(50);
    expect(annotations).toContainEqual(
      expect.objectContaining({ path: "src/switch.js", title: "Not analysed", annotation_level: "warning", message: "not analysed: exceeded the time budget of 1 s per file" }),
    );
    expect(annotations).toContainEqual(expect.objectContaining({ path: "src/total.js", title: "no-dupe-keys (error)" }));
    const text = check.output.text as string;
    expect(text).toContain("- `src/switch.js`: not analysed: exceeded the time budget of 1 s per file");
    expect(text).toContain("- `assets/logo.js`: a binary file");
    expect(text).toContain("- `dist/bundle.js`: 3,000,000 bytes, over the 1 MB limit");
    // The parsers give up on 5,000 levels of nesting with an error instead of overflowing.
    expect(annotations.filter((a) => a.title === "Syntax error").map((a) => a.path).sort()).toEqual(["src/arrays.ts", "src/parens.js"]);
    // Linting ran in a worker for over a second; this thread kept running its timers.
    expect(longestStall).toBeLessThan(300);
  });

  it("bounds 1 MB of `debugger;` to 50 annotations in one request, and counts all 100,000 findings", async () => {
    const app = await buildApp({ extras: { analyze: createAnalyzer({ pool, fileBudgetMs: 30_000, prBudgetMs: 60_000 }) } });
    const files = [hugeAddition("src/debugger.js")];
    const loop = watchEventLoop();
    const { check, calls } = await openPr(app, files, { "src/debugger.js": DEBUGGER_MEGABYTE });
    const longestStall = loop.stop();
    expect(calls.filter((c) => c.includes("/check-runs"))).toEqual([`POST ${REPO_PATH}/check-runs`]);
    const annotations = check.output.annotations as Json[];
    expect(annotations).toHaveLength(50);
    expect(annotations.map((a) => a.start_line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(check.output.text).toContain("0 errors and 100,000 warnings on changed lines (1 file linted).");
    expect(check.output.text).toContain("| [`no-debugger`](https://eslint.org/docs/latest/rules/no-debugger) | 100,000 |");
    expect(longestStall).toBeLessThan(300);
  });

  it("turns a file that exhausts the worker's heap into one 'not analysed' finding", async () => {
    const analyze = createAnalyzer({ workerHeapMb: 48, fileBudgetMs: 60_000, prBudgetMs: 120_000 });
    try {
      const app = await buildApp({ extras: { analyze } });
      const files = [hugeAddition("src/debugger.js"), addedFile("src/total.js", BUGGY)];
      const loop = watchEventLoop();
      const { check } = await openPr(app, files, {
        "src/debugger.js": DEBUGGER_MEGABYTE,
        "src/total.js": BUGGY,
      });
      const longestStall = loop.stop();
      const annotations = check.output.annotations as Json[];
      expect(annotations.filter((a) => a.path === "src/debugger.js")).toEqual([
        expect.objectContaining({ title: "Not analysed", start_line: 1, message: "not analysed: exceeded the memory budget of 48 MB" }),
      ]);
      // The replacement worker lints the next file.
      expect(annotations).toContainEqual(expect.objectContaining({ path: "src/total.js", title: "no-dupe-keys (error)" }));
      expect(analyze.pool.stats()).toMatchObject({ outOfMemory: 1 });
      expect(longestStall).toBeLessThan(300);
    } finally {
      await analyze.close();
    }
  });
});

describe("createAnalyzer", () => {
  const octokit = new TestOctokit({ auth: "token test" }) as unknown as Octokit;
  const config = configSchema.parse({});
  const input = (headSha: string) => ({ config, files: [{ filename: "a.js", status: "added" as const, additions: 1, deletions: 0 }], headSha, octokit, owner: "o", repo: "r" });
  const source = "export const a = { k: 1, k: 2 };\n";

  it("analyses a commit once, and keeps results only within its byte budget", async () => {
    const roomy = createAnalyzer({ pool });
    mockBlobs(nock(API), { "a.js": source });
    const first = await roomy(input("a".repeat(40)));
    // Answered from the cache: no second query is mocked.
    expect(await roomy(input("a".repeat(40)))).toEqual(first);
    expect(first?.errors).toBe(1);

    // A result of a few hundred bytes does not fit in 100: every event analyses again.
    const cramped = createAnalyzer({ pool, cacheBytes: 100 });
    const scope = nock(API);
    mockBlobs(scope, { "a.js": source });
    mockBlobs(scope, { "a.js": source });
    await cramped(input("b".repeat(40)));
    await cramped(input("b".repeat(40)));
    expect(scope.isDone()).toBe(true);
  });

  it("keeps a result per diff, not per commit: a PR sharing another's head commit against another base gets its own lines", async () => {
    const analyzer = createAnalyzer({ pool });
    const code = "export const a = 1;\ndebugger;\ndebugger;\n";
    const scope = nock(API);
    mockBlobs(scope, { "a.js": code });
    mockBlobs(scope, { "a.js": code });
    // Against a branch that already has the debugger lines, the PR changes line 1 only.
    const narrow = await analyzer({ ...input("c".repeat(40)), files: [{ filename: "a.js", status: "modified", additions: 1, deletions: 1, patch: "@@ -1,1 +1,1 @@\n-old\n+export const a = 1;" }] });
    expect(narrow?.rules).toEqual({});
    // The same head commit against main, where the whole file is new.
    const whole = await analyzer({ ...input("c".repeat(40)), files: [{ filename: "a.js", status: "added", additions: 3, deletions: 0 }] });
    expect(whole?.rules).toEqual({ "no-debugger": 2 });
    expect(scope.isDone()).toBe(true);
  });

  it("does not keep a result a killed worker or a failed fetch spoilt: the next event on the commit tries again", async () => {
    let kills = 1;
    const flaky: LintPool = {
      ...pool,
      size: 1,
      lint: (task, budget) => (kills-- > 0 ? Promise.resolve({ kind: "crashed", message: "the worker was killed by SIGKILL" }) : pool.lint(task, budget)),
    };
    const analyzer = createAnalyzer({ pool: flaky });
    const scope = nock(API);
    mockBlobs(scope, { "a.js": source });
    scope.post("/graphql").reply(502, { message: "Bad Gateway" });
    mockBlobs(scope, { "a.js": source });
    const crashed = await analyzer(input("d".repeat(40)));
    expect(crashed).toMatchObject({ errors: 0, unchecked: 1, text: expect.stringContaining("the lint worker failed on it") });
    const fetchFailed = await analyzer(input("d".repeat(40)));
    expect(fetchFailed?.text).toContain("could not fetch its content");
    const again = await analyzer(input("d".repeat(40)));
    expect(again).toMatchObject({ errors: 1, unchecked: 0 });
    expect(scope.isDone()).toBe(true);
  });

  it("does not charge the next PR for the worker the previous PR's file got stopped: its budget starts on a ready worker", async () => {
    const own = createLintPool();
    try {
      // A tight budget: less than a worker's start-up (loading ESLint and TypeScript).
      const analyzer = createAnalyzer({ pool: own, fileBudgetMs: 300, prBudgetMs: 700 });
      const scope = nock(API);
      mockBlobs(scope, { "a.js": source });
      // The first PR does not pay for the first worker's start-up either.
      expect(await analyzer(input("e".repeat(40)))).toMatchObject({ errors: 1, unchecked: 0 });
      // A hostile PR: its file runs past the file budget, so its worker is stopped and replaced.
      mockBlobs(scope, { "a.js": QUADRATIC_SWITCH });
      const hostile = await analyzer(input("f".repeat(40)));
      expect(hostile?.unchecked).toBe(1);
      expect(own.stats().timeouts).toBe(1);
      // The next PR, at once: linted in full, on the replacement.
      mockBlobs(scope, { "a.js": source });
      expect(await analyzer(input("0".repeat(40)))).toMatchObject({ errors: 1, unchecked: 0 });
      expect(own.stats().started).toBe(2);
      expect(scope.isDone()).toBe(true);
    } finally {
      await own.close();
    }
  });

  it("with two workers, keeps each PR's files on its own worker: a hostile PR's stopped workers cost another PR nothing", async () => {
    const own = createLintPool({ size: 2 });
    try {
      // The other PR's files come a little apart, as fetching and linting real files would have
      // them: each then finds the worker the hostile PR's last file left, ready or restarting.
      const paced: LintPool = {
        ...own,
        lint: async (task, budget) => {
          if (task.filename.startsWith("src/ok")) await new Promise((resolve) => setTimeout(resolve, 30));
          return own.lint(task, budget);
        },
      };
      const analyzer = createAnalyzer({ pool: paced, fileBudgetMs: 300, prBudgetMs: 3000 });
      const slow = Array.from({ length: 25_000 }, (_, i) => `export const v${i} = { k: 1, k: 2 };`).join("\n");
      const hostile = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`src/slow${i}.js`, `${slow}\n// ${i}\n`]));
      const innocent = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`src/ok${i}.js`, `export const ok${i} = { k: 1, k: 2 };\n`]));
      // As many content queries as the answers' size takes.
      mockBlobs(nock(API).persist(), { ...hostile, ...innocent });
      const pr = (tree: Record<string, string>, owner: string, sha: string) =>
        analyzer({ ...input(sha.repeat(40)), owner, files: Object.keys(tree).map((filename) => ({ filename, status: "added" as const, additions: tree[filename]!.split("\n").length, deletions: 0 })) });
      const later = async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return pr(innocent, "acme", "2");
      };
      const [bad, good] = await Promise.all([pr(hostile, "mallory", "1"), later()]);
      expect(bad?.unchecked).toBeGreaterThan(0);
      // At least one of its files stopped a worker (how many fit in its budget depends on the
      // machine's load: a restart is slower on a busy machine).
      expect(own.stats().timeouts).toBeGreaterThan(0);
      // Every file of the other PR linted, none out of time: its errors found, nothing unchecked.
      expect(good).toMatchObject({ errors: 40, unchecked: 0 });
    } finally {
      nock.cleanAll();
      await own.close();
    }
  }, 60_000);

  it("keys a result by a digest of the diff that lets the event loop run while a huge PR's patches are hashed", async () => {
    const line = "+  const value = compute(input, options) ?? fallback;\n";
    const files = Array.from({ length: 300 }, (_, i) => ({ filename: `src/f${i}.ts`, status: "modified" as const, additions: 2000, deletions: 0, patch: `@@ -1,0 +1,2000 @@\n${line.repeat(2000)}` }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const digest = await diffDigest(files);
      // About 30 MB of patches: hashed in slices, with the timers running between them.
      expect(ticks).toBeGreaterThan(0);
      expect(await diffDigest(files)).toBe(digest);
      expect(await diffDigest([...files.slice(0, -1), { ...files.at(-1)!, patch: `${files.at(-1)!.patch}+x\n` }])).not.toBe(digest);
    } finally {
      clearInterval(timer);
    }
  });

  it("gives the accounts waiting for the analyzer turns: one account's burst of PRs does not keep another's waiting behind all of it", async () => {
    // One worker whose files finish when the test says, recording whose PR each file is.
    const order: string[] = [];
    const gates: Array<() => void> = [];
    const slow: LintPool = {
      size: 1,
      lint: (task) =>
        new Promise((resolve) => {
          order.push(task.filename);
          gates.push(() => resolve({ kind: "done", result: { findings: [], totals: {}, errors: 0, warnings: 0 } as never }));
        }),
      stats: () => pool.stats(),
      pids: () => [],
      close: async () => undefined,
    };
    const analyzer = createAnalyzer({ pool: slow });
    const scope = nock(API).persist();
    mockBlobs(scope, { "big.js": source, "small.js": source });
    const pr = (owner: string, n: number) => analyzer({ ...input(`${n}`.padStart(40, "0")), owner, files: [{ filename: `${owner}.js`, status: "added" as const, additions: 1, deletions: 0 }] });
    const done = [1, 2, 3, 4].map((n) => pr("big", n));
    await expect.poll(() => order.length).toBe(1);
    done.push(pr("small", 5));
    // Let each file finish in turn, as the worker would.
    for (let i = 0; i < 5; i++) {
      await expect.poll(() => gates.length).toBe(i + 1);
      gates[i]!();
    }
    await Promise.all(done);
    scope.persist(false);
    nock.cleanAll();
    // The accounts take turns once the first PR is done: the small account's PR waits for one
    // of the burst's turns, not for the whole burst.
    expect(order).toEqual(["big.js", "big.js", "small.js", "big.js", "big.js"]);
  });

  it("closes its own pool but leaves a pool it was given to its owner", async () => {
    const own = createAnalyzer();
    await own.close();
    expect(await own.pool.lint({ filename: "a.js", source, lines: "all", maxFindings: 1 }, { fileMs: 1000, deadline: performance.now() + 1000 })).toEqual({
      kind: "crashed",
      message: "the lint pool is closed",
    });
    const borrowed = createAnalyzer({ pool });
    await borrowed.close();
    expect(await pool.lint({ filename: "a.js", source, lines: "all", maxFindings: 1 }, { fileMs: 20_000, deadline: performance.now() + 20_000 })).toMatchObject({ kind: "done" });
  });

  it("reads its settings from the environment, and names a variable it cannot use", () => {
    expect(readAnalyzerEnv({ ANALYSIS_WORKERS: "2", ANALYSIS_WORKER_HEAP_MB: "512", ANALYSIS_FILE_BUDGET_MS: "1500", ANALYSIS_PR_BUDGET_MS: " 20000 " })).toEqual({
      workers: 2,
      workerHeapMb: 512,
      fileBudgetMs: 1500,
      prBudgetMs: 20_000,
    });
    expect(readAnalyzerEnv({ ANALYSIS_WORKERS: "" })).toEqual({});
    expect(() => readAnalyzerEnv({ ANALYSIS_WORKERS: "two" })).toThrow('ANALYSIS_WORKERS must be a whole number from 1 to 16 (default 1), got "two"');
    expect(() => readAnalyzerEnv({ ANALYSIS_WORKER_HEAP_MB: "32" })).toThrow("ANALYSIS_WORKER_HEAP_MB must be a whole number from 64 to 4096 (default 256)");
    expect(() => readAnalyzerEnv({ ANALYSIS_FILE_BUDGET_MS: "1.5" })).toThrow("ANALYSIS_FILE_BUDGET_MS");
  });
});
