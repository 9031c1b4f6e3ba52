/**
 * The app's own ESLint rule set (SPEC §7).
 *
 * Only ESLint core rules: loading a repository's config or plugins would run code from the
 * pull request, and type-aware rules would need the repository's tsconfig and dependencies.
 * Every rule here finds likely bugs, not style; `error` marks code that is almost always
 * wrong and counts towards the `static analysis` risk factor, `warn` marks code that is
 * often wrong but sometimes deliberate (annotated, never counted).
 *
 * `docs/static-analysis.md` is generated from this file (`npx tsx scripts/write-rule-docs.ts`)
 * and a test fails when it is stale.
 */

export type RuleSeverity = "error" | "warn";

export interface RuleSpec {
  severity: RuleSeverity;
  /** One line: the bug the rule catches. Shown in annotations and the docs. */
  why: string;
  /** ESLint options after the severity, when the defaults are too noisy for review. */
  options?: readonly unknown[];
  /**
   * Why the rule is off in TypeScript files, when it is. The TS-aware replacements live in
   * `@typescript-eslint/eslint-plugin`, which the app deliberately does not load.
   */
  offInTypeScript?: string;
}

/** Every rule id the app runs; `analysis.rules` in the config may only name these. */
export const RULE_IDS = [
  "array-callback-return",
  "constructor-super",
  "for-direction",
  "getter-return",
  "no-async-promise-executor",
  "no-case-declarations",
  "no-class-assign",
  "no-compare-neg-zero",
  "no-cond-assign",
  "no-const-assign",
  "no-constant-binary-expression",
  "no-constant-condition",
  "no-debugger",
  "no-dupe-args",
  "no-dupe-class-members",
  "no-dupe-else-if",
  "no-dupe-keys",
  "no-duplicate-case",
  "no-empty-character-class",
  "no-empty-pattern",
  "no-fallthrough",
  "no-func-assign",
  "no-import-assign",
  "no-invalid-regexp",
  "no-loss-of-precision",
  "no-misleading-character-class",
  "no-new-native-nonconstructor",
  "no-obj-calls",
  "no-self-assign",
  "no-self-compare",
  "no-setter-return",
  "no-shadow-restricted-names",
  "no-sparse-arrays",
  "no-template-curly-in-string",
  "no-this-before-super",
  "no-unexpected-multiline",
  "no-unmodified-loop-condition",
  "no-unreachable",
  "no-unsafe-finally",
  "no-unsafe-negation",
  "no-unsafe-optional-chaining",
  "no-unused-expressions",
  "no-unused-private-class-members",
  "no-unused-vars",
  "no-useless-assignment",
  "no-useless-backreference",
  "require-yield",
  "use-isnan",
  "valid-typeof",
] as const;

export type RuleId = (typeof RULE_IDS)[number];

