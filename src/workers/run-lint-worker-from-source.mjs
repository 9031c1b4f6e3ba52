// Worker entry when the app runs from its TypeScript sources (tests, benchmarks, tsx): Node 20
// does not apply `--import tsx` from a worker's execArgv to the worker's own entry, so tsx is
// registered here, in the worker's thread, before the TypeScript entry is loaded.
import { register } from "tsx/esm/api";

register();
await import("./run-lint-worker.ts");
