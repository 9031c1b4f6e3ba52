import { execFile, fork, spawn } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import type { LintTask } from "../../src/core/analysis/analyze-files.js";
import { createLintPool, type LintPool } from "../../src/workers/create-lint-pool.js";
import { DEBUGGER_MEGABYTE, DEEP_ARRAYS, DEEP_PARENS, QUADRATIC_SWITCH } from "../helpers/hostile-inputs.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));


/** Whether a process runs (a zombie counts as gone: it runs nothing and holds no memory). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const task = (filename: string, source: string): LintTask => ({ filename, source, lines: "all", maxFindings: 50 });
const budget = (fileMs: number, prMs = 60_000) => ({ fileMs, deadline: performance.now() + prMs });

let pool: LintPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

// Each test starts worker processes that load ESLint: seconds each on a loaded machine.
describe("createLintPool", { timeout: 60_000 }, () => {
  it("lints in a worker and answers with the findings", async () => {
    pool = createLintPool();
    const outcome = await pool.lint(task("a.ts", "export const a = { k: 1, k: 2 };\n"), budget(10_000));
    expect(outcome).toMatchObject({ kind: "done", result: { kind: "linted", errors: 1, findings: [{ ruleId: "no-dupe-keys", line: 1 }] } });
    expect(pool.stats()).toMatchObject({ size: 1, started: 1, timeouts: 0 });
  });

  it("stops a file over its time budget, and the next file gets a fresh worker", async () => {
    pool = createLintPool();
    expect(QUADRATIC_SWITCH.length).toBeGreaterThan(70_000);
    // The worker is busy with one file for seconds; a small budget stops it.
    expect(await pool.lint(task("switch.js", QUADRATIC_SWITCH), budget(300))).toEqual({ kind: "timeout", by: "file", ms: 300 });
    expect(await pool.lint(task("b.js", "debugger;\n"), budget(10_000))).toMatchObject({ kind: "done", result: { kind: "linted", warnings: 1 } });
    expect(pool.stats()).toMatchObject({ started: 2, timeouts: 1, crashes: 0 });
  });

  it("stops a file at the PR's deadline when that comes before the file's own budget", async () => {
    pool = createLintPool();
    await pool.lint(task("warm.js", "x;\n"), budget(10_000));
    expect(await pool.lint(task("switch.js", QUADRATIC_SWITCH), budget(10_000, 300))).toMatchObject({ kind: "timeout", by: "pull-request" });
    expect(await pool.lint(task("late.js", "x;\n"), { fileMs: 10_000, deadline: performance.now() - 1 })).toEqual({ kind: "expired" });
  });

  it("stops a worker that reaches its heap limit, and replaces it", async () => {
    pool = createLintPool({ heapMb: 48 });
    const outcome = await pool.lint(task("debugger.js", DEBUGGER_MEGABYTE), budget(60_000));
    expect(outcome).toEqual({ kind: "out-of-memory", heapMb: 48 });
    expect(await pool.lint(task("b.js", "debugger;\n"), budget(10_000))).toMatchObject({ kind: "done" });
    expect(pool.stats()).toMatchObject({ started: 2, outOfMemory: 1 });
    expect(pool.stats().heapLimitBytes).toBeLessThan(128 * 1024 * 1024);
  });

  it("lints deeply nested code without taking anything down", async () => {
    pool = createLintPool();
    const arrays = await pool.lint(task("arrays.ts", DEEP_ARRAYS), budget(10_000));
    const parens = await pool.lint(task("parens.js", DEEP_PARENS), budget(10_000));
    // The parser gives up on the nesting: each file comes back unparsed (on its changed line), the worker alive.
    for (const outcome of [arrays, parens]) expect(outcome).toMatchObject({ kind: "done", result: { kind: "unparsed", changed: true } });
  });

  it("answers every file it holds when closed, and every later one at once", async () => {
    pool = createLintPool();
    const running = pool.lint(task("switch.js", QUADRATIC_SWITCH), budget(60_000));
    const queued = pool.lint(task("b.js", "x;\n"), budget(60_000));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await pool.close();
    expect(await running).toEqual({ kind: "crashed", message: "the lint pool is closed" });
    expect(await queued).toEqual({ kind: "crashed", message: "the lint pool is closed" });
    expect(await pool.lint(task("c.js", "x;\n"), budget(60_000))).toEqual({ kind: "crashed", message: "the lint pool is closed" });
  });

  it("gives a file not bound to a worker the ready one, not the one a stopped file left starting", async () => {
    pool = createLintPool({ size: 2 });
    await pool.warm!();
    // Another PR's file over its budget: its worker is stopped and replaced.
    expect((await pool.lint(task("switch.js", QUADRATIC_SWITCH), budget(50))).kind).toBe("timeout");
    // A moment later (the PR's next file being fetched), both workers are free; one is starting.
    await new Promise((resolve) => setTimeout(resolve, 20));
    // 150 ms left of this PR's budget, far less than a worker's start-up: enough on the ready worker.
    expect((await pool.lint(task("ok.js", "export const ok = 1;\n"), budget(5000, 150))).kind).toBe("done");
  });

  it("keeps a file bound to a worker on that worker, whatever the other's state", async () => {
    pool = createLintPool({ size: 2 });
    await pool.warm!();
    const bound = (slot: number, fileMs: number, prMs = 60_000) => ({ ...budget(fileMs, prMs), slot });
    // Worker 0 is stopped over a file; a file bound to worker 1 does not wait for its replacement.
    expect((await pool.lint(task("switch.js", QUADRATIC_SWITCH), bound(0, 50))).kind).toBe("timeout");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await pool.lint(task("ok.js", "export const ok = 1;\n"), bound(1, 5000, 150))).kind).toBe("done");
    // One bound to worker 0 waits for it, and is linted there once it is up.
    expect((await pool.lint(task("ok.js", "export const ok = 1;\n"), bound(0, 5000))).kind).toBe("done");
    expect(pool.stats().started).toBe(3);
  });

  it("lints files of a pool of two in parallel, one per worker", async () => {
    pool = createLintPool({ size: 2 });
    const outcomes = await Promise.all([pool.lint(task("switch.js", QUADRATIC_SWITCH), budget(1_500)), pool.lint(task("b.js", "debugger;\n"), budget(10_000))]);
    expect(outcomes.map((o) => o.kind)).toEqual(["timeout", "done"]);
    expect(pool.stats().started).toBe(3);
  });

  it("lints in a process of its own, without the app's environment but with the allocator's settings", async () => {
    process.env.REVIEW_TRIAGE_TEST_SECRET = "not-for-workers";
    // As the image sets it.
    process.env.MALLOC_ARENA_MAX = "2";
    try {
      pool = createLintPool();
      expect(await pool.lint(task("a.js", "x;\n"), budget(20_000))).toMatchObject({ kind: "done" });
      const [pid] = pool.pids();
      expect(pid).toBeTypeOf("number");
      expect(pid).not.toBe(process.pid);
      // The worker's own memory, reported apart from the app's.
      expect(pool.stats().peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
      // Only what fork() itself adds to name the IPC channel, and the allocator's settings.
      if (process.platform === "linux") {
        const environment = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
        expect(environment.filter((v) => !v.startsWith("NODE_CHANNEL_"))).toEqual(["MALLOC_ARENA_MAX=2"]);
      }
    } finally {
      delete process.env.REVIEW_TRIAGE_TEST_SECRET;
      delete process.env.MALLOC_ARENA_MAX;
    }
  });

  it("reports a worker that is killed from outside as crashed, and replaces it", async () => {
    pool = createLintPool();
    await pool.lint(task("warm.js", "x;\n"), budget(20_000));
    const running = pool.lint(task("switch.js", QUADRATIC_SWITCH), budget(60_000));
    const [pid] = pool.pids();
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(pid!, "SIGKILL");
    expect(await running).toEqual({ kind: "crashed", message: "the lint worker stopped: signal SIGKILL" });
    expect(await pool.lint(task("b.js", "debugger;\n"), budget(20_000))).toMatchObject({ kind: "done", result: { warnings: 1 } });
    expect(pool.stats()).toMatchObject({ started: 2, crashes: 1 });
    expect(pool.pids()).not.toContain(pid);
  });

  it("a worker goes on with its file when the app's process group gets SIGTERM: the app decides when it stops", async () => {
    pool = createLintPool();
    await pool.lint(task("warm.js", "x;\n"), budget(20_000));
    const [pid] = pool.pids();
    const running = pool.lint(task("dupes.js", "export const o = { k: 1, k: 2 };\n"), budget(20_000));
    process.kill(pid!, "SIGTERM");
    process.kill(pid!, "SIGINT");
    expect(await running).toMatchObject({ kind: "done", result: { errors: 1 } });
    expect(pool.pids()).toEqual([pid]);
  });

  it("does not spend a PR's budget waiting for a replacement worker to start", async () => {
    pool = createLintPool({ startupTimeoutMs: 30_000 });
    await pool.lint(task("warm.js", "x;\n"), budget(20_000));
    // Over its budget: the worker is stopped and replaced.
    expect(await pool.lint(task("switch.js", QUADRATIC_SWITCH), budget(100))).toMatchObject({ kind: "timeout", by: "file" });
    // The replacement, held before it can say ready (as one loading slowly on a busy machine).
    const [replacement] = pool.pids();
    process.kill(replacement!, "SIGSTOP");
    try {
      // Answered at the PR's deadline, not at the end of the start-up wait ("did not start").
      expect(await pool.lint(task("b.js", "x;\n"), budget(20_000, 200))).toEqual({ kind: "expired" });
    } finally {
      process.kill(replacement!, "SIGCONT");
    }
    // The same replacement serves the next PR.
    expect(await pool.lint(task("c.js", "debugger;\n"), budget(20_000))).toMatchObject({ kind: "done" });
    expect(pool.pids()).toEqual([replacement]);
  });

  it("rejects a size or heap that cannot work", () => {
    expect(() => createLintPool({ size: 0 })).toThrow("lint pool size must be a positive integer, got 0");
    expect(() => createLintPool({ heapMb: 8 })).toThrow("at least 16");
  });
});

/**
 * In a fresh process: import the app's whole module graph, analyse a TypeScript and a
 * JavaScript file, and list what the main thread holds of ESLint, its parsers and TypeScript.
 * A static import of any of them anywhere the app loads would put it in the module cache (all
 * of them are CommonJS, which `import` loads through that cache too).
 */
