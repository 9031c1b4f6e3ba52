import type { z } from "zod";

/** One problem in a config file, phrased for the person who has to fix it. */
export interface ConfigProblem {
  /** Dotted path in the file, e.g. `routing.high[0].from`; empty for the whole file. */
  path: string;
  expected: string;
  found: string;
  /** Source line, when the raw text is known. */
  line?: number;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): { present: boolean; value: unknown } {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== "object" || !(key in (current as object))) {
      return { present: false, value: undefined };
    }
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return { present: true, value: current };
}

/** A short, safe rendering of what the user wrote. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The closest known key, when the unknown one looks like a typo of it. */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  return closest(unknown, known, Math.max(2, Math.floor(unknown.length / 3)));
}

/**
 * The closest allowed value or group name. Stricter than keys: values are short words
 * (`huge` is two edits from `high` but not a typo of it), so short ones allow one edit.
 */
export function suggestValue(unknown: string, known: readonly string[]): string | undefined {
  return closest(unknown, known, Math.max(1, Math.floor(unknown.length / 3)));
}

function closest(unknown: string, known: readonly string[], maxDistance: number): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(unknown.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= maxDistance ? best : undefined;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "mapping";
  return typeof value;
}

/**
 * Turn zod issues into one readable problem each: where in the file, what was expected,
 * what was found. Never exposes zod's internal wording such as codes or regex sources.
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  knownKeysAt: (path: ReadonlyArray<PropertyKey>) => readonly string[] = () => [],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const at = valueAt(input, issue.path);
    const found = at.present ? describeValue(at.value) : "nothing (the key is missing)";
    const path = formatPath(issue.path);
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          const suggestion = suggestKey(key, knownKeysAt(issue.path));
          problems.push({
            path: formatPath([...issue.path, key]),
            expected: suggestion
              ? `a known key (did you mean "${suggestion}"?)`
              : `a known key${knownKeysAt(issue.path).length ? ` (${knownKeysAt(issue.path).join(", ")})` : ""}`,
            found: `unknown key "${key}"`,
          });
        }
        break;
      case "invalid_value": {
        const allowed = issue.values.filter((v): v is string => typeof v === "string");
        const suggestion = typeof at.value === "string" ? suggestValue(at.value, allowed) : undefined;
        problems.push({
          path,
          expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
          found,
        });
        break;
      }
      case "invalid_type":
        problems.push({
          path,
          expected: issue.expected === "object" ? "a mapping" : issue.expected === "array" ? "a list" : `a ${issue.expected}`,
          found: at.present ? `${typeName(at.value)} ${describeValue(at.value)}` : found,
        });
        break;
      case "invalid_union": {
        // Report the branch the user evidently meant: the one whose errors are not about
        // the value's type at its root (a mapping written where a text or mapping is allowed).
        const all = issue.errors ?? [];
        const atRoot = (b: readonly z.core.$ZodIssue[]) => b.every((i) => i.path.length === 0);
        // A value of the wrong kind for every branch, where one branch is a fixed word
        // (`reviewers.<group>`: a list, or `codeowners`): name both forms.
        if (all.length && all.every(atRoot) && all.some((b) => b.some((i) => i.code === "invalid_value"))) {
          const forms = all.flatMap((b) =>
            b.map((i) =>
              i.code === "invalid_value"
                ? i.values.map((v) => JSON.stringify(v)).join(" or ")
                : i.code === "invalid_type"
                  ? i.expected === "array" ? "a list" : i.expected === "object" ? "a mapping" : `a ${i.expected}`
                  : i.message,
            ),
          );
          const words = all.flatMap((b) => b.flatMap((i) => (i.code === "invalid_value" ? i.values.filter((v): v is string => typeof v === "string") : [])));
          const suggestion = typeof at.value === "string" ? suggestValue(at.value, words) : undefined;
          problems.push({
            path,
            expected: `${[...new Set(forms)].join(" or ")}${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
            found: at.present ? `${typeName(at.value)} ${describeValue(at.value)}` : found,
          });
          break;
        }
        const branches = all.filter((b) => b.length && !b.every((i) => (i.code === "invalid_type" || i.code === "invalid_value") && i.path.length === 0));
        // Problems inside the value show which form was meant; fewer problems break a tie.
        const best = branches.sort((a, b) => Number(atRoot(a)) - Number(atRoot(b)) || a.length - b.length)[0];
        if (best) {
          const nested = best.map((i) => ({ ...i, path: [...issue.path, ...i.path] })) as z.core.$ZodIssue[];
          problems.push(...formatIssues(nested, input, knownKeysAt));
        } else {
          problems.push({ path, expected: "a text, or a mapping with text, required and by", found });
        }
        break;
      }
      case "too_big":
      case "too_small": {
        const bound = issue.code === "too_big" ? "at most" : "at least";
        const limit = String(issue.code === "too_big" ? issue.maximum : issue.minimum);
        const what =
          issue.origin === "array"
            ? `${limit} ${limit === "1" ? "entry" : "entries"}`
            : issue.origin === "string"
              ? `${limit} characters`
              : issue.origin === "number" || issue.origin === "int"
                ? limit
                : limit;
        problems.push({
          path,
          expected: `${bound} ${what}`,
          found: at.present && Array.isArray(at.value) ? `${at.value.length} ${at.value.length === 1 ? "entry" : "entries"}` : at.present && typeof at.value === "string" ? `${at.value.length} characters` : found,
        });
        break;
      }
      case "custom": {
        const params = (issue.params ?? {}) as { expected?: string; found?: string };
        problems.push({ path, expected: params.expected ?? issue.message, found: params.found ?? found });
        break;
      }
      case "invalid_format":
        problems.push({ path, expected: issue.message, found });
        break;
      default:
        problems.push({ path, expected: issue.message, found });
    }
  }
  return problems;
}

export function problemToLine(problem: ConfigProblem): string {
  const where = problem.path || "(top level)";
  const line = problem.line !== undefined ? ` (line ${problem.line})` : "";
  return `${where}${line}: expected ${problem.expected}; found ${problem.found}`;
}
