#!/usr/bin/env bash
# Proves what the Docker image relies on, without a Docker engine: the build output runs
# with production dependencies only (`npm ci --omit=dev`), started as the image's CMD
# starts it (with the embedded database in a fresh DATA_DIR), answers /healthz and /readyz,
# and exits 0 on SIGTERM. A runtime import of a dev dependency fails here.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
npm run --silent build

# The same files the Dockerfile copies into the runtime stage.
cp package.json package-lock.json app.yml "$work/"
cp -r dist config "$work/"
cd "$work"
npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

if [ -d node_modules/typescript-eslint ] || [ -d node_modules/vitest ] || [ -d node_modules/nock ]; then
  echo "check-production-install: dev dependencies were installed" >&2
  exit 1
fi

port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
key="$(node -e "console.log(require('crypto').generateKeyPairSync('rsa',{modulusLength:2048}).privateKey.export({type:'pkcs1',format:'pem'}))")"

APP_ID=1 PRIVATE_KEY="$key" WEBHOOK_SECRET=check NODE_ENV=production HOST=127.0.0.1 PORT="$port" LOG_LEVEL=warn \
  DATA_DIR="$work/data" node dist/server.js >"$work/server.log" 2>&1 &
pid=$!

# The first start in a new DATA_DIR creates the embedded database: allow a minute.
for _ in $(seq 1 300); do
  if body="$(node -e "fetch('http://127.0.0.1:$port/healthz').then(async r=>{if(!r.ok)process.exit(1);console.log(await r.text())},()=>process.exit(1))" 2>/dev/null)"; then
    echo "check-production-install: /healthz answered $body"
    ready="$(node -e "fetch('http://127.0.0.1:$port/readyz').then(async r=>{console.log(r.status, await r.text())},()=>console.log('no answer'))")"
    echo "check-production-install: /readyz answered $ready"
    case "$ready" in 200*) ;; *) echo "check-production-install: not ready" >&2; cat "$work/server.log" >&2; exit 1 ;; esac
    kill -TERM "$pid"
    code=0
    wait "$pid" || code=$?
    pid=""
    if [ "$code" -ne 0 ]; then
      echo "check-production-install: the app exited $code on SIGTERM; its output:" >&2
      cat "$work/server.log" >&2
      exit 1
    fi
    echo "check-production-install: SIGTERM: drained and exited 0"
    node dist/cli/main.js validate config/default.yml
    # Static analysis runs in a worker process started from dist/ (no tsx in production).
    node --input-type=module -e "
      const { createLintPool } = await import('./dist/workers/create-lint-pool.js');
      const pool = createLintPool();
      const outcome = await pool.lint({ filename: 'a.ts', source: 'export const a = { k: 1, k: 2 };\\n', lines: 'all', maxFindings: 50 }, { fileMs: 30000, deadline: performance.now() + 60000 });
      await pool.close();
      if (outcome.kind !== 'done' || outcome.result.kind !== 'linted' || outcome.result.errors !== 1) { console.error('check-production-install: the lint worker answered', JSON.stringify(outcome)); process.exit(1); }
      console.log('check-production-install: the lint worker runs from dist/');
    "
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "check-production-install: the app exited; its output:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "check-production-install: /healthz did not answer within 60 s; output:" >&2
cat "$work/server.log" >&2
exit 1
