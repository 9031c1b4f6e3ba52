/**
 * Built-in sensitive file kinds (SPEC §3): changing one of these can break a build, a
 * deployment, the data or the review process itself, however few lines change. Each kind
 * defaults to high impact when `risk.sensitive` is on. Matched case-insensitively, because
 * `dockerfile`, `jenkinsfile` and `Cargo.TOML` exist in the wild.
 *
 * The app's own config file is also sensitive but its path is per repository, so it is
 * compared in `score-risk.ts` rather than listed here.
 */
export interface SensitiveKind {
  kind: string;
  patterns: readonly string[];
}

export const SENSITIVE_KINDS: readonly SensitiveKind[] = [
  {
    kind: "CODEOWNERS",
    // The three places GitHub reads it from, plus GitLab's.
    patterns: ["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"],
  },
  {
    kind: "CI workflow",
    patterns: [
      ".github/workflows/**",
      ".github/actions/**",
      ".gitlab-ci.yml",
      ".gitlab-ci/**",
      ".circleci/**",
      "**/Jenkinsfile",
      "**/Jenkinsfile.*",
      "**/*.jenkinsfile",
      ".travis.yml",
      "azure-pipelines.yml",
      ".azure-pipelines/**",
      "bitbucket-pipelines.yml",
      ".buildkite/**",
      ".drone.yml",
      "appveyor.yml",
      ".woodpecker.yml",
      ".woodpecker/**",
    ],
  },
  {
    kind: "lockfile",
    patterns: [
      "**/package-lock.json",
      "**/npm-shrinkwrap.json",
      "**/yarn.lock",
      "**/pnpm-lock.yaml",
      "**/bun.lock",
      "**/bun.lockb",
      "**/go.sum",
      "**/Cargo.lock",
      "**/Gemfile.lock",
      "**/poetry.lock",
      "**/Pipfile.lock",
      "**/uv.lock",
      "**/pdm.lock",
      "**/composer.lock",
      "**/packages.lock.json",
      "**/Podfile.lock",
      "**/pubspec.lock",
      "**/mix.lock",
      "**/gradle.lockfile",
      "**/Package.resolved",
      "**/flake.lock",
    ],
  },
  {
    kind: "dependency manifest",
    patterns: [
      "**/package.json",
      "**/requirements*.txt",
      "**/requirements/*.txt",
      "**/constraints*.txt",
      "**/pyproject.toml",
      "**/setup.py",
      "**/setup.cfg",
      "**/Pipfile",
      "**/go.mod",
      "**/go.work",
      "**/Cargo.toml",
      "**/Gemfile",
      "**/*.gemspec",
      "**/pom.xml",
      "**/build.gradle",
      "**/build.gradle.kts",
      "**/settings.gradle",
      "**/settings.gradle.kts",
      "**/gradle/libs.versions.toml",
      "**/composer.json",
      "**/*.csproj",
      "**/*.fsproj",
      "**/*.vbproj",
      "**/packages.config",
      "**/Directory.Packages.props",
      "**/Directory.Build.props",
      "**/Package.swift",
      "**/Podfile",
      "**/mix.exs",
      "**/pubspec.yaml",
      "**/deno.json",
      "**/deno.jsonc",
      "**/.npmrc",
      "**/.yarnrc.yml",
    ],
  },
  {
    kind: "database migration",
    patterns: [
      "**/migrations/**",
      "**/migration/**",
      "**/migrate/**",
      "**/db/**/*.sql",
      "**/database/**/*.sql",
      "**/schema.sql",
      "**/structure.sql",
      "**/db/schema.rb",
      "**/schema.prisma",
      "**/alembic/versions/**",
      "**/liquibase/**",
      "**/flyway/**",
    ],
  },
  {
    kind: "container or infrastructure",
    patterns: [
      "**/Dockerfile",
      "**/Dockerfile.*",
      "**/*.Dockerfile",
      "**/Containerfile",
      "**/Containerfile.*",
      "**/docker-compose*.yml",
      "**/docker-compose*.yaml",
      "**/compose.yml",
      "**/compose.yaml",
      "**/*.tf",
      "**/*.tfvars",
      "**/*.tf.json",
      "**/.terraform.lock.hcl",
      "**/terraform/**",
      "**/terragrunt.hcl",
      // Manifests only: `charts/` or `kubernetes/` is also a common name for source code.
      "**/k8s/**/*.{yaml,yml,json,tpl}",
      "**/kubernetes/**/*.{yaml,yml,json,tpl}",
      "**/helm/**",
      "**/charts/*/templates/**",
      "**/charts/*/values*.{yaml,yml}",
      "**/Chart.yaml",
      "**/kustomization.yaml",
      "**/kustomization.yml",
      "**/*.bicep",
      "**/cloudformation/**",
      "**/serverless.yml",
      "**/ansible/**",
      "**/Pulumi.yaml",
      "**/Pulumi.*.yaml",
      "**/nginx.conf",
      "**/Procfile",
      "**/fly.toml",
    ],
  },
];

