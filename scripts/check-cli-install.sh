#!/usr/bin/env bash
# Proves the command line installs as users install it: `npm pack` (which builds dist/ through
# `prepack`), `npm install -g` of the tarball into a clean prefix, then `review-triage --help`,
# and `npx review-triage score` inside a scratch git repository that is not this one, and
# `review-triage score --repo` from outside it. Dependencies come from the npm cache when it
# has them (`--prefer-offline`); nothing else is fetched.
set -euo pipefail
export npm_config_update_notifier=false

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "check-cli-install: packed $tarball"

prefix="$work/global"
log="$work/install.log"
if ! npm install --global --prefix "$prefix" --prefer-offline --no-audit --no-fund --loglevel=warn "$work/$tarball" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
# A tarball's dependencies are resolved afresh: the lockfile and its overrides stay behind, so
# a dependency released since may ask for a newer Node than the lockfile's. Shown, not fatal.
if grep -q EBADENGINE "$log"; then
  echo "check-cli-install: note: npm warned about engines of freshly resolved dependencies:"
  grep "EBADENGINE   package:" "$log" | sed "s/^npm warn EBADENGINE   package: /  /" | sort -u
fi
bin="$prefix/bin/review-triage"
if [ ! -x "$bin" ]; then
  echo "check-cli-install: $bin is missing or not executable" >&2
  exit 1
fi

# Hermetic git, as in the tests: no system or user config, a fixed identity.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME="$work"
scratch="$work/scratch"
mkdir -p "$scratch/src/payments"
cd "$scratch"
git init -q -b main
printf 'export const total = 1;\n' >src/payments/charge.ts
git add -A
git -c user.name=ci -c user.email=ci@example.com commit -q -m "feat: charge"
git checkout -q -b fix/rounding
printf 'export const total = 2;\nexport const fee = 1;\n' >src/payments/charge.ts
mkdir -p .github
printf 'risk:\n  impact:\n    - { paths: ["src/payments/**"], impact: critical, reason: money }\n' >.github/review-triage.yml

# The global bin directory on PATH, as after `npm install -g`; npx finds the installed command.
export PATH="$prefix/bin:$PATH" npm_config_prefix="$prefix"

help="$(review-triage --help)"
case "$help" in
  *"review-triage score"*) ;;
  *) echo "check-cli-install: unexpected --help output: $help" >&2; exit 1 ;;
esac

out="$(npx --no-install review-triage score)"
case "$out" in
  *"Critical impact from src/payments/charge.ts"*) ;;
  *) echo "check-cli-install: npx review-triage score did not read the scratch repository:" >&2; echo "$out" >&2; exit 1 ;;
esac

cd "$work"
json="$(review-triage score --repo "$scratch" --json)"
node -e 'const a = JSON.parse(process.argv[1]); if (a.impact.level !== "critical") { console.error(a.impact); process.exit(1); }' "$json"
review-triage validate "$scratch/.github/review-triage.yml"
# Loads Octokit (and so every freshly resolved request dependency) without a network call.
review-triage explain --help >/dev/null
echo "check-cli-install: review-triage --help, score (npx, in the repository and with --repo), validate and explain --help ran from the installed tarball"
