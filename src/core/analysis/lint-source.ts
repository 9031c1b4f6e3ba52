import { createRequire } from "node:module";
import type { Linter } from "eslint";
import { flavourOf, LINTABLE_EXTENSIONS, type Flavour } from "./flavour-of.js";
import { RULE_IDS, RULE_SET, type RuleId, type RuleSeverity } from "./rule-set.js";

// ESLint (~20 MB resident) and the TypeScript parser (~60 MB, it loads all of `typescript`)
// are loaded on first use, not when this module is imported: only the lint workers
// (src/workers) call lintSource, and the main process, which imports this module's types and
// the modules around it, must never hold them. Both packages are CommonJS, so a synchronous
// require keeps lintSource synchronous.
const require = createRequire(import.meta.url);
let linterInstance: Linter | undefined;
let typescriptParser: Linter.Parser | undefined;

function getLinter(): Linter {
  // One Linter for the process: between verify() calls it keeps only the last file's AST.
  linterInstance ??= new (require("eslint") as typeof import("eslint")).Linter({ configType: "flat" });
  return linterInstance;
}

function getTypeScriptParser(): Linter.Parser {
  typescriptParser ??= require("@typescript-eslint/parser") as Linter.Parser;
  return typescriptParser;
}

/** A severity override from `analysis.rules`. */
export type RuleSetting = "off" | "warn" | "error";
export type RuleOverrides = Readonly<Partial<Record<RuleId, RuleSetting>>>;

/**
 * One problem in one file. `parse-error` means the file could not be parsed (nothing else was
 * checked); `internal-error` means ESLint itself failed on the file; `not-analysed` means the
 * file used up its time or memory budget, so nothing in it was checked.
 */
export interface LintFinding {
  ruleId: RuleId | "parse-error" | "internal-error" | "not-analysed";
  severity: RuleSeverity;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  endLine?: number;
  endColumn?: number;
  message: string;
}

export interface LintSourceInput {
  filename: string;
  source: string;
  rules?: RuleOverrides;
}

interface BuiltConfig {
  config: Linter.Config[];
  /** The severity the app decided for each enabled rule. */
  enabled: ReadonlyMap<string, RuleSeverity>;
}

// Configs are cached per (flavour, overrides); the bound keeps memory flat when many
// repositories each override a few rules differently.
const CONFIG_CACHE_LIMIT = 64;
const configCache = new Map<string, BuiltConfig>();

function overridesKey(rules: RuleOverrides | undefined): string {
  if (!rules) return "";
  return RULE_IDS.filter((id) => rules[id] !== undefined)
    .map((id) => `${id}=${rules[id]}`)
    .join(",");
}

function buildConfig(flavour: Flavour, sourceType: "module" | "commonjs", rules: RuleOverrides | undefined): BuiltConfig {
  const typescript = flavour === "ts" || flavour === "tsx";
  const ruleConfig: Linter.RulesRecord = {};
  const enabled = new Map<string, RuleSeverity>();
  for (const id of RULE_IDS) {
    const spec = RULE_SET[id];
    if (typescript && spec.offInTypeScript) continue;
    const setting = rules?.[id] ?? spec.severity;
    if (setting === "off") continue;
    ruleConfig[id] = [setting, ...(spec.options ?? [])];
    enabled.set(id, setting);
  }
  const languageOptions: Linter.LanguageOptions = typescript
    ? {
        ecmaVersion: "latest",
        // TypeScript files are modules in practice (even .cts files are written with import/export).
        sourceType: "module",
        parser: getTypeScriptParser(),
        parserOptions: {
          ecmaFeatures: { jsx: flavour === "tsx" },
          // No `project`: type information would mean reading the repository's tsconfig and
          // dependencies. JSDoc is not needed by any rule, so skip parsing it.
          jsDocParsingMode: "none",
          warnOnUnsupportedTypeScriptVersion: false,
        },
      }
    : {
        ecmaVersion: "latest",
        sourceType,
        // React code commonly puts JSX in .js files, and JSX syntax is a superset of JS there.
        parserOptions: { ecmaFeatures: { jsx: flavour === "js" } },
      };
  return {
    config: [
      {
        // verify() is given a neutral name with the file's extension (see lintSource), and flat
        // config ignores files no non-universal pattern matches, hence the explicit list.
        files: LINTABLE_EXTENSIONS.map((ext) => `**/*${ext}`),
        languageOptions,
        linterOptions: {
          // Findings count only on the lines a PR changed, so a directive comment could only ever
          // hide the author's own findings: one the author adds (`/* eslint-disable */`), or the
          // repository's, stretched over new code (lines added under it, its `eslint-enable`
          // deleted). None is honoured; `analysis.rules` in the config is the way to switch a rule off.
          noInlineConfig: true,
          reportUnusedDisableDirectives: "off",
        },
        rules: ruleConfig,
      },
    ],
    enabled,
  };
}

