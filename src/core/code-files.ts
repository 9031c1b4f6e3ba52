/**
 * Which files hold code: programs in a programming language, components and style sheets.
 * Not code: documentation, configuration and data (JSON, YAML, TOML, XML, HTML, lockfiles,
 * snapshots, images), whose lines a fix rarely "repairs" and whose size says little about
 * how much behaviour changed.
 *
 * Just-in-time defect prediction studies measure and label code files only (Kamei et al.,
 * "A large-scale empirical study of just-in-time quality assurance", TSE 2013; McIntosh and
 * Kamei, "Are fix-inducing changes a moving target?", TSE 2018); `evaluate` does the same,
 * and the size and spread factors read only code files, so a change's JSON fixtures,
 * changelog entries or lockfile lines never make it look bigger than the code it changes.
 */
const CODE_EXTENSIONS = new Set(
  (
    // JavaScript and TypeScript, and the component formats built on them.
    "js jsx mjs cjs ts tsx mts cts vue svelte astro coffee " +
    // Style sheets: a fix of a layout bug repairs them like any other code.
    "css scss sass less styl " +
    // Other programming languages a JavaScript repository may hold.
    "py pyi rb php java kt kts scala groovy go rs c h cc cpp cxx hpp hh hxx m mm cs fs swift dart " +
    "lua pl pm r ex exs erl hrl hs elm clj cljs cljc sh bash zsh fish ps1 sql zig sol jl cr nim"
  )
    .split(" ")
    .map((extension) => `.${extension}`),
);

/** Files whose extension names a language and which are code nonetheless not worth counting. */
const NOT_CODE = /(?:\.min\.[cm]?js|\.bundle\.js|\.map)$/i;

/** Whether `lowerExtension` (`.ts`, lower case, as `preparePath` gives it) is a code file's. */
export function isCodeExtension(lowerExtension: string | undefined): boolean {
  return lowerExtension !== undefined && CODE_EXTENSIONS.has(lowerExtension);
}

export function isCodeFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || NOT_CODE.test(name)) return false;
  return isCodeExtension(name.slice(dot).toLowerCase());
}
