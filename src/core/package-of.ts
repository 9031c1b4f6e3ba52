/**
 * The package a directory belongs to, from the path alone (the risk model sees a diff, not
 * the repository's tree): the directory after the last `packages/`, `apps/`, `libs/` or
 * `integrations/` segment, e.g. `packages/core/src/a` → `packages/core`,
 * `packages/integrations/react/src` → `packages/integrations/react`; everything else is the
 * root package `""`.
 *
 * Measured on monorepos, spread counted in directories rewards layout: every package
 * repeats `src/`, `test/` and a manifest, so a change of one feature across two packages
 * looks as scattered as a change across half a single-package library. Counting packages,
 * and directories within a package, keeps the two apart.
 */
const CONTAINERS = new Set(["packages", "apps", "libs", "integrations"]);

export function packageOf(segments: readonly string[]): string {
  // The last container wins: `packages/integrations/react` is a package inside a group.
  for (let i = segments.length - 2; i >= 0; i--) {
    if (CONTAINERS.has(segments[i] as string)) return segments.slice(0, i + 2).join("/");
  }
  return "";
}
