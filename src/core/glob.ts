import { Minimatch, braceExpand, type MinimatchOptions } from "minimatch";

/**
 * Compiled glob lists with minimatch semantics and a prefilter fast enough to match a
 * 3000-file pull request against hundreds of patterns in a few milliseconds.
 *
 * minimatch 11 has no `makeRe` and its `match` costs ~200 ns per call, so testing every
 * path against every pattern (3000 × 200) would take a tenth of a second. Instead each
 * pattern is brace-expanded into rows, and each row whose shape is simple (`src/x/**`,
 * `**∕*.sql`, `**∕package.json`, `**∕migrations/**`, `docs/*.md`, `*.test.*`, a plain
 * path) is matched by string comparison, found through a trie of its literal leading
 * directories and maps keyed by file name, extension and directory name. What depends on
 * the directory alone is worked out once per directory (a big PR has many files per
 * directory), leaving a map lookup or two per file. Rows of any other shape fall back to
 * minimatch itself behind cheap necessary conditions, so results are always minimatch's
 * (a property test checks this against minimatch on random patterns and paths).
 */

/** A pattern expanding to more alternatives than this is rejected (hostile or mistaken). */
export const MAX_ALTERNATIVES = 256;

/** Patterns are matched against repository-relative paths with `/` separators. */
const BASE_OPTIONS: MinimatchOptions = {
  dot: true,
  // `#` and `!` have no special meaning in a YAML list of paths: a user writing
  // `#hash/**` or `!foo` means those characters (a negated pattern in a list is
  // ambiguous; users who want "everything but" should list what they want).
  nocomment: true,
  nonegate: true,
  platform: "linux",
  // A 256-character pattern like `{a,b}{a,b}…` expands to 2^40 strings; bound it.
  // One more than the limit, so that "too many" is detectable.
  braceExpandMax: MAX_ALTERNATIVES + 1,
};

export interface GlobOptions {
  /** Match case-insensitively (for built-in file kinds such as `dockerfile`). */
  nocase?: boolean;
  /**
   * Split the list into groups starting at these pattern indexes, to learn the first match
   * in each group from one walk (`firstMatchByGroup`): e.g. ignore, tests and impact
   * patterns in one set instead of three.
   */
  groups?: readonly number[];
}

/**
 * A directory of a changed path, shared by every file in it. What a glob set can decide
 * from the directory alone (the trie walk, `src/**`, `**∕migrations/**`) is worked out once
 * per directory and set, not once per file: a large PR has ~15 files per directory.
 */
export interface PreparedDir {
  /** The directory, "" for the repository root. */
  path: string;
  segments: string[];
  lowerSegments: string[];
  /** Per glob set, the result of walking this directory (filled on first use). */
  walks: Map<object, DirWalk>;
}

/** A path prepared once and tested against several glob sets. */
export interface PreparedPath {
  path: string;
  dir: PreparedDir;
  name: string;
  lowerName: string;
  /** From the last `.` of the file name (`.ts`), or undefined. */
  extension: string | undefined;
  lowerExtension: string | undefined;
}

/** Directories already prepared, for one batch of paths (e.g. one pull request). */
export interface DirCache {
  dirs: Map<string, PreparedDir>;
  /** The directory of the previous path: GitHub and git list a directory's files together. */
  last: PreparedDir | undefined;
}

export function newDirCache(): DirCache {
  return { dirs: new Map(), last: undefined };
}

/** Whether `path` (last `/` at `slash`) is a file directly in `dir`, checked without copying. */
function isDirectlyIn(path: string, slash: number, dir: PreparedDir): boolean {
  return slash === dir.path.length && path.startsWith(dir.path);
}

export function preparePath(path: string, cache?: DirCache): PreparedPath {
  const slash = path.lastIndexOf("/");
  let dir = cache?.last !== undefined && isDirectlyIn(path, slash, cache.last) ? cache.last : undefined;
  if (!dir) {
    const dirPath = slash < 0 ? "" : path.slice(0, slash);
    dir = cache?.dirs.get(dirPath);
    if (!dir) {
      const segments = dirPath === "" ? [] : dirPath.split("/");
      const lower = dirPath.toLowerCase();
      dir = { path: dirPath, segments, lowerSegments: lower === dirPath ? segments : lower.split("/"), walks: new Map() };
      cache?.dirs.set(dirPath, dir);
    }
    if (cache) cache.last = dir;
  }
  const name = slash < 0 ? path : path.slice(slash + 1);
  const lowerName = name.toLowerCase();
  const dot = name.lastIndexOf(".");
  const extension = dot < 0 ? undefined : name.slice(dot);
  return { path, dir, name, lowerName, extension, lowerExtension: extension?.toLowerCase() };
}

