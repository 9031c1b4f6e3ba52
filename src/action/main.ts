import { runAction } from "./run-action.js";

// The Action's entry (action.yml): one workflow event, then the step's exit code.
process.exitCode = await runAction(process.env);
