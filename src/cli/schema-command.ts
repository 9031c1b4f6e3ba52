import { renderJsonSchema } from "../config/json-schema.js";
import type { CliCommand } from "./io.js";

export const schemaCommand: CliCommand = async (args, io) => {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout("Usage: review-triage schema\n\nPrints the JSON Schema of .github/review-triage.yml.\n");
    return 0;
  }
  io.stdout(renderJsonSchema());
  return 0;
};
