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
  /** The block comment openers alone. */
  openers: readonly string[];
  /** By ASCII code: 1 when a line starting with that character may start with a comment. */
  leading: Uint8Array;
  /** By ASCII code: 1 for the first characters of comment tokens and for quotes. */
  interesting: Uint8Array;
  /** By ASCII code: 1 for quotes that delimit strings on one line, skipped when looking for block openers. */
  quoteCodes: Uint8Array;
}

function syntax(
  line: readonly string[],
  block: readonly (readonly [string, string])[],
  star: boolean,
  quotes: string,
): CommentSyntax {
  // Character tables, so scanning a line is a loop over char codes with no allocation.
  const leading = new Uint8Array(128);
  const interesting = new Uint8Array(128);
  const quoteCodes = new Uint8Array(128);
  for (const token of [...block.map(([open]) => open), ...line]) {
    leading[token.charCodeAt(0)] = 1;
    interesting[token.charCodeAt(0)] = 1;
  }
  if (star) leading[42] = 1;
  for (const quote of quotes) {
    interesting[quote.charCodeAt(0)] = 1;
    quoteCodes[quote.charCodeAt(0)] = 1;
  }
  return { line, block, star, openers: block.map(([open]) => open), leading, interesting, quoteCodes };
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

/** Scanning one patch: the open block comment, and remembered searches. */
interface Scan {
  text: string;
  syntax: CommentSyntax;
  /** The close delimiter of the block comment we are inside, if any. */
  inBlock: string | undefined;
  // Lines are visited in order, so the next opener (or close delimiter) found from one
  // position is still the answer for later positions before it: each is searched for
  // about once per patch, not once per line, and a long comment costs no rescanning.
  openFrom: number;
  openAt: number;
  closeToken: string | undefined;
  closeFrom: number;
  closeAt: number;
}

function isSpace(code: number): boolean {
  // Space, tab, and the `\r` of CRLF files.
  return code === 32 || code === 9 || code === 13 || code === 11 || code === 12;
}

/** Whether `token` starts at `at`; comment tokens are 1–4 characters, so compare in place. */
function tokenAt(text: string, at: number, token: string): boolean {
  for (let k = 0; k < token.length; k++) if (text.charCodeAt(at + k) !== token.charCodeAt(k)) return false;
  return true;
}

/** Index in `syntax.block` of the block comment opening at `at`, or -1. */
function blockAt(syntax: CommentSyntax, text: string, at: number): number {
  for (let b = 0; b < syntax.block.length; b++) {
    if (tokenAt(text, at, (syntax.block[b] as readonly [string, string])[0])) return b;
  }
  return -1;
}

function lineCommentAt(syntax: CommentSyntax, text: string, at: number): boolean {
  for (let t = 0; t < syntax.line.length; t++) if (tokenAt(text, at, syntax.line[t] as string)) return true;
  return false;
}

/** The next block comment opener at or after `from` (-1: none in the rest of the patch). */
function nextOpen(scan: Scan, from: number): number {
  if (from >= scan.openFrom && (scan.openAt === -1 || scan.openAt >= from)) return scan.openAt;
  let best = -1;
  for (const open of scan.syntax.openers) {
    const found = scan.text.indexOf(open, from);
    if (found >= 0 && (best < 0 || found < best)) best = found;
  }
  scan.openFrom = from;
  scan.openAt = best;
  return best;
}

/** The next close delimiter of the current block comment at or after `from`. */
function nextClose(scan: Scan, token: string, from: number): number {
  if (token === scan.closeToken && from >= scan.closeFrom && (scan.closeAt === -1 || scan.closeAt >= from)) {
    return scan.closeAt;
  }
  scan.closeToken = token;
  scan.closeFrom = from;
  scan.closeAt = scan.text.indexOf(token, from);
  return scan.closeAt;
}

/**
 * From a code position, the next block comment opener before `end` that is outside string
 * literals, or -1 when there is none (or a line comment or an unterminated string hides
 * the rest of the line).
 */
function skipToComment(scan: Scan, from: number, end: number): number {
  const { text, syntax } = scan;
  for (let i = from; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 128 || syntax.interesting[ch] === 0) continue;
    if (syntax.quoteCodes[ch] === 1) {
      let j = i + 1;
      while (j < end && text.charCodeAt(j) !== ch) j += text.charCodeAt(j) === 92 /* \\ */ ? 2 : 1;
      if (j >= end) return -1;
      i = j;
      continue;
    }
    if (blockAt(syntax, text, i) >= 0) return i;
    if (lineCommentAt(syntax, text, i)) return -1;
  }
  return -1;
}