/** What a directory alone tells one glob set. */
interface DirWalk {
  /** Per group, the lowest index among rows the directory alone decides (`prefix/**`, `**∕L/**`). */
  best: Int32Array;
  /** Rows that need the file name, beating `best` and possible at this depth. */
  rows: Row[];
  /** Name, extension and first-character maps of the trie nodes along the way that have any. */
  byName: Map<string, Row[]>[];
  byExt: Map<string, Row[]>[];
  byFirst: Map<number, Row[]>[];
}

/** How one brace-free row of a pattern is matched. */
type RowKind =
  | "under" // prefix/**            : anything strictly below the prefix
  | "child" // prefix/S             : exactly one segment below, matching S
  | "deep" // prefix/**/S           : any depth below, last segment matching S
  | "within" // prefix/**/L/**      : some directory below the prefix named L
  | "generic"; // anything else     : minimatch decides

/**
 * A single path segment pattern made of literal pieces joined by `*`: literal when there
 * is one piece (`star` false), else `pre*…*suf` (`*.ts`, `Dockerfile*`, `*.test.*`).
 */
interface SegmentPattern {
  star: boolean;
  pre: string;
  /** Pieces between the first and the last `*`, matched leftmost in order. */
  middle: string[];
  suf: string;
}

interface Row {
  /** Index of the pattern in the list; the lowest matching index wins. */
  index: number;
  /** The group the pattern belongs to (see GlobOptions.groups). */
  group: number;
  kind: RowKind;
  depth: number;
  segment: SegmentPattern | undefined;
  dirName: string | undefined;
  /** Generic rows: literal directory names every match has, checked before minimatch runs. */
  requiredDirs: string[] | undefined;
  /** Generic rows without `**`: the number of path segments every match has. */
  segmentCount: number | undefined;
  matcher: Minimatch | undefined;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  under: Row[];
  byName: Map<string, Row[]>;
  byExt: Map<string, Row[]>;
  byDir: Map<string, Row[]>;
  /** `pre*…` rows, by the first character code of `pre`. */
  byFirst: Map<number, Row[]>;
  other: Row[];
}

export interface GlobProblem {
  index: number;
  message: string;
}

export interface GlobSet {
  readonly patterns: readonly string[];
  /** Patterns that can never match, by index, with why (e.g. too many brace alternatives). */
  readonly problems: readonly GlobProblem[];
  readonly groupCount: number;
  /** Index (in list order) of the first pattern matching the path, or -1. */
  firstMatch(path: string | PreparedPath): number;
  /** For each group, the index of its first pattern matching the path, or -1, into `out`. */
  firstMatchByGroup(path: string | PreparedPath, out: Int32Array): void;
  matches(path: string | PreparedPath): boolean;
}

const MAGIC = /[*?[\]{}()!+@\\]/;
/** Only literal characters and `*`: the shapes matched without minimatch. */
const STAR_ONLY = /^[^?[\]{}()!+@\\]*$/;

function newNode(): TrieNode {
  return { children: new Map(), under: [], byName: new Map(), byExt: new Map(), byDir: new Map(), byFirst: new Map(), other: [] };
}

function push<K>(map: Map<K, Row[]>, key: K, row: Row): void {
  const list = map.get(key);
  if (list) list.push(row);
  else map.set(key, [row]);
}

function parseSegment(source: string, nocase: boolean): SegmentPattern | undefined {
  const text = nocase ? source.toLowerCase() : source;
  if (!MAGIC.test(text)) return { star: false, pre: text, middle: [], suf: "" };
  if (!STAR_ONLY.test(text) || text.includes("**")) return undefined;
  const pieces = text.split("*");
  return { star: true, pre: pieces[0] ?? "", middle: pieces.slice(1, -1).filter((p) => p !== ""), suf: pieces[pieces.length - 1] ?? "" };
}