/**
 * Documentation. A file that is only documentation is low impact: when every changed
 * (non-ignored) file is one, the PR is docs-only (SPEC §3). `CMakeLists.txt` is the one
 * common `.txt` that is code, so it is excluded by name.
 */
export const DOC_PATTERNS: readonly string[] = [
  "**/*.md",
  "**/*.mdx",
  "**/*.markdown",
  "**/*.rst",
  "**/*.adoc",
  "**/*.txt",
  "docs/**",
  "doc/**",
  "**/LICENSE",
  "**/LICENSE.*",
  "**/AUTHORS",
  "**/CHANGELOG",
  "**/NOTICE",
];

export const NOT_DOC_PATTERNS: readonly string[] = ["**/CMakeLists.txt"];

/**
 * Version bumps in dependency manifests and lockfiles (SPEC §3, refined by measurement):
 * most manifest changes on a busy repository are automated bumps, and sending every one to
 * the lead as "high impact" made the lead's queue mostly noise. So a change that only moves
 * versions is judged by what it moves:
 *
 * - `package.json` whose every changed line is a `"name": "version"` entry that changes on
 *   both sides: **high** when some entry's major version changes (the leftmost non-zero part,
 *   as a caret range reads it: 1.x → 2.x, 0.3 → 0.4) and it is, or may be, a runtime
 *   dependency (`dependencies`, `peerDependencies`, `optionalDependencies`); **medium** when
 *   the major bumps are all `devDependencies` or the package's own `version`, or when no major
 *   moves. The section is read from the patch's context lines; a `-U0` patch or a hunk far
 *   from its section header shows none, and then the entry counts as runtime, because a
 *   missed breaking bump is worse than a needless look.
 * - Anything else in a manifest (a dependency added or removed, scripts, exports), a new or
 *   deleted manifest, or one without a patch stays **high**.
 * - A lockfile **follows its manifest**: changed together with a manifest in its directory or
 *   below (workspaces), it has that manifest's impact; changed alone it is **medium**, unless
 *   its patch shows a major bump (a line whose only change is a version whose major moves),
 *   or it was added or deleted, which is **high**.
 *
 * Other ecosystems' manifests (go.mod, Cargo.toml, pyproject.toml …) keep the plain rule:
 * high. Pure: works from the patch text alone, as GitHub sends it.
 */
export interface DependencyVerdict {
  impact: "medium" | "high";
  /** Why, in a few words, for the explanation. */
  reason: string;
}

/** `"name": "spec"` with an optional trailing comma: one entry of a dependency map. */
const JSON_ENTRY = /^\s*"((?:[^"\\]|\\.)+)"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,?\s*$/;
/** `"name": {` — the start of a section such as `"dependencies": {`. */
const JSON_SECTION = /^\s*"((?:[^"\\]|\\.)+)"\s*:\s*\{\s*$/;
/** A version or range: `^1.2.3`, `~0.4`, `>=2 <4`, `1.x`, `workspace:^1.0.0`, `npm:pkg@^2`, `pnpm@9.1.0`. */
const VERSION_SPEC = /^(?:(?:workspace|npm):)?(?:@?[\w.-]+(?:\/[\w.-]+)?@)?[~^<>=v\s|*.xX\d-]*\d[\w.+\-\s|<>=^~*]*$/;
const RUNTIME_SECTIONS = new Set(["dependencies", "peerDependencies", "optionalDependencies"]);
const DEV_SECTIONS = new Set(["devDependencies"]);
/** Keys whose value is a version but not a dependency of the package's users. */
const NOT_DEPENDENCIES = new Set(["version", "packageManager"]);
const VERSION_NUMBER = /(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?/;

/**
 * The part of a version that a breaking change moves: the leftmost non-zero number
 * (`^1.2.3` → "1", `0.4.1` → "0.4", `0.0.3` → "0.0.3"), as npm's caret ranges read it.
 * `undefined` when the text holds no version number.
 */
export function breakingPart(spec: string): string | undefined {
  // `npm:pkg@^2` and `pnpm@9.1.0`: the version follows the last `@`.
  const at = spec.lastIndexOf("@");
  const match = VERSION_NUMBER.exec(at > 0 ? spec.slice(at + 1) : spec);
  if (!match) return undefined;
  const parts = [match[1], match[2], match[3]].filter((p): p is string => p !== undefined && /^\d+$/.test(p));
  const first = parts.findIndex((p) => Number(p) !== 0);
  return first < 0 ? parts.join(".") : parts.slice(0, first + 1).map(Number).join(".");
}

function isMajorMove(before: string, after: string): boolean {
  const a = breakingPart(before);
  const b = breakingPart(after);
  // A spec without a number (`*`, `latest`) cannot be compared: assume the worst.
  return a === undefined || b === undefined || a !== b;
}

interface PatchEntry {
  key: string;
  value: string;
  /** The section the entry sits in, when the patch shows it. */
  section: string | undefined;
}

/** Entries a package.json patch deletes and adds, or `undefined` when it changes anything else. */
function packageJsonEntries(patch: string): { deleted: PatchEntry[]; added: PatchEntry[] } | undefined {
  const deleted: PatchEntry[] = [];
  const added: PatchEntry[] = [];
  let section: string | undefined;
  for (const line of patch.split("\n")) {
    const kind = line[0];
    const text = line.slice(1);
    if (kind === "@") {
      // Each hunk starts somewhere unknown; git may name the enclosing line after the `@@`.
      const header = /^@@[^@]*@@\s?(.*)$/.exec(line)?.[1] ?? "";
      section = JSON_SECTION.exec(header)?.[1];
      continue;
    }
    if (kind === "\\") continue;
    const opens = JSON_SECTION.exec(text);
    if (opens) {
      if (kind !== " ") return undefined;
      section = opens[1];
      continue;
    }
    if (/^\s*}/.test(text)) {
      if (kind !== " ") return undefined;
      section = undefined;
      continue;
    }
    if (kind === " ") continue;
    if (text.trim() === "") continue;
    const entry = JSON_ENTRY.exec(text);
    if (!entry || !VERSION_SPEC.test(entry[2]!)) return undefined;
    (kind === "-" ? deleted : added).push({ key: entry[1]!, value: entry[2]!, section });
  }
  return { deleted, added };
}

