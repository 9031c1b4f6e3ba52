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
  /**
   * Whether the lines `start`..`end` (1-based) are the PR's own. Directive comments there
   * (`eslint-disable…`, `/* eslint rule: off *\/`, `/* global … *\/`) are not honoured: an
   * author must not silence the check by adding one. The repository's directives elsewhere are.
   */
  authored?: (start: number, end: number) => boolean;
}

interface BuiltConfig {
  config: Linter.Config[];
  /** The severity the app decided for each enabled rule, to undo inline `/* eslint … *\/` changes. */
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
          // The repository's disable comments name its own plugins' rules; unused ones are not our business.
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

function toFindings(messages: Linter.LintMessage[], enabled: ReadonlyMap<string, RuleSeverity>): LintFinding[] {
  // A file no config matched is linted with nothing at all; never let that pass as "clean".
  const unmatched = messages.find((m) => m.ruleId === null && !m.fatal && m.message.startsWith("No matching configuration"));
  if (unmatched) throw new Error(unmatched.message);
  const fatal = messages.find((m) => m.fatal);
  if (fatal) {
    return [
      {
        ruleId: "parse-error",
        severity: "error",
        line: Math.max(1, fatal.line || 1),
        column: Math.max(1, fatal.column || 1),
        message: fatal.message,
      },
    ];
  }
  const findings: LintFinding[] = [];
  for (const m of messages) {
    // Only our rules count: inline `/* eslint … */` comments in the file can switch on other core
    // rules or name unknown plugin rules, and must not change what the app reports or how badly.
    const severity = m.ruleId === null ? undefined : enabled.get(m.ruleId);
    if (severity === undefined) continue;
    const finding: LintFinding = {
      ruleId: m.ruleId as RuleId,
      severity,
      line: m.line,
      column: m.column,
      message: m.message,
    };
    if (m.endLine !== undefined) finding.endLine = m.endLine;
    if (m.endColumn !== undefined) finding.endColumn = m.endColumn;
    findings.push(finding);
  }
  return findings;
}

/** What lintSource reads of ESLint's parsed file (`getInlineConfigNodes` is not in its types). */
interface ParsedSource {
  text: string;
  getInlineConfigNodes(): { type: string; range: [number, number]; loc: { start: { line: number }; end: { line: number } } }[];
}

function verify(source: string, virtualName: string, built: BuiltConfig, authored: LintSourceInput["authored"]): LintFinding[] {
  const linter = getLinter();
  const messages = linter.verify(source, built.config, { filename: virtualName });
  if (!authored || messages.some((m) => m.fatal)) return toFindings(messages, built.enabled);
  // ESLint's own list of the comments it took as directives (so every spelling it accepts is
  // covered): those the PR wrote are blanked, same length and same line breaks, so positions
  // hold, and the file is linted again. Only PRs that add a directive pay for a second pass.
  const code = linter.getSourceCode() as unknown as ParsedSource;
  if (typeof code.getInlineConfigNodes !== "function") throw new Error("this ESLint does not list its directive comments");
  const directives = code.getInlineConfigNodes().filter((c) => authored(c.loc.start.line, c.loc.end.line));
  if (directives.length === 0) return toFindings(messages, built.enabled);
  // Ranges are offsets into ESLint's text (the source without a byte order mark).
  let text = code.text;
  for (const comment of directives) {
    const [start, end] = comment.range;
    // The comment's `//`, or its `/*` and `*/`, stay: only the text between is blanked.
    const stop = comment.type === "Block" ? end - 2 : end;
    text = text.slice(0, start + 2) + text.slice(start + 2, stop).replace(/[^\r\n\u2028\u2029]/gu, " ") + text.slice(stop);
  }
  return toFindings(linter.verify(text, built.config, { filename: virtualName }), built.enabled);
}

/**
 * Lint one file's text with the app's rule set. Pure apart from CPU: no file system, no config
 * lookup, no plugins. Never throws: a parse failure is one `parse-error` finding, an ESLint
 * failure one `internal-error` finding.
 */
export function lintSource({ filename, source, rules, authored }: LintSourceInput): LintFinding[] {
  const flavour = flavourOf(filename);
  if (flavour === null) return [];
  // ESLint picks configs by glob over the name and the TypeScript parser picks .ts/.tsx syntax
  // by extension; none of the rules reads the path. A neutral name with the real (lower-cased)
  // extension keeps odd repository paths (dot directories, upper-case extensions, brackets)
  // from changing which config applies.
  const virtualName = `file${filename.slice(filename.lastIndexOf(".")).toLowerCase()}`;
  try {
    if (flavour !== "js") {
      return verify(source, virtualName, configFor(flavour, flavour === "cjs" ? "commonjs" : "module", rules), authored);
    }
    // A .js file may be an ES module or CommonJS; nothing but its syntax says which. Try module
    // first (the modern default); only code that module parsing rejects (top-level return,
    // `with`, legacy octals) is retried as CommonJS.
    const asModule = verify(source, virtualName, configFor(flavour, "module", rules), authored);
    const moduleError = asModule[0]?.ruleId === "parse-error" ? asModule[0] : undefined;
    if (!moduleError) return asModule;
    const asScript = verify(source, virtualName, configFor(flavour, "commonjs", rules), authored);
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