function segmentMatches(pattern: SegmentPattern, name: string): boolean {
  if (!pattern.star) return name === pattern.pre;
  // `*` matches the empty string too (minimatch: `*.sql` matches `.sql`), but a
  // path segment itself is never empty.
  const end = name.length - pattern.suf.length;
  if (name.length === 0 || end < pattern.pre.length || !name.startsWith(pattern.pre) || !name.endsWith(pattern.suf)) {
    return false;
  }
  // With only `*` between pieces, taking each piece at its leftmost place is optimal.
  let at = pattern.pre.length;
  for (const piece of pattern.middle) {
    const found = name.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** The key a `pre*suf` segment is filed under: the suffix from its last dot, e.g. `.sql`. */
function extensionKey(suffix: string): string | undefined {
  const dot = suffix.lastIndexOf(".");
  return dot < 0 ? undefined : suffix.slice(dot);
}

/** Leading `./` and `/` mean "from the repository root", which every pattern already is. */
function normalisePattern(pattern: string): string {
  let out = pattern;
  while (out.startsWith("./")) out = out.slice(2);
  while (out.startsWith("/")) out = out.slice(1);
  return out;
}

/**
 * The parts of a brace-free pattern, read the way minimatch reads them (repeated slashes
 * collapsed, adjacent `**` merged), or undefined when it has anything subtler (`.`, `..`,
 * a leading or trailing slash) and minimatch should do the reading. Building a Minimatch
 * costs ~80 µs, so the common shapes never build one.
 */
function plainParts(expanded: string): string[] | undefined {
  const raw = expanded.split("/");
  const parts: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const part = raw[i] ?? "";
    if (part === "") {
      if (i === 0 || i === raw.length - 1) return undefined;
      continue;
    }
    if (part === "." || part === "..") return undefined;
    if (part === "**" && parts[parts.length - 1] === "**") continue;
    parts.push(part);
  }
  return parts.length > 0 ? parts : undefined;
}

/** Walk (creating) the trie along the literal leading directories; the last part always stays. */
function walkPrefix(root: TrieNode, parts: string[], nocase: boolean): { node: TrieNode; depth: number } {
  let node = root;
  let depth = 0;
  while (depth < parts.length - 1) {
    const part = parts[depth] ?? "";
    if (part === "" || part === "**" || part === "." || part === ".." || MAGIC.test(part)) break;
    const key = nocase ? part.toLowerCase() : part;
    let next = node.children.get(key);
    if (!next) {
      next = newNode();
      node.children.set(key, next);
    }
    node = next;
    depth++;
  }
  return { node, depth };
}

/** Place one brace-free pattern's rows in the trie. */
function addRows(root: TrieNode, index: number, group: number, expanded: string, options: MinimatchOptions, nocase: boolean): void {
  const plain = plainParts(expanded);
  if (plain) {
    const { node, depth } = walkPrefix(root, plain, nocase);
    const row = classifyRest(index, group, depth, plain.slice(depth), nocase);
    if (row) {
      fileRow(node, row);
      return;
    }
  }
  const matcher = new Minimatch(expanded, { ...options, nobrace: true });
  for (const parts of matcher.globParts) {
    const { node, depth } = walkPrefix(root, parts, nocase);
    fileRow(node, genericRow(index, group, depth, parts.slice(depth), matcher, nocase));
  }
}

/**
 * Every row gets every field, in one order: rows are read in the hottest loop, and objects
 * of one shape keep V8's property accesses monomorphic.
 */
function makeRow(index: number, group: number, kind: RowKind, depth: number, extra: Partial<Row>): Row {
  return {
    index,
    group,
    kind,
    depth,
    segment: extra.segment,
    dirName: extra.dirName,
    requiredDirs: extra.requiredDirs,
    segmentCount: extra.segmentCount,
    matcher: extra.matcher,
  };
}

function classifyRest(index: number, group: number, depth: number, rest: string[], nocase: boolean): Row | undefined {
  const [first, second, third] = rest;
  if (rest.length === 1 && first === "**") return makeRow(index, group, "under", depth, {});
  if (rest.length === 1 && first !== undefined && first !== "" && first !== "." && first !== "..") {
    const segment = parseSegment(first, nocase);
    return segment && makeRow(index, group, "child", depth, { segment });
  }
  if (rest.length === 2 && first === "**" && second !== undefined && second !== "" && second !== "**") {
    const segment = parseSegment(second, nocase);
    return segment && makeRow(index, group, "deep", depth, { segment });
  }
  if (rest.length === 3 && first === "**" && third === "**" && second !== undefined && second !== "") {
    const segment = parseSegment(second, nocase);
    if (segment && !segment.star && segment.pre !== "." && segment.pre !== "..") {
      return makeRow(index, group, "within", depth, { dirName: segment.pre });
    }
  }
  return undefined;
}

/**
 * A row minimatch must decide, still filed under a key every match must have, so it is only
 * tried on plausible paths: a last part like `*.yaml` or `values.yml` must match the file
 * name, and a literal part before the end (`**∕k8s/**∕x`) must be some directory's name.
 */
function genericRow(index: number, group: number, depth: number, rest: string[], matcher: Minimatch, nocase: boolean): Row {
  // Every literal part before the last must equal a directory of the path below the prefix.
  const requiredDirs: string[] = [];
  for (const part of rest.slice(0, -1)) {
    const segment = part === "**" ? undefined : parseSegment(part, nocase);
    if (segment && !segment.star && segment.pre !== "" && segment.pre !== "." && segment.pre !== "..") {
      requiredDirs.push(segment.pre);
    }
  }
  // No part of a pattern matches across a `/` except `**`.
  const segmentCount = rest.includes("**") ? undefined : depth + rest.length;
  const row = makeRow(index, group, "generic", depth, { matcher, requiredDirs, segmentCount });
  const last = rest[rest.length - 1];
  if (last !== undefined && last !== "" && last !== "**" && last !== "." && last !== "..") {
    const segment = parseSegment(last, nocase);
    if (segment && (!segment.star || extensionKey(segment.suf) !== undefined)) {
      row.segment = segment;
      return row;
    }
  }
  const [dirName] = requiredDirs;
  row.dirName = dirName;
  return row;
}

function fileRow(node: TrieNode, row: Row): void {
  if (row.kind === "under") node.under.push(row);
  else if (row.dirName !== undefined) push(node.byDir, row.dirName, row);
  else if (row.segment && !row.segment.star) push(node.byName, row.segment.pre, row);
  else if (row.segment && extensionKey(row.segment.suf) !== undefined) {
    push(node.byExt, extensionKey(row.segment.suf) as string, row);
  } else if (row.segment && row.segment.pre.length > 0) push(node.byFirst, row.segment.pre.charCodeAt(0), row);
  else node.other.push(row);
}

/**
 * A 1024-slot filter over file names, from length and first and last characters: most
 * names in a PR appear in no pattern, and this check is far cheaper than a map lookup.
 */
const NAME_FILTER_SIZE = 1024;

function nameSlot(name: string): number {
  return (name.length * 131 + name.charCodeAt(0) * 31 + name.charCodeAt(name.length - 1)) & (NAME_FILTER_SIZE - 1);
}

function fillNameFilter(node: TrieNode, filter: Uint8Array): void {
  for (const name of node.byName.keys()) filter[nameSlot(name)] = 1;
  for (const child of node.children.values()) fillNameFilter(child, filter);
}

function hasDirs(names: string[], dirSegments: string[], from: number): boolean {
  for (const name of names) if (dirSegments.indexOf(name, from) < 0) return false;
  return true;
}

/** Whether a row found at trie depth `row.depth` matches a file `name` in `dirSegments`. */
function rowMatches(row: Row, path: string, dirSegments: string[], name: string): boolean {
  switch (row.kind) {
    case "under":
    case "within":
      // Decided by the directory walk; never filed where a file check reaches them.
      return true;
    case "child":
      return dirSegments.length === row.depth && row.segment !== undefined && segmentMatches(row.segment, name);
    case "deep":
      return row.segment !== undefined && segmentMatches(row.segment, name);
    case "generic":
      // Cheap necessary conditions first; minimatch costs ~0.2–1 µs a call.
      if (row.segmentCount !== undefined && row.segmentCount !== dirSegments.length + 1) return false;
      if (row.segment !== undefined && !segmentMatches(row.segment, name)) return false;
      if (row.requiredDirs !== undefined && !hasDirs(row.requiredDirs, dirSegments, row.depth)) return false;
      return row.matcher?.match(path) ?? false;
  }
}

export function compileGlobs(patterns: readonly string[], globOptions: GlobOptions = {}): GlobSet {
  const nocase = globOptions.nocase ?? false;
  const options: MinimatchOptions = { ...BASE_OPTIONS, nocase };
  const starts = [...(globOptions.groups ?? [])].sort((a, b) => a - b);
  const root = newNode();
  const problems: GlobProblem[] = [];
  let group = 0;
  patterns.forEach((pattern, index) => {
    while (group < starts.length && index >= (starts[group] as number)) group++;
    const normalised = normalisePattern(pattern);
    // braceExpand costs ~80 µs even for a pattern without braces.
    const alternatives = normalised.includes("{") ? braceExpand(normalised, options) : [normalised];
    if (alternatives.length > MAX_ALTERNATIVES) {
      problems.push({ index, message: `pattern "${pattern}" expands to more than ${MAX_ALTERNATIVES} alternatives and is ignored` });
      return;
    }
    for (const expanded of new Set(alternatives)) addRows(root, index, group, expanded, options, nocase);
  });
  const nameFilter = new Uint8Array(NAME_FILTER_SIZE);
  fillNameFilter(root, nameFilter);
  return new CompiledGlobSet([...patterns], problems, root, nameFilter, nocase, starts.length + 1);
}

/** Lower `best[g]` for each row of `rows` that matches; hot, so a plain loop, no closures. */
function improve(rows: Row[] | undefined, best: Int32Array, path: string, dirSegments: string[], name: string): void {
  if (rows === undefined) return;
  for (const row of rows) {
    if (row.index < (best[row.group] as number) && rowMatches(row, path, dirSegments, name)) best[row.group] = row.index;
  }
}

const NONE = 0x7fffffff;

class CompiledGlobSet implements GlobSet {
  /** Reused by firstMatch: JavaScript runs one call at a time. */
  private readonly scratch: Int32Array;

  constructor(
    readonly patterns: readonly string[],
    readonly problems: readonly GlobProblem[],
    private readonly root: TrieNode,
    private readonly nameFilter: Uint8Array,
    private readonly nocase: boolean,
    readonly groupCount: number,
  ) {
    this.scratch = new Int32Array(groupCount);
  }

  firstMatch(input: string | PreparedPath): number {
    this.firstMatchByGroup(input, this.scratch);
    let best = -1;
    for (const index of this.scratch) if (index >= 0 && (best < 0 || index < best)) best = index;
    return best;
  }

  matches(input: string | PreparedPath): boolean {
    return this.firstMatch(input) >= 0;
  }

  firstMatchByGroup(input: string | PreparedPath, out: Int32Array): void {
    const prepared = typeof input === "string" ? preparePath(input) : input;
    const { dir } = prepared;
    let walk = dir.walks.get(this);
    if (!walk) {
      walk = this.walk(dir);
      dir.walks.set(this, walk);
    }
    out.set(walk.best);
    const dirSegments = this.nocase ? dir.lowerSegments : dir.segments;
    const name = this.nocase ? prepared.lowerName : prepared.name;
    if (walk.rows.length > 0) improve(walk.rows, out, prepared.path, dirSegments, name);
    if (walk.byName.length > 0 && this.nameFilter[nameSlot(name)] === 1) {
      for (const byName of walk.byName) improve(byName.get(name), out, prepared.path, dirSegments, name);
    }
    if (walk.byFirst.length > 0) {
      const first = name.charCodeAt(0);
      for (const byFirst of walk.byFirst) improve(byFirst.get(first), out, prepared.path, dirSegments, name);
    }
    const extension = this.nocase ? prepared.lowerExtension : prepared.extension;
    if (extension !== undefined) {
      for (const byExt of walk.byExt) improve(byExt.get(extension), out, prepared.path, dirSegments, name);
    }
    for (let g = 0; g < this.groupCount; g++) if (out[g] === NONE) out[g] = -1;
  }

  /**
   * Follow the directory down the trie once, settling every row that needs only the
   * directory and keeping what each of its files must still check.
   */
  private walk(dir: PreparedDir): DirWalk {
    const segments = this.nocase ? dir.lowerSegments : dir.segments;
    const best = new Int32Array(this.groupCount).fill(NONE);
    const result: DirWalk = { best, rows: [], byName: [], byExt: [], byFirst: [] };
    const pending: Row[] = [];
    const settle = (row: Row): void => {
      if (row.index < (best[row.group] as number)) best[row.group] = row.index;
    };
    let node: TrieNode | undefined = this.root;
    for (let depth = 0; node !== undefined; depth++) {
      // `prefix/**` needs one more segment below the prefix: the file name is one.
      for (const row of node.under) settle(row);
      if (node.byDir.size > 0) {
        for (let i = depth; i < segments.length; i++) {
          for (const row of node.byDir.get(segments[i] ?? "") ?? []) {
            if (row.kind === "within") settle(row);
            else pending.push(row);
          }
        }
      }
      // `prefix/S` rows only ever match files directly in the prefix.
      for (const row of node.other) if (row.kind !== "child" || row.depth === segments.length) pending.push(row);
      if (node.byName.size > 0) result.byName.push(node.byName);
      if (node.byExt.size > 0) result.byExt.push(node.byExt);
      if (node.byFirst.size > 0) result.byFirst.push(node.byFirst);
      node = depth < segments.length ? node.children.get(segments[depth] ?? "") : undefined;
    }
    result.rows = pending.filter((row) => row.index < (best[row.group] as number));
    return result;
  }
}
