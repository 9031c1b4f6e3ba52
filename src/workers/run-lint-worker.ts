/**
 * Entry of a lint worker process (see create-lint-pool.ts). The only module that loads ESLint
 * and the TypeScript parser: a file crafted to be slow or huge then costs this process, which
 * the pool stops and replaces, never the process that answers webhooks. Its memory is its own,
 * so the app's RSS does not carry ESLint's heap.
 *
 * It speaks over the IPC channel of `child_process.fork`; started as a worker thread instead
 * (`new Worker`), it speaks over `parentPort` with the same messages.
 */
import { getHeapStatistics } from "node:v8";
import { parentPort, Worker } from "node:worker_threads";
import { lintChangedLines } from "../core/analysis/lint-changed-lines.js";
import type { LintTask } from "../core/analysis/analyze-files.js";

export interface LintRequest {
  id: number;
  task: LintTask;
  /** The file's time budget: past it (and a grace second), the worker ends itself. */
  ms?: number;
}

export type WorkerMessage =
  | { type: "ready" }
  | {
      type: "result";
      id: number;
      result: ReturnType<typeof lintChangedLines>;
      heapUsed: number;
      heapTotal: number;
      heapLimit: number;
      /** The worker's resident set after the file, in bytes. */
      rss: number;
    };

const send: (message: WorkerMessage) => void = parentPort
  ? (message) => parentPort!.postMessage(message)
  : process.send
    ? (message) => process.send!(message)
    : () => {
        throw new Error("run-lint-worker runs only as a lint worker (child_process.fork or new Worker)");
      };
const onRequest = (handle: (request: LintRequest) => void): void => {
  if (parentPort) parentPort.on("message", handle);
  else process.on("message", handle as (message: unknown) => void);
};

if (!parentPort && !process.send) throw new Error("run-lint-worker runs only as a lint worker (child_process.fork or new Worker)");
// The app went away (a kill -9 included): its end of the channel closed, and so does this process.
if (!parentPort) process.on("disconnect", () => process.exit(0));
// A signal to the app's whole process group (Ctrl-C, systemd stopping the service) is the
// app's to act on: it finishes the files in flight while it drains, then stops its workers.
if (!parentPort) for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => undefined);

/**
 * While a file is being linted this process's event loop is busy, so it cannot hear the
 * channel close: an app killed with SIGKILL mid-file would leave it running until the file
 * ends (minutes, for a crafted one). A thread of its own watches instead, and kills this
 * process as soon as the app is gone (it has been given another parent) or the file has run
 * past its budget with nobody to stop it.
 */
const WATCHDOG = `
const { parentPort, workerData } = require("node:worker_threads");
let deadline = Infinity;
parentPort.on("message", (until) => { deadline = until ?? Infinity; });
setInterval(() => {
  if (process.ppid !== workerData.parent || Date.now() > deadline) process.kill(process.pid, "SIGKILL");
}, 200);
`;
const GRACE_MS = 1000;
const watchdog = parentPort ? undefined : new Worker(WATCHDOG, { eval: true, workerData: { parent: process.ppid }, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 } });
// Nothing of its own to keep this process up: the channel does, while the app is there.
watchdog?.unref();

// Load both parsers and compile the rule configs before saying ready, so that a file's time
// budget is spent on that file, not on the worker's start-up.
lintChangedLines({ filename: "warm-up.js", source: "export const a = 1;\n", lines: "all", maxFindings: 1 });
lintChangedLines({ filename: "warm-up.ts", source: "export const a: number = 1;\n", lines: "all", maxFindings: 1 });

onRequest(({ id, task, ms }) => {
  if (ms !== undefined) watchdog?.postMessage(Date.now() + ms + GRACE_MS);
  const result = lintChangedLines(task);
  watchdog?.postMessage(null);
  const heap = getHeapStatistics();
  send({
    type: "result",
    id,
    result,
    heapUsed: heap.used_heap_size,
    heapTotal: heap.total_heap_size,
    heapLimit: heap.heap_size_limit,
    rss: process.memoryUsage.rss(),
  });
});
send({ type: "ready" });
