/**
 * Counts the added lines of code in a unified diff: `+` lines that are neither blank nor
 * only a comment. Lines added (LA) is the strongest single predictor of a defect-inducing
 * change, and licence headers, doc comments and blank lines inflate it without adding
 * behaviour, so SPEC §3 leaves them out.
 *
 * This is a per-language lexer-lite, not a parser: line comments are recognised only at
 * the start of a line (that is all "comment-only" needs), and block comments are followed
 * across lines, skipping string literals on the way so that `"src/**∕*.ts"` does not open
 * one. Unknown file types count every non-blank line.
 */

interface CommentSyntax {
  /** Tokens that start a comment running to the end of the line. */
  line: readonly string[];
  /** Block comment delimiters, tried before line tokens (Lua's `--[[` before `--`). */
  block: readonly (readonly [open: string, close: string])[];
  /** A line starting with `* ` is a continuation of a doc comment whose start we may not see. */
  star: boolean;
  /** Quotes that delimit strings on one line, skipped when looking for block openers. */
  quotes: string;
  /** Finds the next quote or comment token (built from the fields above). */
  scanner: RegExp;
  /** By ASCII code: 1 when a line starting with that character may start with a comment. */
  leading: Uint8Array;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function syntax(
  line: readonly string[],
  block: readonly (readonly [string, string])[],
  star: boolean,
  quotes: string,
): CommentSyntax {
  // One global regex per syntax, so the search for the next interesting token runs
  // natively; block openers first, so Lua's `--[[` wins over `--`.
  const tokens = [...block.map(([open]) => open), ...line, ...quotes].map(escapeRegExp);
  const scanner = new RegExp(tokens.length > 0 ? tokens.join("|") : "(?!)", "g");
  const leading = new Uint8Array(128);
  for (const token of [...block.map(([open]) => open), ...line, ...(star ? ["*"] : [])]) leading[token.charCodeAt(0)] = 1;
  return { line, block, star, quotes, scanner, leading };
}

const C_LIKE = syntax(["//"], [["/*", "*/"]], true, "'\"`");
const HASH = syntax(["#"], [], false, "");
const SQL = syntax(["--"], [["/*", "*/"]], false, "'\"");
const MARKUP = syntax([], [["<!--", "-->"]], false, "");
const CSS = syntax([], [["/*", "*/"]], true, "'\"");
const SCSS = syntax(["//"], [["/*", "*/"]], true, "'\"");
const PHP = syntax(["//", "#"], [["/*", "*/"]], true, "'\"");
const HCL = syntax(["#", "//"], [["/*", "*/"]], false, "\"");
const LUA = syntax(["--"], [["--[[", "]]"]], false, "'\"");
const HASKELL = syntax(["--"], [["{-", "-}"]], false, "\"");
const COMPONENT = syntax(["//"], [["<!--", "-->"], ["/*", "*/"]], true, "'\"`");
const INI = syntax([";", "#"], [], false, "");
const LISP = syntax([";"], [], false, "");
const PERCENT = syntax(["%"], [], false, "");
const NONE = syntax([], [], false, "");

const BY_EXTENSION = new Map<string, CommentSyntax>();
function register(syntax: CommentSyntax, extensions: string): void {
  for (const extension of extensions.split(" ")) BY_EXTENSION.set(extension, syntax);
}
register(C_LIKE, "js jsx mjs cjs ts tsx mts cts java kt kts scala sc go rs c h cc cpp cxx hpp hh hxx m mm cs fs swift dart groovy gradle proto jsonc json5 zig v sol");
register(HASH, "py pyi rb sh bash zsh fish yml yaml toml pl pm r ex exs cmake mk nix ps1 psm1 coffee cr jl tcl dockerfile properties gitignore dockerignore env");
register(SQL, "sql psql pgsql");
register(MARKUP, "html htm xml xhtml svg md mdx markdown xaml csproj fsproj vbproj props targets");
register(CSS, "css");
register(SCSS, "scss sass less styl");
register(PHP, "php phtml");
register(HCL, "tf tfvars hcl");
register(LUA, "lua");
register(HASKELL, "hs lhs elm purs");
register(COMPONENT, "vue svelte astro");
register(INI, "ini cfg conf editorconfig");
register(LISP, "lisp cl el clj cljs cljc edn scm rkt");
register(PERCENT, "erl hrl tex sty");

/** Files known by name rather than extension. */
const BY_NAME = new Map<string, CommentSyntax>([
  ["dockerfile", HASH],
  ["containerfile", HASH],
  ["makefile", HASH],
  ["gnumakefile", HASH],
  ["cmakelists.txt", HASH],
  ["gemfile", HASH],
  ["rakefile", HASH],
  ["podfile", HASH],
  ["vagrantfile", HASH],
  ["procfile", HASH],
  ["codeowners", HASH],
  ["jenkinsfile", C_LIKE],
]);

function syntaxFor(filename: string): CommentSyntax {
  const name = filename.slice(filename.lastIndexOf("/") + 1).toLowerCase();
  const byName = BY_NAME.get(name);
  if (byName) return byName;
  // `Dockerfile.prod`, `.env.local`: the stem names the kind.
  if (name.startsWith("dockerfile.") || name.startsWith(".env")) return HASH;
  const dot = name.lastIndexOf(".");
  return (dot >= 0 ? BY_EXTENSION.get(name.slice(dot + 1)) : undefined) ?? NONE;
}

interface ScanState {
  /** The close delimiter of the block comment we are inside, if any. */
  inBlock: string | undefined;
}

function isSpace(code: number): boolean {
  // Space, tab, and the `\r` of CRLF files.
  return code === 32 || code === 9 || code === 13 || code === 11 || code === 12;
}

/** Index in `syntax.block` of the block comment opening at `at`, or -1. */
function blockAt(syntax: CommentSyntax, text: string, at: number): number {
  for (let b = 0; b < syntax.block.length; b++) {
    if (text.startsWith((syntax.block[b] as readonly [string, string])[0], at)) return b;
  }
  return -1;
}

function lineCommentAt(syntax: CommentSyntax, text: string, at: number): boolean {
  for (const token of syntax.line) if (text.startsWith(token, at)) return true;
  return false;
}

function opensBlockLater(syntax: CommentSyntax, text: string, from: number): boolean {
  for (const [open] of syntax.block) if (text.includes(open, from)) return true;
  return false;
}

/**
 * Whether `text` from `start` holds code outside comments; updates the block state so that
 * the next line knows whether it starts inside a comment.
 */
function scanLine(text: string, start: number, syntax: CommentSyntax, state: ScanState): boolean {
  let i = start;
  let code = false;
  const length = text.length;
  while (i < length) {
    if (state.inBlock !== undefined) {
      const close = text.indexOf(state.inBlock, i);
      if (close < 0) return code;
      i = close + state.inBlock.length;
      state.inBlock = undefined;
      continue;
    }
    while (i < length && isSpace(text.charCodeAt(i))) i++;
    if (i >= length) return code;
    if (!code && syntax.star && text.charCodeAt(i) === 42 /* * */) {
      // A doc-comment continuation (`* @param`), or the `*/` of a comment opened before
      // the hunk started. `*ptr = 1` (no space) stays code.
      const next = text.charCodeAt(i + 1);
      if (Number.isNaN(next) || isSpace(next) || next === 47 /* / */) return false;
    }
    const block = blockAt(syntax, text, i);
    if (block >= 0) {
      const [open, close] = syntax.block[block] as readonly [string, string];
      state.inBlock = close;
      i += open.length;
      continue;
    }
    if (lineCommentAt(syntax, text, i)) return code;
    code = true;
    // Code found; the rest only matters if it opens a block comment that stays open.
    if (!opensBlockLater(syntax, text, i)) return true;
    i = skipToComment(text, i, syntax);
    if (i < 0) return true;
  }
  return code;
}

/**
 * From a code position, the index of the next block comment opener outside string
 * literals, or -1 when the line has none (or a line comment or an unterminated string
 * hides the rest).
 */
function skipToComment(text: string, from: number, syntax: CommentSyntax): number {
  const scanner = syntax.scanner;
  scanner.lastIndex = from;
  for (let found = scanner.exec(text); found !== null; found = scanner.exec(text)) {
    const token = found[0];
    const at = found.index;
    if (token.length === 1 && syntax.quotes.includes(token)) {
      let j = at + 1;
      while (j < text.length && text[j] !== token) j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) return -1;
      scanner.lastIndex = j + 1;
      continue;
    }
    return blockAt(syntax, text, at) >= 0 ? at : -1;
  }
  return -1;
}

