/**
 * The SZZ labelling rule, once blame has linked fixes to the changes that last touched the
 * lines they repaired.
 *
 * A change is `risky` when a fix within `windowSeconds` after it blamed at least one of its
 * lines, `clean` when none did, and `too-recent` when less than the window separates it from
 * the newest change read: its fixes may not have happened yet, so calling it clean would
 * bias every figure towards "small changes are safe". Too-recent changes are left out of
 * the evaluation; their fixes still label older changes.
 */

export interface FixLink {
  fix: string;
  /** Time of the fix, Unix seconds. */
  fixTime: number;
  /** The change blame attributed the repaired lines to. */
  introducer: string;
}

export type ChangeLabel = "risky" | "clean" | "too-recent" | "no-code" | "ignored-rev";

/** The labels that take part in the figures. */
export function isLabelled(label: ChangeLabel): label is "risky" | "clean" {
  return label === "risky" || label === "clean";
}

export function labelChanges(
  changes: readonly { sha: string; time: number; excluded?: "no-code" | "ignored-rev" }[],
  links: readonly FixLink[],
  windowSeconds: number,
): ChangeLabel[] {
  const timeOf = new Map(changes.map((c) => [c.sha, c.time]));
  const risky = new Set<string>();
  for (const link of links) {
    const introduced = timeOf.get(link.introducer);
    if (introduced === undefined || link.introducer === link.fix) continue;
    // Rebased or back-dated history can put a "fix" before the code it blames; skip those.
    if (introduced > link.fixTime || link.fixTime - introduced > windowSeconds) continue;
    risky.add(link.introducer);
  }
  const newest = changes.reduce((t, c) => Math.max(t, c.time), -Infinity);
  return changes.map((c) => c.excluded ?? (newest - c.time < windowSeconds ? "too-recent" : risky.has(c.sha) ? "risky" : "clean"));
}
