// Worker entry when the app runs from its TypeScript sources (tests, benchmarks, tsx): tsx is
// registered here, from this file's own node_modules, so the worker needs no loader flags and
// does not depend on the working directory.
import { register } from "tsx/esm/api";

register();
await import("./run-lint-worker.ts");
