import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/**
 * Run git without a shell and stream its output line by line: `git log -p` over ten
 * thousand commits is hundreds of megabytes, which must never sit in one string.
 *
 * The `-c` settings pin what user or system config could change in the output we parse
 * (quoted paths, colour, external diff drivers, signatures), so a developer's ~/.gitconfig
 * cannot break the parser.
 */
const PINNED = [
  "-c", "core.quotePath=false",
  "-c", "color.ui=false",
  "-c", "diff.noprefix=false",
  "-c", "diff.mnemonicPrefix=false",
  "-c", "diff.external=",
  "-c", "log.showSignature=false",
  "-c", "blame.markIgnoredLines=false",
  "-c", "blame.ignoreRevsFile=",
];

export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "GitError";
  }
}

/** Calls `onLine` for every line git prints; resolves when git exits with 0. */
export function gitLines(repo: string, args: readonly string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-C", repo, ...PINNED, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    // Keep only the head of stderr: enough for the message, bounded whatever git prints.
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    let failed: unknown;
    lines.on("line", (line) => {
      if (failed !== undefined) return;
      try {
        onLine(line);
      } catch (error) {
        failed = error;
        child.kill();
      }
    });
    child.on("error", (error) => reject(new GitError(`cannot run git: ${error.message}`, null, "")));
    // "close" (not "exit") waits for stdout to drain, so every line was delivered.
    child.on("close", (code) => {
      if (failed !== undefined) reject(failed);
      else if (code === 0) resolve();
      else reject(new GitError(`git ${args[0] ?? ""} failed: ${stderr.trim().split("\n")[0] ?? ""}`, code, stderr));
    });
  });
}

/** The whole output of a short git command, trimmed. */
export async function gitOutput(repo: string, args: readonly string[]): Promise<string> {
  const out: string[] = [];
  await gitLines(repo, args, (line) => out.push(line));
  return out.join("\n").trim();
}