/**
 * The next block comment opener at or after a position, found with one `indexOf` per
 * opener and remembered: lines are visited in order, so the whole patch is searched about
 * once instead of once per line.
 */
interface OpenerCache {
  text: string;
  openers: readonly string[];
  /** Position the cached answer was computed from, and the answer (-1: none after it). */
  from: number;
  at: number;
}

function nextOpener(cache: OpenerCache, from: number): number {
  if (from >= cache.from && (cache.at === -1 || cache.at >= from)) return cache.at;
  let best = -1;
  for (const open of cache.openers) {
    const found = cache.text.indexOf(open, from);
    if (found >= 0 && (best < 0 || found < best)) best = found;
  }
  cache.from = from;
  cache.at = best;
  return best;
}

/**
 * Whether `text[from, end)` holds code. The common line (outside a comment, not starting
 * with a comment character, no block opener later on the line) is settled without
 * copying it; anything else goes through `scanLine`.
 */
function lineHasCode(text: string, from: number, end: number, syntax: CommentSyntax, state: ScanState, openers: OpenerCache): boolean {
  if (state.inBlock === undefined) {
    let i = from;
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    if (i === end) return false;
    const code = text.charCodeAt(i);
    if (code >= 128 || syntax.leading[code] === 0) {
      if (syntax.block.length === 0) return true;
      const opener = nextOpener(openers, i);
      if (opener < 0 || opener >= end) return true;
    } else if (blockAt(syntax, text, i) < 0 && lineCommentAt(syntax, text, i)) {
      return false;
    }
  }
  return scanLine(text.slice(from, end), 0, syntax, state);
}

/** Added lines of code in `patch` (a GitHub-style diff: hunks only, no file headers). */
export function countAddedCodeLines(filename: string, patch: string): number {
  const syntax = syntaxFor(filename);
  const state: ScanState = { inBlock: undefined };
  const openers: OpenerCache = { text: patch, openers: syntax.block.map(([open]) => open), from: 0, at: -2 };
  let count = 0;
  let start = 0;
  const length = patch.length;
  while (start < length) {
    let end = patch.indexOf("\n", start);
    if (end < 0) end = length;
    const first = patch.charCodeAt(start);
    if (first === 43 /* + */) {
      if (lineHasCode(patch, start + 1, end, syntax, state, openers)) count++;
    } else if (first === 32 /* space */) {
      // Context lines are not counted but can open or close a block comment.
      if (syntax.block.length > 0) lineHasCode(patch, start + 1, end, syntax, state, openers);
    } else if (first === 64 /* @ */) {
      // A new hunk may start anywhere; what came before it is unknown.
      state.inBlock = undefined;
    }
    start = end + 1;
  }
  return count;
}
