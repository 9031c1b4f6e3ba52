import type { CliCommand, CliIo } from "./io.js";

interface CommandEntry {
  summary: string;
  load: () => Promise<CliCommand>;
}

// Commands load lazily so `validate` never pays for the git or ESLint machinery.
const COMMANDS: Record<string, CommandEntry> = {
  validate: {
    summary: "validate [file]            check a config file (default .github/review-triage.yml); exit 1 when invalid",
    load: async () => (await import("./validate-command.js")).validateCommand,
  },
  schema: {
    summary: "schema                     print the JSON Schema of the config file",
    load: async () => (await import("./schema-command.js")).schemaCommand,
  },
  score: {
    summary: "score [--repo path] [--base ref] [--head ref] [--json]  score a local git diff offline, explain the risk",
    load: async () => (await import("./score-command.js")).scoreCommand,
  },
  explain: {
    summary: "explain owner/repo#N [--json]  with GITHUB_TOKEN, show what the app would do on a PR; writes nothing",
    load: async () => (await import("./explain-command.js")).explainCommand,
  },
  report: {
    summary: "report owner/repo [--since 90d] [--json]  the history's review figures and people reports for a repository's leads",
    load: async () => (await import("./report-command.js")).reportCommand,
  },
  evaluate: {
    summary: "evaluate [--repo path]     replay git history, label changes later fixed (SZZ), report ROC AUC; --calibrate fits weights",
    load: async () => (await import("./evaluate-command.js")).evaluateCommand,
  },
};

export function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  review-triage ${c.summary}`);
  return `Usage:\n${lines.join("\n")}\n\nRun a command with --help for its options.\n`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    const { version } = (await import("../version.js"));
    io.stdout(`${version}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`review-triage: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command(args, io);
  } catch (error) {
    io.stderr(`review-triage ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
