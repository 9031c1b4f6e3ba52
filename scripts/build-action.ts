/**
 * Bundle the GitHub Action (`action.yml` runs `dist-action/index.js` on the runner's Node 20):
 * the entry and the lint worker, each one file with every dependency inside, because a
 * repository that uses the action gets this repository's files, not its `node_modules`.
 *
 *   npm run build:action            write dist-action/ (committed; `dist/` is tsc's, for npm)
 *   npm run build:action -- --check fail when dist-action/ is not what the sources build
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
export const ACTION_DIST = join(root, "dist-action");

// Modules that find files next to themselves at run time: in the bundle, what they read is
// decided at build time instead.
function bundleFriendly(): Plugin {
  const require = createRequire(import.meta.url);
  const eslint = (JSON.parse(readFileSync(require.resolve("eslint/package.json"), "utf8")) as { version: string }).version;
  const own = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  const replace = (text: string, from: string, to: string, file: string) => {
    if (!text.includes(from)) throw new Error(`build-action: ${file} no longer contains ${JSON.stringify(from)}; update scripts/build-action.ts`);
    return text.replace(from, to);
  };
  return {
    name: "bundle-friendly",
    setup(b) {
      b.onLoad({ filter: /src[\\/]core[\\/]analysis[\\/]eslint-version\.ts$/ }, () => ({
        contents: `export function eslintVersion() { return ${JSON.stringify(eslint)}; }\n`,
        loader: "ts",
      }));
      b.onLoad({ filter: /src[\\/]version\.ts$/ }, () => ({ contents: `export const version = ${JSON.stringify(own)};\n`, loader: "ts" }));
      // ESLint and the TypeScript parser are required lazily through `createRequire` (only the
      // worker loads them). With the bundle's own `require`, esbuild bundles them and keeps
      // them lazy: each is evaluated on its first `require`.
      b.onLoad({ filter: /src[\\/]core[\\/]analysis[\\/]lint-source\.ts$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        return { contents: replace(text, "const require = createRequire(import.meta.url);", "", "lint-source.ts"), loader: "ts" };
      });
    },
  };
}

/** Build the entry and the lint worker into `outdir`. */
export async function buildAction(outdir = ACTION_DIST): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: { index: "src/action/main.ts", "run-lint-worker": "src/workers/run-lint-worker.ts" },
    outdir,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    // CommonJS dependencies call `require` and read `__filename`: give them both in the ESM bundle.
    banner: {
      js: [
        'import { createRequire as __rtCreateRequire } from "node:module";',
        'import { fileURLToPath as __rtFileURLToPath } from "node:url";',
        "const require = __rtCreateRequire(import.meta.url);",
        "const __filename = __rtFileURLToPath(import.meta.url);",
        'const __dirname = __rtFileURLToPath(new URL(".", import.meta.url));',
      ].join("\n"),
    },
    // ESLint's loader of TypeScript config files, never loaded: the app never reads a
    // repository's ESLint config.
    external: ["jiti", "jiti/package.json"],
    legalComments: "none",
    logLevel: "warning",
    plugins: [bundleFriendly()],
  });
}

/** Files of `outdir` that differ from a fresh build (empty: the bundle is fresh). */
export async function staleFiles(outdir = ACTION_DIST): Promise<string[]> {
  const fresh = mkdtempSync(join(tmpdir(), "review-triage-action-build-"));
  try {
    await buildAction(fresh);
    const names = new Set([...readdirSync(fresh), ...safeList(outdir)]);
    return [...names].filter((name) => !same(join(fresh, name), join(outdir, name))).sort();
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function same(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--check")) {
    const stale = await staleFiles();
    if (stale.length) {
      console.error(`dist-action is stale (${stale.join(", ")}): run \`npm run build:action\` and commit the result.`);
      process.exit(1);
    }
    console.log("dist-action is fresh");
  } else {
    await buildAction();
    console.log("dist-action written");
  }
}