const probe = (appEntry: string, analyzerEntry: string) => `
import { createRequire } from "node:module";
await import(${JSON.stringify(appEntry)});
const { createAnalyzer } = await import(${JSON.stringify(analyzerEntry)});
const texts = { "src/a.ts": "export const a = { k: 1, k: 2 };\\n", "src/b.js": "debugger;\\n" };
// GitHub's GraphQL API as fetchBlobs reads it: POST /graphql, the body as a stream.
const octokit = {
  request: async (_route, { variables }) => {
    const repository = Object.fromEntries(
      Object.entries(variables)
        .filter(([key]) => /^e\\d+$/.test(key))
        .map(([key, expression]) => {
          const text = texts[expression.slice(expression.indexOf(":") + 1)];
          return ["f" + key.slice(1), { text, byteSize: text.length, isBinary: false, isTruncated: false }];
        }),
    );
    return { data: new Response(JSON.stringify({ data: { repository } })).body };
  },
};
octokit.request.endpoint = { DEFAULTS: { baseUrl: "https://api.github.com" } };
const analyze = createAnalyzer({ fileBudgetMs: 20000, prBudgetMs: 60000 });
const files = Object.keys(texts).map((filename) => ({ filename, status: "added", additions: 1, deletions: 0 }));
const out = await analyze({ config: { analysis: { enabled: true, rules: {}, ignore: [] } }, files, headSha: "abc", octokit, owner: "o", repo: "r" });
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /[\\\\/]node_modules[\\\\/](eslint|espree|@typescript-eslint|typescript)[\\\\/]/.test(k));
console.log(JSON.stringify({ titles: out.annotations.map((a) => a.title), loaded, started: analyze.pool.stats().started }));
await analyze.close();
`;