/** The impact of a change to a `package.json` (see above). */
export function judgePackageJson(status: string, patch: string | undefined): DependencyVerdict {
  if (status === "added" || status === "removed") return { impact: "high", reason: status === "added" ? "a new package" : "a package removed" };
  if (patch === undefined) return { impact: "high", reason: "no patch to read" };
  const entries = packageJsonEntries(patch);
  if (!entries || entries.deleted.length === 0 || entries.deleted.length !== entries.added.length) {
    return { impact: "high", reason: "changes more than versions" };
  }
  // Entries pair up by key, in order, so a key appearing in two sections pairs correctly.
  const before = new Map<string, PatchEntry[]>();
  for (const entry of entries.deleted) before.set(entry.key, [...(before.get(entry.key) ?? []), entry]);
  const runtimeMajors: string[] = [];
  let devMajors = 0;
  for (const entry of entries.added) {
    const old = before.get(entry.key)?.shift();
    if (!old) return { impact: "high", reason: "adds or removes a dependency" };
    if (NOT_DEPENDENCIES.has(entry.key) && (old.section ?? entry.section) === undefined) continue;
    if (!isMajorMove(old.value, entry.value)) continue;
    const section = entry.section ?? old.section;
    if (section !== undefined && DEV_SECTIONS.has(section)) devMajors++;
    else if (section === undefined || RUNTIME_SECTIONS.has(section)) runtimeMajors.push(`${entry.key} ${old.value} → ${entry.value}`);
  }
  if (runtimeMajors.length > 0) {
    const more = runtimeMajors.length > 1 ? ` and ${runtimeMajors.length - 1} more` : "";
    return { impact: "high", reason: `major version bump of a runtime dependency: ${runtimeMajors[0]}${more}` };
  }
  return {
    impact: "medium",
    reason: devMajors > 0 ? "version bumps only; the major ones are dev dependencies" : "version bumps only, none of a major version",
  };
}

/** `1.2.3`-like versions; the first one on a line is the one a lockfile line is about. */
const LOCK_VERSION = /\d+\.\d+\.\d+(?:[-+][\w.-]+)?/;

/**
 * Whether a lockfile patch shows a major bump: a deleted and an added line of the same
 * hunk that differ only in a version (`"version": "4.17.21"`, `lodash@^4.17.21:`,
 * `/lodash@4.17.21:`), whose major moves. Integrity hashes and the like carry no version
 * and are passed over.
 */
export function lockfileShowsMajorBump(patch: string): boolean {
  let deleted = new Map<string, string[]>();
  for (const line of patch.split("\n")) {
    const kind = line[0];
    if (kind === "@") {
      deleted = new Map();
      continue;
    }
    if (kind !== "-" && kind !== "+") continue;
    const text = line.slice(1);
    const version = LOCK_VERSION.exec(text);
    if (!version) continue;
    const key = text.replace(LOCK_VERSION, "#").replace(/\s+/g, " ");
    if (kind === "-") deleted.set(key, [...(deleted.get(key) ?? []), version[0]]);
    else {
      const old = deleted.get(key)?.shift();
      if (old !== undefined && isMajorMove(old, version[0])) return true;
    }
  }
  return false;
}

/** The impact of a lockfile changed without any manifest it belongs to (see above). */
export function judgeLoneLockfile(status: string, patch: string | undefined): DependencyVerdict {
  if (status === "added" || status === "removed") return { impact: "high", reason: status === "added" ? "a new lockfile" : "a lockfile removed" };
  if (patch !== undefined && lockfileShowsMajorBump(patch)) return { impact: "high", reason: "changed without its manifest, with a major version bump" };
  return { impact: "medium", reason: "changed without its manifest, no major version bump visible" };
}
