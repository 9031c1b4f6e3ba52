import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

let version: string | undefined;

/**
 * The version of ESLint that lints. Read from its package.json as a file, not required: the
 * main process renders this in every summary and must not load ESLint (it lives in the lint
 * workers), not even its manifest into the module cache.
 */
export function eslintVersion(): string {
  version ??= (JSON.parse(readFileSync(createRequire(import.meta.url).resolve("eslint/package.json"), "utf8")) as { version: string }).version;
  return version;
}