/**
 * Whether the line `text[from, end)` holds code outside comments; updates the block state
 * so the next line knows whether it starts inside a comment. Works in place: a patch's
 * lines are never copied out.
 */
function lineHasCode(scan: Scan, from: number, end: number): boolean {
  const { text, syntax } = scan;
  let i = from;
  let code = false;
  while (i < end) {
    if (scan.inBlock !== undefined) {
      const close = nextClose(scan, scan.inBlock, i);
      if (close < 0 || close >= end) return code;
      i = close + scan.inBlock.length;
      scan.inBlock = undefined;
      continue;
    }
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    if (i >= end) return code;
    const first = text.charCodeAt(i);
    if (first < 128 && syntax.leading[first] === 1) {
      if (!code && syntax.star && first === 42 /* * */) {
        // A doc-comment continuation (`* @param`), or the `*/` of a comment opened before
        // the hunk started. `*ptr = 1` (no space) stays code.
        const next = i + 1 < end ? text.charCodeAt(i + 1) : 32;
        if (isSpace(next) || next === 47 /* / */) return false;
      }
      const block = blockAt(syntax, text, i);
      if (block >= 0) {
        const [open, close] = syntax.block[block] as readonly [string, string];
        scan.inBlock = close;
        i += open.length;
        continue;
      }
      if (lineCommentAt(syntax, text, i)) return code;
    }
    code = true;
    // Code found; the rest only matters if it opens a block comment that stays open.
    const opener = syntax.block.length === 0 ? -1 : nextOpen(scan, i);
    if (opener < 0 || opener >= end) return true;
    i = skipToComment(scan, i, end);
    if (i < 0) return true;
  }
  return code;
}

/** Added lines of code in `patch` (a GitHub-style diff: hunks only, no file headers). */
export function countAddedCodeLines(filename: string, patch: string): number {
  const syntax = syntaxFor(filename);
  const scan: Scan = {
    text: patch,
    syntax,
    inBlock: undefined,
    openFrom: 0,
    openAt: -2,
    closeToken: undefined,
    closeFrom: 0,
    closeAt: -2,
  };
  const { leading } = syntax;
  const blocks = syntax.block.length > 0;
  let count = 0;
  let start = 0;
  const length = patch.length;
  while (start < length) {
    let end = patch.indexOf("\n", start);
    if (end < 0) end = length;
    const first = patch.charCodeAt(start);
    if (first === 43 /* + */) {
      // Inline fast path for most lines: blank, or code that starts with no comment
      // character and opens no block comment. Everything else goes to lineHasCode.
      let i = start + 1;
      if (scan.inBlock === undefined) {
        while (i < end && isSpace(patch.charCodeAt(i))) i++;
        if (i === end) {
          start = end + 1;
          continue;
        }
        const code = patch.charCodeAt(i);
        if (code >= 128 || leading[code] === 0) {
          const opener = blocks ? nextOpen(scan, i) : -1;
          if (opener < 0 || opener >= end) {
            count++;
            start = end + 1;
            continue;
          }
        }
      }
      if (lineHasCode(scan, start + 1, end)) count++;
    } else if (first === 32 /* space */) {
      // Context lines are not counted but can open or close a block comment.
      if (syntax.block.length > 0) lineHasCode(scan, start + 1, end);
    } else if (first === 64 /* @ */) {
      // A new hunk may start anywhere; what came before it is unknown.
      scan.inBlock = undefined;
    }
    start = end + 1;
  }
  return count;
}
