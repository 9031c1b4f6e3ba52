import { readFileSync } from "node:fs";
import semver from "semver";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

interface LockedPackage {
  version?: string;
  dev?: boolean;
  engines?: Record<string, string> | string[];
}

const pkg = JSON.parse(read("package.json")) as { engines: { node: string } };
const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, LockedPackage> };
const ours = pkg.engines.node;

/** `engines.node` of every package installed with `npm ci --omit=dev` (what runs in production and in the CLI). */
function runtimeEngines(): Array<{ name: string; range: string }> {
  const out: Array<{ name: string; range: string }> = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === "" || entry.dev) continue;
    const name = `${path.replace(/^.*node_modules\//, "")}@${entry.version ?? "?"}`;
    // A few old packages still write engines as a list: ["node >= 0.8"].
    const ranges = Array.isArray(entry.engines)
      ? entry.engines.filter((e) => e.startsWith("node")).map((e) => e.slice("node".length).trim())
      : entry.engines?.node !== undefined
        ? [entry.engines.node]
        : [];
    for (const range of ranges) out.push({ name, range });
  }
  return out;
}

describe("package.json engines", () => {
  it("is a valid range with a minimum", () => {
    expect(semver.validRange(ours)).not.toBeNull();
    expect(semver.minVersion(ours)).not.toBeNull();
  });

  it("reads the runtime packages of the lockfile, and only those", () => {
    const names = runtimeEngines().map((e) => e.name.replace(/@[^@]*$/, ""));
    expect(names).toContain("probot");
    expect(names).not.toContain("vitest");
  });

  it("its minimum Node version satisfies every runtime dependency in the lockfile", () => {
    const minimum = semver.minVersion(ours)!;
    const unmet = runtimeEngines().filter(({ range }) => !semver.satisfies(minimum, range));
    expect(unmet, `node ${minimum.version} does not satisfy`).toEqual([]);
  });

  it("claims no Node version that a runtime dependency excludes", () => {
    const narrower = runtimeEngines().filter(({ range }) => !semver.subset(ours, range));
    expect(narrower, `"${ours}" is wider than`).toEqual([]);
  });

  it("is what the README states", () => {
    expect(read("README.md")).toContain(`Requires Node.js ${semver.minVersion(ours)!.version} or later (\`${ours}\`)`);
  });
});
