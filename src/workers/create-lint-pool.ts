import { fork, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { LintBudget, LintOutcome, LintTask } from "../core/analysis/analyze-files.js";
import type { LintRequest, WorkerMessage } from "./run-lint-worker.js";

export interface LintPoolOptions {
  /** Worker processes, each linting one file at a time. */
  size?: number;
  /** V8 old-generation limit of each worker (`--max-old-space-size`); a file that needs more stops that worker. */
  heapMb?: number;
  /** How long a new worker may take to load ESLint and the parsers. */
  startupTimeoutMs?: number;
}

export const DEFAULT_LINT_POOL = { size: 1, heapMb: 256, startupTimeoutMs: 60_000 } as const;

export interface LintPoolStats {
  size: number;
  /** Workers started, replacements included. */
  started: number;
  /** Workers stopped for running past a budget. */
  timeouts: number;
  /** Workers that reached their heap limit. */
  outOfMemory: number;
  /** Workers that failed otherwise. */
  crashes: number;
  /** Largest V8 heap (committed bytes) a worker reported after a file. */
  peakHeapBytes: number;
  /** The heap limit a worker reported: `heapMb` plus V8's young generation. */
  heapLimitBytes: number;
  /** Largest resident set a worker reported after a file: memory of its own, not the app's. */
  peakRssBytes: number;
}

export interface LintPool {
  readonly size: number;
  /** Lint one file in a worker; the worker is stopped and replaced when over budget. Never rejects. */
  lint(task: LintTask, budget: LintBudget): Promise<LintOutcome>;
  stats(): LintPoolStats;
  /**
   * Start the workers not running (all, or the one `slot`) and wait, at most the start-up timeout, for those starting
   * (the first, or a replacement for one a moment ago stopped over budget): a PR's time budget
   * then starts on a ready worker, not on a worker's start-up. Never rejects.
   */
  warm?(slot?: number): Promise<void>;
  /** Process ids of the workers running now (for the operator, and for tests). */
  pids(): number[];
  /** Stop every worker; later calls to `lint` answer `crashed` at once. */
  close(): Promise<void>;
}

// From TypeScript sources (tests, benchmarks, tsx) the worker starts from a small JavaScript
// file that registers tsx; from dist/ it is compiled JavaScript next to this file.
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const WORKER_PATH = fileURLToPath(new URL(FROM_SOURCE ? "./run-lint-worker-from-source.mjs" : "./run-lint-worker.js", import.meta.url));
/** How much of a worker's stderr is kept to say why it died (V8's out-of-memory report is a few lines). */
const STDERR_TAIL = 4096;

interface Job {
  task: LintTask;
  budget: LintBudget;
  resolve: (outcome: LintOutcome) => void;
}

interface Slot {
  worker?: ChildProcess;
  /** True once the worker said ready, false when it died first. */
  ready?: Promise<boolean>;
  /** The worker running now has said ready. */
  up?: boolean;
  busy: boolean;
  /** Why the last worker died before it was ready. */
  startFailure?: string;
  running?: { id: number; settle: (outcome: LintOutcome) => void };
}

/**
 * A small pool of worker processes that lint (SPEC §11: untrusted code is analysed only in
 * bounded workers). Each worker is a child process with a V8 heap limit and no environment;
 * each file has a wall-clock limit, past which its worker is killed (SIGKILL), which stops even
 * a loop that never yields. A worker that is stopped or dies is replaced at once, so the next
 * file finds one ready. Processes rather than threads: ESLint's memory is then the worker's,
 * not part of the app's resident set, and a worker that dies takes nothing of the app with it.
 * A worker exits when the app does, a kill -9 included: when its IPC channel closes, or, in the
 * middle of a file, when its watchdog thread sees it has been given another parent.
 *
 * Workers start on first use and are unref'd while idle: an idle pool does not keep the process
 * alive, but only `close()` stops them.
 */
export function createLintPool(options: LintPoolOptions = {}): LintPool {
  const size = options.size ?? DEFAULT_LINT_POOL.size;
  const heapMb = options.heapMb ?? DEFAULT_LINT_POOL.heapMb;
  const startupTimeoutMs = options.startupTimeoutMs ?? DEFAULT_LINT_POOL.startupTimeoutMs;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`lint pool size must be a positive integer, got ${size}`);
  if (!Number.isInteger(heapMb) || heapMb < 16) throw new RangeError(`lint worker heap must be a whole number of MB, at least 16, got ${heapMb}`);

  const slots: Slot[] = Array.from({ length: size }, () => ({ busy: false }));
  const queue: Job[] = [];
  const stats: LintPoolStats = { size, started: 0, timeouts: 0, outOfMemory: 0, crashes: 0, peakHeapBytes: 0, heapLimitBytes: 0, peakRssBytes: 0 };
  let closed = false;
  let nextId = 0;

  const spawn = (slot: Slot): void => {
    slot.up = false;
    const worker = fork(WORKER_PATH, [], {
      // Not the app's flags (a loader, --inspect): the worker's limit is the one below, and the
      // app's young-generation size, which is about memory, not about what the app loads.
      execArgv: [`--max-old-space-size=${heapMb}`, ...process.execArgv.filter((flag) => /^--max-semi-space-size=\d+$/.test(flag))],
      // Nothing in a worker needs the app's secrets (private key, webhook secret); only the
      // allocator's settings (MALLOC_ARENA_MAX and the like, as the image sets them) pass.
      env: Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith("MALLOC_"))),
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      // Structured clone, as between threads: findings keep their shape, undefined included.
      serialization: "advanced",
    });
    stats.started++;
    slot.worker = worker;
    let markReady: (ready: boolean) => void = () => undefined;
    slot.ready = new Promise<boolean>((resolve) => (markReady = resolve));
    let wasReady = false;
    let failure: Error | undefined;
    let stderr = "";
    worker.stderr?.setEncoding("utf8");
    worker.stderr?.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL)));
    setReferenced(worker, false);

    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "ready") {
        wasReady = true;
        if (slot.worker === worker) slot.up = true;
        markReady(true);
      } else if (message.type === "result" && slot.running?.id === message.id) {
        stats.peakHeapBytes = Math.max(stats.peakHeapBytes, message.heapTotal);
        stats.peakRssBytes = Math.max(stats.peakRssBytes, message.rss);
        stats.heapLimitBytes = message.heapLimit;
        slot.running.settle({ kind: "done", result: message.result });
      }
    });
    // Could not be started (or signalled): 'close' still follows when it had started.
    worker.on("error", (error) => {
      failure = error;
      if (worker.pid === undefined) onEnd(null, null);
    });
    // After 'exit' and after stderr has been read to its end, so the reason is complete.
    worker.on("close", (code, signal) => onEnd(code, signal));
    let ended = false;
    const onEnd = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (ended) return;
      ended = true;
      markReady(false);
      // A worker this pool stopped on purpose has been replaced already.
      if (slot.worker !== worker) return;
      const outOfMemory = /heap out of memory|Reached heap limit/i.test(stderr);
      const reason = failure ? firstLine(failure) : outOfMemory ? "out of memory" : lastLine(stderr) || (signal ? `signal ${signal}` : `exit code ${code}`);
      if (!wasReady) slot.startFailure = reason;
      slot.worker = undefined;
      slot.up = false;
      slot.ready = undefined;
      if (outOfMemory) stats.outOfMemory++;
      else stats.crashes++;
      slot.running?.settle(outOfMemory ? { kind: "out-of-memory", heapMb } : { kind: "crashed", message: `the lint worker stopped: ${reason}` });
      // One that never got ready would most likely fail again: the next file tries afresh.
      if (wasReady && !closed) spawn(slot);
    };
  };

  const retire = (slot: Slot): void => {
    const worker = slot.worker;
    slot.worker = undefined;
    slot.up = false;
    slot.ready = undefined;
    // SIGKILL interrupts the worker wherever it is, a tight loop included.
    worker?.kill("SIGKILL");
    if (!closed) spawn(slot);
  };

  const run = async (slot: Slot, job: Job): Promise<void> => {
    slot.busy = true;
    try {
      if (!slot.worker) spawn(slot);
      // Referenced while it has work, so a caller awaiting the result keeps the process up.
      if (slot.worker) setReferenced(slot.worker, true);
      let timer: NodeJS.Timeout | undefined;
      let expiry: NodeJS.Timeout | undefined;
      const ready = await Promise.race([
        slot.ready ?? Promise.resolve(false),
        new Promise<"late">((resolve) => (timer = setTimeout(resolve, startupTimeoutMs, "late"))),
        // A worker still starting (after its predecessor was stopped) is not the PR's time to spend.
        new Promise<"expired">((resolve) => (expiry = setTimeout(resolve, Math.max(0, job.budget.deadline - performance.now()), "expired"))),
      ]);
      clearTimeout(timer);
      clearTimeout(expiry);
      if (closed) return job.resolve({ kind: "crashed", message: "the lint pool is closed" });
      if (ready === "expired") return job.resolve({ kind: "expired" });
      if (ready !== true) {
        if (ready === "late") retire(slot);
        return job.resolve({ kind: "crashed", message: ready === "late" ? `the lint worker did not start within ${startupTimeoutMs} ms` : `the lint worker could not start: ${slot.startFailure}` });
      }
      const worker = slot.worker;
      const remaining = job.budget.deadline - performance.now();
      if (!worker) return job.resolve({ kind: "crashed", message: "the lint worker could not start" });
      if (remaining <= 0) return job.resolve({ kind: "expired" });
      const ms = Math.max(1, Math.ceil(Math.min(job.budget.fileMs, remaining)));
      const by = job.budget.fileMs <= remaining ? "file" : "pull-request";
      await new Promise<void>((done) => {
        const id = ++nextId;
        const limit = setTimeout(() => {
          stats.timeouts++;
          slot.running?.settle({ kind: "timeout", by, ms: by === "file" ? job.budget.fileMs : ms });
          retire(slot);
        }, ms);
        slot.running = {
          id,
          settle: (outcome) => {
            clearTimeout(limit);
            slot.running = undefined;
            job.resolve(outcome);
            done();
          },
        };
        worker.send({ id, task: job.task, ms } satisfies LintRequest);
      });
    } finally {
      slot.busy = false;
      if (slot.worker) setReferenced(slot.worker, false);
      pump();
    }
  };

  const pump = (): void => {
    // Ready workers first: a job not bound to a worker does not wait for one still starting
    // while another is idle.
    const order = slots.map((slot, index) => ({ slot, index })).sort((a, b) => Number(Boolean(b.slot.up)) - Number(Boolean(a.slot.up)));
    for (const { slot, index } of order) {
      if (slot.busy || !queue.length) continue;
      // A job bound to a worker waits for that one; any other goes to the first free.
      const next = queue.findIndex((job) => job.budget.slot === undefined || job.budget.slot === index);
      if (next >= 0) void run(slot, queue.splice(next, 1)[0]!);
    }
  };

  return {
    size,
    lint(task, budget) {
      if (closed) return Promise.resolve({ kind: "crashed", message: "the lint pool is closed" });
      return new Promise<LintOutcome>((resolve) => {
        queue.push({ task, budget, resolve });
        pump();
      });
    },
    stats: () => ({ ...stats }),
    async warm(index) {
      if (closed) return;
      const chosen = index === undefined ? slots : slots.slice(index, index + 1);
      for (const slot of chosen) if (!slot.worker && !slot.busy) spawn(slot);
      const starting = chosen.flatMap((slot) => (slot.ready && !slot.busy ? [slot.ready] : []));
      if (!starting.length) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(starting), new Promise((resolve) => (timer = setTimeout(resolve, startupTimeoutMs)))]);
      clearTimeout(timer);
    },
    pids: () => slots.flatMap((slot) => (slot.worker?.pid === undefined ? [] : [slot.worker.pid])),
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.resolve({ kind: "crashed", message: "the lint pool is closed" });
      const stopping: Promise<void>[] = [];
      for (const slot of slots) {
        slot.running?.settle({ kind: "crashed", message: "the lint pool is closed" });
        const worker = slot.worker;
        slot.worker = undefined;
        slot.up = false;
        slot.ready = undefined;
        if (worker && worker.exitCode === null && worker.signalCode === null) {
          stopping.push(new Promise<void>((resolve) => worker.once("exit", () => resolve())));
          // Referenced until it has exited, so a caller awaiting close() keeps the process up.
          setReferenced(worker, true);
          worker.kill("SIGKILL");
        }
      }
      await Promise.all(stopping);
    },
  };
}

function firstLine(error: Error): string {
  return error.message.split("\n")[0] ?? "";
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)?.trim() ?? "";
}

/** Whether a worker (its process, IPC channel and stderr pipe) keeps the app's event loop alive. */
function setReferenced(worker: ChildProcess, referenced: boolean): void {
  const handles: Array<{ ref(): unknown; unref(): unknown } | undefined> = [worker, worker.channel ?? undefined, worker.stderr as Socket | null ?? undefined];
  for (const handle of handles) {
    if (referenced) handle?.ref();
    else handle?.unref();
  }
}