/** What `npm run build` emits (tsc with isolatedModules only strips types), in a tree of its own. */
function buildLike(outDir: string): string {
  rmSync(outDir, { recursive: true, force: true });
  const src = join(ROOT, "src");
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
  const options = ts.parseJsonConfigFileContent(JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8")).compilerOptions ?? {}, ts.sys, ROOT).options;
  for (const file of walk(src)) {
    const out = join(outDir, "dist", relative(src, file).replace(/\.ts$/, ".js"));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions: { ...options, module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2023 }, fileName: file }).outputText);
  }
  // dist/ sits next to package.json, which makes it ESM and which src/version.ts reads.
  cpSync(join(ROOT, "package.json"), join(outDir, "package.json"));
  return join(outDir, "dist");
}

/** An app process running `script`, which prints its pool's worker pids once; and how to kill it. */
async function appWithPool(script: string): Promise<{ workers: number[]; killApp(): Promise<void> }> {
  const app = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const workers = await new Promise<number[]>((resolve, reject) => {
    app.once("error", reject);
    app.stdout.once("data", (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as number[]));
  });
  return {
    workers,
    killApp: () =>
      new Promise<void>((resolve) => {
        app.once("exit", () => resolve());
        app.kill("SIGKILL");
      }),
  };
}

describe("the main thread", () => {
  it("never loads ESLint or the TypeScript parser, running from TypeScript sources", async () => {
    const script = probe(pathToFileURL(join(ROOT, "src/index.ts")).href, pathToFileURL(join(ROOT, "src/handlers/analyze-pull-request.ts")).href);
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({ titles: ["no-dupe-keys (error)", "no-debugger (warning)"], loaded: [], started: 1 });
  }, 60_000);

  it("never loads them either from the compiled build, whose worker is plain JavaScript", async () => {
    // Under node_modules so that the build's own imports resolve to this checkout's packages.
    const out = join(ROOT, "node_modules/.cache/review-triage-build-test");
    try {
      const dist = buildLike(out);
      expect(readdirSync(join(dist, "workers")).sort()).toEqual(["create-lint-pool.js", "run-lint-worker.js"]);
      const script = probe(pathToFileURL(join(dist, "index.js")).href, pathToFileURL(join(dist, "handlers/analyze-pull-request.js")).href);
      // No tsx: the way `npm start` runs.
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, timeout: 60_000 });
      expect(JSON.parse(stdout)).toEqual({ titles: ["no-dupe-keys (error)", "no-debugger (warning)"], loaded: [], started: 1 });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it("takes its workers with it when the app is killed with SIGKILL", async () => {
    const script = `
      const { createLintPool } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "src/workers/create-lint-pool.ts")).href)});
      const pool = createLintPool();
      await pool.lint({ filename: "a.js", source: "x;\\n", lines: "all", maxFindings: 1 }, { fileMs: 20000, deadline: performance.now() + 60000 });
      console.log(JSON.stringify(pool.pids()));
      setInterval(() => undefined, 1000);
    `;
    const app = await appWithPool(script);
    expect(app.workers).toHaveLength(1);
    const worker = app.workers[0]!;
    expect(alive(worker)).toBe(true);
    await app.killApp();
    await expect.poll(() => alive(worker), { timeout: 20_000, interval: 50 }).toBe(false);
  }, 60_000);

  it("takes its worker with it when the app is killed with SIGKILL in the middle of a slow file", async () => {
    const script = `
      const { createLintPool } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "src/workers/create-lint-pool.ts")).href)});
      const { QUADRATIC_SWITCH } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "test/helpers/hostile-inputs.ts")).href)});
      // Heap enough for the quadratic switch to run its course: about 12 s of linting on an
      // idle machine, well past the time this test gives the worker to go.
      const pool = createLintPool({ heapMb: 1024 });
      await pool.lint({ filename: "a.js", source: "x;\\n", lines: "all", maxFindings: 1 }, { fileMs: 20000, deadline: performance.now() + 60000 });
      void pool.lint({ filename: "switch.js", source: QUADRATIC_SWITCH, lines: "all", maxFindings: 1 }, { fileMs: 600000, deadline: performance.now() + 600000 });
      setTimeout(() => console.log(JSON.stringify(pool.pids())), 500);
      setInterval(() => undefined, 1000);
    `;
    const app = await appWithPool(script);
    const worker = app.workers[0]!;
    // Busy on the file: its own CPU time grows.
    const cpu = () => readFileSync(`/proc/${worker}/stat`, "utf8").split(") ")[1]!.split(" ").slice(11, 13).reduce((a, b) => a + Number(b), 0);
    if (process.platform === "linux") {
      const before = cpu();
      await expect.poll(cpu, { timeout: 10_000, interval: 100 }).toBeGreaterThan(before + 20);
    }
    await app.killApp();
    // Gone within seconds, not when the file is done.
    await expect.poll(() => alive(worker), { timeout: 5_000, interval: 50 }).toBe(false);
  }, 60_000);

  it("a worker whose file runs past its budget ends itself when nobody stops it", async () => {
    // The worker alone, with a parent that never kills it (as an app whose event loop is stuck).
    const worker = fork(join(ROOT, "src/workers/run-lint-worker-from-source.mjs"), [], { execArgv: ["--max-old-space-size=1024"], stdio: ["ignore", "ignore", "ignore", "ipc"], serialization: "advanced" });
    try {
      await new Promise<void>((resolve, reject) => {
        worker.once("error", reject);
        worker.on("message", (message: { type: string }) => message.type === "ready" && resolve());
      });
      const ended = new Promise<NodeJS.Signals | null>((resolve) => worker.once("exit", (_code, signal) => resolve(signal)));
      worker.send({ id: 1, task: task("switch.js", QUADRATIC_SWITCH), ms: 300 });
      // The budget and a grace second, then the watchdog's next look: long before the file's end.
      expect(await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 8_000, "still running"))])).toBe("SIGKILL");
    } finally {
      worker.kill("SIGKILL");
    }
  }, 60_000);

  it("is not kept alive by an idle pool", async () => {
    const script = `
      const { createLintPool } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "src/workers/create-lint-pool.ts")).href)});
      const pool = createLintPool();
      const outcome = await pool.lint({ filename: "a.js", source: "x;\\n", lines: "all", maxFindings: 1 }, { fileMs: 20000, deadline: performance.now() + 60000 });
      console.log(outcome.kind);
      // No close(): the process must still end once nothing else is left to do.
    `;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, timeout: 60_000 });
    expect(stdout.trim()).toBe("done");
  }, 60_000);
});