/** The curated rules, keyed by ESLint rule id. */
export const RULE_SET: Readonly<Record<RuleId, RuleSpec>> = {
  "array-callback-return": {
    severity: "error",
    why: "a map/filter/reduce/sort callback that forgets to return yields undefined values",
  },
  "constructor-super": {
    severity: "error",
    why: "a derived class constructor without super() (or a base class calling it) throws at runtime",
  },
  "for-direction": {
    severity: "error",
    why: "a for loop whose counter moves away from its stop condition never ends or never runs",
  },
  "getter-return": {
    severity: "error",
    why: "a getter that does not return always yields undefined",
  },
  "no-async-promise-executor": {
    severity: "error",
    why: "errors thrown in an async Promise executor are lost instead of rejecting the promise",
  },
  "no-case-declarations": {
    severity: "warn",
    why: "let/const/class in a case clause is visible to the other clauses but uninitialised there",
  },
  "no-class-assign": {
    severity: "error",
    why: "reassigning a class binding breaks every later use of the class",
  },
  "no-compare-neg-zero": {
    severity: "error",
    why: "x === -0 is also true for +0; Object.is(x, -0) is what was meant",
  },
  "no-cond-assign": {
    // warn: `while (m = re.exec(s))` is a common deliberate idiom.
    severity: "warn",
    why: "an assignment in a condition is usually a mistyped comparison",
  },
  "no-const-assign": {
    severity: "error",
    why: "assigning to a const throws a TypeError at runtime",
  },
  "no-constant-binary-expression": {
    severity: "error",
    why: "a comparison or ??/||/&& whose result cannot change is a logic mistake (e.g. a ?? b === c)",
  },
  "no-constant-condition": {
    severity: "warn",
    why: "an if or ternary condition that is always true or false leaves dead code behind",
    // `do { … } while (true)` and `for (;;)`-style loops with a break inside are deliberate.
    options: [{ checkLoops: "none" }],
  },
  "no-debugger": {
    severity: "warn",
    why: "a leftover debugger statement pauses every user with devtools open",
  },
  "no-dupe-args": {
    severity: "error",
    why: "a repeated parameter name silently shadows the earlier argument",
  },
  "no-dupe-class-members": {
    severity: "error",
    why: "a repeated class member silently replaces the earlier one",
  },
  "no-dupe-else-if": {
    severity: "error",
    why: "an else-if branch whose condition was already tested can never run",
  },
  "no-dupe-keys": {
    severity: "error",
    why: "a repeated key in an object literal silently drops the earlier value",
  },
  "no-duplicate-case": {
    severity: "error",
    why: "a repeated case label can never match",
  },
  "no-empty-character-class": {
    severity: "error",
    why: "[] in a regular expression matches nothing, so the whole pattern never matches",
  },
  "no-empty-pattern": {
    severity: "error",
    why: "an empty destructuring pattern binds nothing; a default value ({} = x vs { a = {} }) was likely meant",
  },
  "no-fallthrough": {
    severity: "error",
    why: "a case that runs into the next one without a comment is usually a missing break",
  },
  "no-func-assign": {
    severity: "error",
    why: "reassigning a function declaration replaces it for every caller",
  },
  "no-import-assign": {
    severity: "error",
    why: "assigning to an imported binding throws at runtime",
  },
  "no-invalid-regexp": {
    severity: "error",
    why: "an invalid pattern passed to RegExp() throws at runtime",
  },
  "no-loss-of-precision": {
    severity: "error",
    why: "a number literal that cannot be represented exactly is silently rounded",
  },
  "no-misleading-character-class": {
    severity: "error",
    why: "a multi-code-point character in a regex class matches its parts, not the character",
    // Written as escapes (\\u200c-\\u200f tables), the code points are plainly deliberate.
    options: [{ allowEscape: true }],
  },
  "no-new-native-nonconstructor": {
    severity: "error",
    why: "new Symbol() / new BigInt() throws a TypeError",
  },
  "no-obj-calls": {
    severity: "error",
    why: "calling Math, JSON, Reflect, Atomics or Intl as a function throws",
  },
  "no-self-assign": {
    severity: "error",
    why: "assigning a variable to itself does nothing; another target or value was meant",
  },
  "no-self-compare": {
    severity: "warn",
    why: "comparing a value to itself is a typo, or an obscure NaN test (use Number.isNaN)",
  },
  "no-setter-return": {
    severity: "error",
    why: "a value returned from a setter is ignored",
  },
  "no-shadow-restricted-names": {
    severity: "error",
    why: "a binding named undefined, NaN, Infinity, eval or arguments changes what later code sees",
  },
  "no-sparse-arrays": {
    severity: "error",
    why: "a double comma in an array literal leaves a hole, usually a typo",
  },
  "no-template-curly-in-string": {
    severity: "warn",
    why: "${…} in a plain string is not interpolated; a template literal was probably meant",
  },
  "no-this-before-super": {
    severity: "error",
    why: "using this before super() in a derived constructor throws a ReferenceError",
  },
  "no-unexpected-multiline": {
    severity: "error",
    why: "a line break that automatic semicolon insertion does not split joins two statements",
  },
  "no-unmodified-loop-condition": {
    severity: "warn",
    why: "a loop condition whose variables never change inside the loop never ends (or never runs)",
  },
  "no-unreachable": {
    severity: "error",
    why: "code after return/throw/break/continue never runs",
  },
  "no-unsafe-finally": {
    severity: "error",
    why: "return/throw in finally overrides the try's result and swallows its exception",
  },
  "no-unsafe-negation": {
    severity: "error",
    why: "!key in obj negates the key, not the test; !(key in obj) was meant",
  },
  "no-unsafe-optional-chaining": {
    severity: "error",
    why: "using an optional chain where undefined is not allowed (call, new, destructuring) throws",
  },
  "no-unused-expressions": {
    severity: "warn",
    why: "an expression statement with no effect is usually a comparison typed instead of an assignment",
    options: [{ allowShortCircuit: true, allowTernary: true, allowTaggedTemplates: true }],
  },
  "no-unused-private-class-members": {
    severity: "warn",
    why: "a private member nothing reads is dead code or a misspelt use",
  },
  "no-unused-vars": {
    severity: "warn",
    why: "a variable nothing reads is dead code or a misspelt use",
    // Catch parameters and `_`-prefixed names are deliberately unused far more often than not.
    options: [
      {
        args: "after-used",
        caughtErrors: "none",
        ignoreRestSiblings: true,
        argsIgnorePattern: "^_",
        varsIgnorePattern: "^_",
        destructuredArrayIgnorePattern: "^_",
      },
    ],
    offInTypeScript:
      "the core rule reports enum members, constructor parameter properties, `declare global` interfaces and the parameters of overloads, interface methods and function types as unused",
  },
  "no-useless-assignment": {
    severity: "warn",
    why: "a value assigned and then overwritten before any read is lost work or a logic slip",
  },
  "no-useless-backreference": {
    severity: "error",
    why: "a regex backreference that can never match anything always matches the empty string",
  },
  "require-yield": {
    severity: "warn",
    why: "a generator that never yields is usually a plain function marked * by mistake",
  },
  "use-isnan": {
    severity: "error",
    why: "x === NaN is always false; Number.isNaN(x) was meant",
  },
  "valid-typeof": {
    severity: "error",
    why: "typeof compared with a misspelt type name (\"fucntion\") is always false",
  },
};

/**
 * Rules a reader might expect that the app leaves out, with the reason. Listed in the docs so
 * the choice is visible, and asserted in tests so none sneaks into {@link RULE_SET}.
 */
export const EXCLUDED_RULES: Readonly<Record<string, string>> = {
  "no-undef":
    "without knowing the target environment (browser, Node, workers, test globals) nearly every file would get false reports",
  "no-redeclare": "reports TypeScript declaration merging and overloads; in modern JS, let/const already make redeclaration a syntax error",
  "no-promise-executor-return":
    "flags the common `new Promise((r) => setTimeout(r, ms))`, which is harmless",
  "no-global-assign": "needs the list of globals of the target environment, like no-undef",
  "no-prototype-builtins": "style: obj.hasOwnProperty(k) works for the objects most code handles",
  "no-empty": "style: empty blocks are mostly deliberate placeholders",
};

/** Where readers learn more about one rule. */
export function ruleDocsUrl(id: string): string {
  return `https://eslint.org/docs/latest/rules/${id}`;
}
