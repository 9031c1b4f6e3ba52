import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { problemToLine } from "../config/format-issues.js";
import { CONFIG_PATH, DOCS_URL, parseConfigText } from "../config/parse-config.js";
import type { CliCommand } from "./io.js";

const HELP = `Usage: review-triage validate [file]

Validates a Review Triage config (default: ${CONFIG_PATH}).
Exit code 0 when valid, 1 when invalid, 2 when the file cannot be read.
`;

export const validateCommand: CliCommand = async (args, io) => {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(HELP);
    return 0;
  }
  const file = args.find((a) => !a.startsWith("-")) ?? CONFIG_PATH;
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.stderr(`${file}: cannot read the file (${code === "ENOENT" ? "no such file" : code ?? String(error)})\n`);
    return 2;
  }
  const result = parseConfigText(text);
  if (!result.ok) {
    io.stderr(`${file} is invalid (${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}):\n`);
    for (const problem of result.problems) io.stderr(`  - ${problemToLine(problem)}\n`);
    io.stderr(`\nSee ${DOCS_URL}\n`);
    return 1;
  }
  const ext = result.extends ? ` (extends ${result.extends}; the base is checked when the app loads it)` : "";
  io.stdout(`${file} is valid${ext}.\n`);
  return 0;
};
