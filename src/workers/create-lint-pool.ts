import { Worker } from "node:worker_threads";
import type { LintBudget, LintOutcome, LintTask } from "../core/analysis/analyze-files.js";
import type { WorkerMessage } from "./run-lint-worker.js";

export interface LintPoolOptions {
  /** Worker threads, each linting one file at a time. */
  size?: number;
  /** V8 old-generation limit of each worker; a file that needs more stops that worker. */
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
}

export interface LintPool {
  readonly size: number;
  /** Lint one file in a worker; the worker is stopped and replaced when over budget. Never rejects. */
  lint(task: LintTask, budget: LintBudget): Promise<LintOutcome>;
  stats(): LintPoolStats;
  /** Stop every worker; later calls to `lint` answer `crashed` at once. */
  close(): Promise<void>;
}

// From TypeScript sources (tests, benchmarks, tsx) the worker starts from a small JavaScript
// file that registers tsx in its thread; from dist/ it is compiled JavaScript next to this file.
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const WORKER_URL = new URL(FROM_SOURCE ? "./run-lint-worker-from-source.mjs" : "./run-lint-worker.js", import.meta.url);

interface Job {
  task: LintTask;
  budget: LintBudget;
  resolve: (outcome: LintOutcome) => void;
}

interface Slot {
  worker?: Worker;
  /** True once the worker said ready, false when it died first. */
  ready?: Promise<boolean>;
  busy: boolean;
  /** Why the last worker died before it was ready. */
  startFailure?: string;
  running?: { id: number; settle: (outcome: LintOutcome) => void };
}

/**
 * A small pool of worker threads that lint (SPEC §11: untrusted code is analysed only in
 * bounded workers). Each worker has a V8 heap limit; each file a wall-clock limit, past which
 * its worker is terminated, which stops even a loop that never yields. A worker that is
 * stopped or dies is replaced at once, so the next file finds one ready.
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
  const stats: LintPoolStats = { size, started: 0, timeouts: 0, outOfMemory: 0, crashes: 0, peakHeapBytes: 0, heapLimitBytes: 0 };
  let closed = false;
  let nextId = 0;

  const spawn = (slot: Slot): void => {
    const worker = new Worker(WORKER_URL, {
      // Not the process's flags: some make no sense in a worker (`--input-type`, `--eval`), and
      // the worker's limits are the ones below.
      execArgv: [],
      // Nothing in a worker needs the app's secrets (private key, webhook secret).
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    worker.unref();
    stats.started++;
    slot.worker = worker;
    let markReady: (ready: boolean) => void = () => undefined;
    slot.ready = new Promise<boolean>((resolve) => (markReady = resolve));
    let wasReady = false;
    let failure: Error | undefined;

    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "ready") {
        wasReady = true;
        markReady(true);
      } else if (message.type === "result" && slot.running?.id === message.id) {
        stats.peakHeapBytes = Math.max(stats.peakHeapBytes, message.heapTotal);
        stats.heapLimitBytes = message.heapLimit;
        slot.running.settle({ kind: "done", result: message.result });
      }
    });
    worker.on("error", (error) => (failure = error));
    worker.on("exit", (code) => {
      markReady(false);
      // A worker this pool terminated on purpose has been replaced already.
      if (slot.worker !== worker) return;
      if (!wasReady) slot.startFailure = failure ? firstLine(failure) : `exit code ${code}`;
      slot.worker = undefined;
      slot.ready = undefined;
      const outOfMemory = (failure as NodeJS.ErrnoException | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY";
      if (outOfMemory) stats.outOfMemory++;
      else stats.crashes++;
      slot.running?.settle(
        outOfMemory ? { kind: "out-of-memory", heapMb } : { kind: "crashed", message: failure ? firstLine(failure) : `the worker exited with code ${code}` },
      );
      // One that never got ready would most likely fail again: the next file tries afresh.
      if (wasReady && !closed) spawn(slot);
    });
  };

  const retire = (slot: Slot): void => {
    const worker = slot.worker;
    slot.worker = undefined;
    slot.ready = undefined;
    void worker?.terminate();
    if (!closed) spawn(slot);
  };

  const run = async (slot: Slot, job: Job): Promise<void> => {
    slot.busy = true;
    try {
      if (!slot.worker) spawn(slot);
      // Referenced while it has work, so a caller awaiting the result keeps the process up.
      slot.worker?.ref();
      let timer: NodeJS.Timeout | undefined;
      const ready = await Promise.race([
        slot.ready ?? Promise.resolve(false),
        new Promise<"late">((resolve) => (timer = setTimeout(resolve, startupTimeoutMs, "late"))),
      ]);
      clearTimeout(timer);
      if (closed) return job.resolve({ kind: "crashed", message: "the lint pool is closed" });
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
          // terminate() interrupts the worker's JavaScript wherever it is, a tight loop included.
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
        worker.postMessage({ id, task: job.task });
      });
    } finally {
      slot.busy = false;
      slot.worker?.unref();
      pump();
    }
  };

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.busy || !queue.length) continue;
      void run(slot, queue.shift()!);
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
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.resolve({ kind: "crashed", message: "the lint pool is closed" });
      const stopping: Promise<number>[] = [];
      for (const slot of slots) {
        slot.running?.settle({ kind: "crashed", message: "the lint pool is closed" });
        const worker = slot.worker;
        slot.worker = undefined;
        slot.ready = undefined;
        if (worker) stopping.push(worker.terminate());
      }
      await Promise.all(stopping);
    },
  };
}

function firstLine(error: Error): string {
  return error.message.split("\n")[0] ?? "";
}