function configFor(flavour: Flavour, sourceType: "module" | "commonjs", rules: RuleOverrides | undefined): BuiltConfig {
  const key = `${flavour}|${sourceType}|${overridesKey(rules)}`;
  let built = configCache.get(key);
  if (built) return built;
  built = buildConfig(flavour, sourceType, rules);
  if (configCache.size >= CONFIG_CACHE_LIMIT) {
    const oldest = configCache.keys().next().value;
    if (oldest !== undefined) configCache.delete(oldest);
  }
  configCache.set(key, built);
  return built;
}

/**
 * ESLint's line numbers turned into git's. Git, and so GitHub's patch and its annotations, breaks
 * lines at `\n` only; ESLint also at a lone `\r`, U+2028 and U+2029. Left alone, a few of those in
 * an added comment would push every later finding off the lines the PR changed.
 */
type ToGitLines = (line: number, column: number) => { line: number; column: number };

const SAME_LINES: ToGitLines = (line, column) => ({ line, column });

function gitLinesOf(source: string): ToGitLines {
  if (!/\r(?!\n)|[\u2028\u2029]/u.test(source)) return SAME_LINES;
  // ESLint's positions are in the text without a byte order mark.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const eslintStarts = [0];
  for (const m of text.matchAll(/\r\n|[\r\n\u2028\u2029]/gu)) eslintStarts.push(m.index + m[0].length);
  const gitStarts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) gitStarts.push(i + 1);
  return (line, column) => {
    const offset = (eslintStarts[Math.min(line, eslintStarts.length) - 1] ?? 0) + column - 1;
    // The last git line starting at or before the offset.
    let lo = 0;
    let hi = gitStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((gitStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (gitStarts[lo] ?? 0) + 1 };
  };
}

function toFindings(messages: Linter.LintMessage[], enabled: ReadonlyMap<string, RuleSeverity>, toGit: ToGitLines): LintFinding[] {
  // A file no config matched is linted with nothing at all; never let that pass as "clean".
  const unmatched = messages.find((m) => m.ruleId === null && !m.fatal && m.message.startsWith("No matching configuration"));
  if (unmatched) throw new Error(unmatched.message);
  const fatal = messages.find((m) => m.fatal);
  if (fatal) {
    return [{ ruleId: "parse-error", severity: "error", ...toGit(Math.max(1, fatal.line || 1), Math.max(1, fatal.column || 1)), message: fatal.message }];
  }
  const findings: LintFinding[] = [];
  for (const m of messages) {
    // Only our rules count (ESLint's own notes, such as a directive left unused, are not findings).
    const severity = m.ruleId === null ? undefined : enabled.get(m.ruleId);
    if (severity === undefined) continue;
    const finding: LintFinding = { ruleId: m.ruleId as RuleId, severity, ...toGit(m.line, m.column), message: m.message };
    if (m.endLine !== undefined) {
      const end = toGit(m.endLine, m.endColumn ?? 1);
      finding.endLine = end.line;
      if (m.endColumn !== undefined) finding.endColumn = end.column;
    } else if (m.endColumn !== undefined) finding.endColumn = m.endColumn;
    findings.push(finding);
  }
  return findings;
}

function verify(source: string, virtualName: string, built: BuiltConfig): LintFinding[] {
  return toFindings(getLinter().verify(source, built.config, { filename: virtualName }), built.enabled, gitLinesOf(source));
}

/**
 * Lint one file's text with the app's rule set. Pure apart from CPU: no file system, no config
 * lookup, no plugins. Never throws: a parse failure is one `parse-error` finding, an ESLint
 * failure one `internal-error` finding.
 */
export function lintSource({ filename, source, rules }: LintSourceInput): LintFinding[] {
  const flavour = flavourOf(filename);
  if (flavour === null) return [];
  // ESLint picks configs by glob over the name and the TypeScript parser picks .ts/.tsx syntax
  // by extension; none of the rules reads the path. A neutral name with the real (lower-cased)
  // extension keeps odd repository paths (dot directories, upper-case extensions, brackets)
  // from changing which config applies.
  const virtualName = `file${filename.slice(filename.lastIndexOf(".")).toLowerCase()}`;
  try {
    if (flavour !== "js") {
      return verify(source, virtualName, configFor(flavour, flavour === "cjs" ? "commonjs" : "module", rules));
    }
    // A .js file may be an ES module or CommonJS; nothing but its syntax says which. Try module
    // first (the modern default); only code that module parsing rejects (top-level return,
    // `with`, legacy octals) is retried as CommonJS.
    const asModule = verify(source, virtualName, configFor(flavour, "module", rules));
    const moduleError = asModule[0]?.ruleId === "parse-error" ? asModule[0] : undefined;
    if (!moduleError) return asModule;
    const asScript = verify(source, virtualName, configFor(flavour, "commonjs", rules));
    const scriptError = asScript[0]?.ruleId === "parse-error" ? asScript[0] : undefined;
    if (!scriptError) return asScript;
    // Both failed: the mode whose parser got further is more likely the file's real mode.
    const further =
      scriptError.line > moduleError.line || (scriptError.line === moduleError.line && scriptError.column > moduleError.column);
    return further ? asScript : asModule;
  } catch (error) {
    return [
      {
        ruleId: "internal-error",
        severity: "warn",
        line: 1,
        column: 1,
        message: `ESLint failed on this file: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      },
    ];
  }
}
