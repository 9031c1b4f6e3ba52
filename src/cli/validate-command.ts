import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { listConfigWarnings } from "../config/config-warnings.js";
import { problemToLine } from "../config/format-issues.js";
import { CONFIG_PATH, DOCS_URL, linesOfWrittenPaths, parseConfigText } from "../config/parse-config.js";
import type { CliCommand } from "./io.js";

const HELP = `Usage: review-triage validate [file]

Validates a Review Triage config (default: ${CONFIG_PATH}): every problem at once, schema
and references between sections together, with suggestions for misspelled keys, values
and group names. A valid config can still get warnings, when it cannot work as meant
(a lead group that does not exist while approvals need leads, approvals or routing that
ask for more people than the groups have, routing to an empty group).

Exit code 0 when valid (with or without warnings), 1 when invalid, 2 when the file cannot
be read.
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
  const warnings = listConfigWarnings(result.config);
  if (!warnings.length) {
    io.stdout(`${file} is valid${ext}.\n`);
    return 0;
  }
  const lines = linesOfWrittenPaths(text, warnings.map((w) => w.path));
  const located = warnings
    .map((w, i) => ({ ...w, line: lines[i] }))
    // Lines the file writes first, in file order; warnings about defaults after them.
    .sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  io.stdout(`${file} is valid${ext}, with ${warnings.length} warning${warnings.length === 1 ? "" : "s"}:\n`);
  for (const w of located) io.stdout(`  - ${w.path}${w.line !== undefined ? ` (line ${w.line})` : ""}: ${w.message}\n`);
  if (result.extends) io.stdout("\nWarnings read this file alone, without its base.\n");
  return 0;
};
