/**
 * Files a PR author can craft to hurt a linter, measured on the app before its lint workers:
 * each held the event loop or the heap of the whole process.
 */

/** `no-duplicate-case` compares every case with every other: 7,000 cases (76 KB) kept ESLint busy for 14 s. */
export const QUADRATIC_SWITCH = `switch (x) { ${Array.from({ length: 7000 }, (_, i) => `case ${i}:`).join(" ")} }\n`;

/** 1 MB of `debugger;`: 100,000 findings, a 214 MB heap and 2,000 annotation requests before. */
export const DEBUGGER_MEGABYTE = "debugger;\n".repeat(100_000);

/** 5,000 nested arrays: a recursive-descent parser's stack. */
export const DEEP_ARRAYS = `export const a = ${"[".repeat(5000)}${"]".repeat(5000)};\n`;

/** 5,000 nested parentheses. */
export const DEEP_PARENS = `export const b = ${"(".repeat(5000)}1${")".repeat(5000)};\n`;
