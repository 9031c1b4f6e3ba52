/**
 * GitHub's CODEOWNERS format: each line is a gitignore-style pattern followed by owners
 * (`@user`, `@org/team` or an email). Comments start with an unescaped `#`; `\#` is a
 * literal `#` inside a pattern. GitHub skips a line it cannot read, and documents three
 * gitignore features as not working here (a leading `\#`, `!` negation, `[ ]` ranges): those
 * lines are skipped too, each with a note, so the owners resolved are the ones GitHub uses.
 */

export interface CodeownersRule {
  /** 1-based line in the file. */
  line: number;
  /** The pattern as written. */
  pattern: string;
  /** `@user` and `@org/team` owners, as written; empty when the line un-owns its files. */
  owners: string[];
  /** Owners given as email addresses: GitHub maps them to accounts, the app cannot. */
  emails: string[];
  /** Matches a repository-relative path (no leading slash). */
  test: (path: string) => boolean;
}

export interface ParsedCodeowners {
  rules: CodeownersRule[];
  /** Lines that were skipped, and why. */
  notes: string[];
}

/** Bounds that keep a huge or hostile file from costing much (the file is also size-bounded). */
export const CODEOWNERS_LIMITS = { rules: 5000, patternLength: 1024, wildcards: 16, notes: 10 } as const;

const USER = /^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const TEAM = /^@[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9_.-]{1,100}$/;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** Split a line into tokens at unescaped whitespace, stopping at an unescaped `#`. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && i + 1 < line.length) {
      // Keep the escape: the pattern compiler needs to know the next character is literal.
      current += ch + line[++i]!;
    } else if (ch === "#") {
      break;
    } else if (ch === " " || ch === "\t") {
      if (current) tokens.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}

/** Split a pattern at unescaped `/`. */
function segmentsOf(pattern: string): string[] {
  const segments: string[] = [];
  let current = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\" && i + 1 < pattern.length) current += ch + pattern[++i]!;
    else if (ch === "/") {
      segments.push(current);
      current = "";
    } else current += ch;
  }
  segments.push(current);
  return segments;
}

function segmentRegex(segment: string): string {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === "\\" && i + 1 < segment.length) out += escapeRegex(segment[++i]!);
    else if (ch === "*") {
      // `**` inside a segment (`a**b`) means what `*` means; runs collapse, so they cannot multiply backtracking.
      while (segment[i + 1] === "*") i++;
      out += "[^/]*";
    } else if (ch === "?") out += "[^/]";
    else out += escapeRegex(ch);
  }
  return out;
}

/**
 * A pattern as a test on paths, with gitignore's rules as GitHub applies them: a pattern
 * matches a file or any directory above it; a leading `/`, or a `/` inside, anchors it at the
 * root, otherwise it matches at any depth; a trailing `/` matches directories only; `*` stays
 * within one segment and `**` spans any; `docs/*` owns the files directly in `docs`, not deeper.
 */
export function compileCodeownersPattern(pattern: string): (path: string) => boolean {
  let body = pattern;
  let anchored = false;
  if (body.startsWith("/")) {
    anchored = true;
    body = body.slice(1);
  }
  let directoryOnly = false;
  if (body.endsWith("/") && !body.endsWith("\\/")) {
    directoryOnly = true;
    body = body.slice(0, -1);
  }
  const segments = segmentsOf(body).filter((s, i, all) => !(s === "**" && all[i - 1] === "**"));
  const explicitAnchor = anchored;
  if (segments.length > 1) anchored = true;
  const last = segments[segments.length - 1]!;
  if (last === "**") directoryOnly = false;

  let re = anchored ? "^" : "^(?:.*/)?";
  let separate = false;
  segments.forEach((segment, i) => {
    const isLast = i === segments.length - 1;
    if (segment === "**") {
      if (i === 0) re += isLast ? ".*" : "(?:.*/)?";
      else re += isLast ? "/.*" : "(?:/.*)?/";
      separate = false;
      return;
    }
    re += (separate ? "/" : "") + segmentRegex(segment);
    separate = true;
  });
  if (directoryOnly) re += "/.*";
  else if (last !== "**" && !(last === "*" && (segments.length > 1 || explicitAnchor))) re += "(?:/.*)?";
  const regex = new RegExp(`${re}$`);
  return (path) => regex.test(path);
}

/** Why GitHub would not use this line's pattern, or undefined when it would. */
function unsupported(pattern: string): string | undefined {
  if (pattern.startsWith("\\#")) return "a pattern starting with an escaped # does not work in CODEOWNERS";
  if (pattern.startsWith("!")) return "negation (!) does not work in CODEOWNERS";
  if (/(^|[^\\])[[\]]/.test(pattern)) return "character ranges ([ ]) do not work in CODEOWNERS";
  if (pattern.length > CODEOWNERS_LIMITS.patternLength) return `the pattern is longer than ${CODEOWNERS_LIMITS.patternLength} characters`;
  if ((pattern.match(/\*+|\?/g) ?? []).length > CODEOWNERS_LIMITS.wildcards) return `the pattern has more than ${CODEOWNERS_LIMITS.wildcards} wildcards`;
  if (pattern === "/") return "a pattern of / alone names no files";
  return undefined;
}

export function parseCodeowners(text: string): ParsedCodeowners {
  const rules: CodeownersRule[] = [];
  const skipped: string[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const tokens = tokenize(lines[index]!.replace(/\r$/, ""));
    if (tokens.length === 0) continue;
    const line = index + 1;
    if (rules.length >= CODEOWNERS_LIMITS.rules) {
      skipped.push(`CODEOWNERS has more than ${CODEOWNERS_LIMITS.rules} rules; lines from ${line} on were not read.`);
      break;
    }
    const [pattern, ...ownerTokens] = tokens as [string, ...string[]];
    const why = unsupported(pattern);
    if (why) {
      skipped.push(`CODEOWNERS line ${line} skipped: ${why} (GitHub skips it too).`);
      continue;
    }
    const owners: string[] = [];
    const emails: string[] = [];
    const invalid = ownerTokens.find((t) => !USER.test(t) && !TEAM.test(t) && !EMAIL.test(t));
    if (invalid !== undefined) {
      skipped.push(`CODEOWNERS line ${line} skipped: ${JSON.stringify(invalid.slice(0, 60))} is not an owner (@user, @org/team or an email; GitHub skips the line too).`);
      continue;
    }
    for (const token of ownerTokens) (EMAIL.test(token) ? emails : owners).push(token);
    rules.push({ line, pattern, owners, emails, test: compileCodeownersPattern(pattern) });
  }
  const notes = skipped.slice(0, CODEOWNERS_LIMITS.notes);
  if (skipped.length > CODEOWNERS_LIMITS.notes) notes.push(`CODEOWNERS: ${skipped.length - CODEOWNERS_LIMITS.notes} more lines skipped.`);
  return { rules, notes };
}
