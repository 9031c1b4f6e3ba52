/**
 * Entry of a lint worker thread (see create-lint-pool.ts). The only module that loads ESLint
 * and the TypeScript parser: a file crafted to be slow or huge then costs this thread, which
 * the pool stops and replaces, never the event loop that answers webhooks.
 */
import { getHeapStatistics } from "node:v8";
import { parentPort } from "node:worker_threads";
import { lintChangedLines } from "../core/analysis/lint-changed-lines.js";
import type { LintTask } from "../core/analysis/analyze-files.js";

export interface LintRequest {
  id: number;
  task: LintTask;
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "result"; id: number; result: ReturnType<typeof lintChangedLines>; heapUsed: number; heapTotal: number; heapLimit: number };

const port = parentPort;
if (!port) throw new Error("run-lint-worker.ts runs only as a worker thread (new Worker)");

// Load both parsers and compile the rule configs before saying ready, so that a file's time
// budget is spent on that file, not on the worker's start-up.
lintChangedLines({ filename: "warm-up.js", source: "export const a = 1;\n", lines: "all", maxFindings: 1 });
lintChangedLines({ filename: "warm-up.ts", source: "export const a: number = 1;\n", lines: "all", maxFindings: 1 });

port.on("message", ({ id, task }: LintRequest) => {
  const result = lintChangedLines(task);
  const heap = getHeapStatistics();
  port.postMessage({
    type: "result",
    id,
    result,
    heapUsed: heap.used_heap_size,
    heapTotal: heap.total_heap_size,
    heapLimit: heap.heap_size_limit,
  } satisfies WorkerMessage);
});
port.postMessage({ type: "ready" } satisfies WorkerMessage);
