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
