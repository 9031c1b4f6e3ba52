/**
 * `npm run bench`: every benchmark in this folder, one after the other. Each runs in its own
 * Node process so one bench's heap, JIT state and timers cannot skew the next one's figures,
 * and so a crash in one is reported without hiding the others.
 *
 *   npx tsx bench/run-all.ts                  every bench
 *   npx tsx bench/run-all.ts burst soak       only those whose file name contains an argument
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const self = basename(fileURLToPath(import.meta.url));

const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts") && name !== self && !name.startsWith("."))
  .filter((name) => !only.length || only.some((part) => name.includes(part)))
  .sort();

function runBench(file: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    // Plain `node --import tsx` rather than the tsx CLI: benches that spawn themselves
    // (burst, memory-soak) do the same, so every process runs under the same loader.
    const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: root, stdio: "inherit", env: process.env });
    child.on("error", (error) => {
      console.error(`could not start ${file}: ${error.message}`);
      resolve({ code: 1, signal: null });
    });
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}

const results: Array<{ name: string; ok: boolean; seconds: number; detail: string }> = [];
for (const name of benches) {
  const file = join(here, name);
  console.log(`\n=== ${relative(root, file)} ===`);
  const started = Date.now();
  const { code, signal } = await runBench(file);
  const seconds = (Date.now() - started) / 1000;
  const ok = code === 0;
  results.push({ name, ok, seconds, detail: signal ? `killed by ${signal}` : `exit ${code}` });
}

console.log("\n=== summary ===");
// "error" is about the bench process (it crashed or found its own run invalid), not about a
// target: benches print their own PASS/FAIL against the SPEC and exit 0 either way.
for (const r of results) console.log(`  ${r.ok ? "ok   " : "ERROR"} ${r.name.padEnd(24)} ${r.seconds.toFixed(1).padStart(7)} s  (${r.detail})`);
const failed = results.filter((r) => !r.ok);
if (!benches.length) console.error(only.length ? `no benchmark in bench/ matches ${only.join(", ")}` : "no benchmarks found in bench/");
if (failed.length) console.error(`${failed.length} of ${results.length} benchmarks exited with an error`);
process.exitCode = failed.length || !benches.length ? 1 : 0;
