/**
 * Writes the configuration reference into README.md, between the config-reference markers,
 * from the zod schema (through the generated JSON Schema), so the documented keys, types and
 * defaults cannot drift from what the app accepts (test/config/config-reference.test.ts fails
 * when the README is stale).
 *
 *   npx tsx scripts/write-config-reference.ts           rewrite the section
 *   npx tsx scripts/write-config-reference.ts --check   exit 1 when the section is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { extractConfigReference, renderConfigReference, replaceConfigReference } from "../src/config/render-config-reference.js";

export const README_PATH = fileURLToPath(new URL("../README.md", import.meta.url));

function main(): void {
  const readme = readFileSync(README_PATH, "utf8");
  const reference = renderConfigReference();
  if (process.argv.includes("--check")) {
    if (extractConfigReference(readme) !== reference) {
      console.error("README.md's configuration reference is stale: run `npx tsx scripts/write-config-reference.ts`");
      process.exitCode = 1;
    }
    return;
  }
  const next = replaceConfigReference(readme, reference);
  if (next === readme) {
    console.log("README.md's configuration reference is up to date");
    return;
  }
  writeFileSync(README_PATH, next);
  console.log("wrote the configuration reference into README.md");
}

// Run only as a script, so a test can import this module without writing anything.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
