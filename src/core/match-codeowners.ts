import type { CodeownersRule } from "./parse-codeowners.js";

export interface CodeOwner {
  /** `@user` or `@org/team`, as the file writes it. */
  owner: string;
  isTeam: boolean;
  /** The changed files this owner owns. */
  files: string[];
  /** The patterns that made them owner, the one covering most files first. */
  patterns: string[];
}

export interface CodeownersMatch {
  /** In the order the file first names them (for the changed files). */
  owners: CodeOwner[];
  /** Changed files no rule owns (no rule matched, or the last match has no owners). */
  unowned: string[];
  notes: string[];
}

/**
 * The owners of a set of changed files, with GitHub's rule that the last matching pattern
 * wins: a later line overrides an earlier one for the files both match, and a later line
 * without owners leaves its files unowned. Email owners cannot be requested by login, so
 * they are left out with a note.
 */
export function matchCodeowners(rules: readonly CodeownersRule[], files: readonly string[]): CodeownersMatch {
  const byOwner = new Map<string, { owner: string; line: number; position: number; files: string[]; patterns: Map<string, number> }>();
  const unowned: string[] = [];
  const emails = new Map<string, string[]>();
  for (const file of files) {
    let rule: CodeownersRule | undefined;
    for (let i = rules.length - 1; i >= 0; i--) {
      if (rules[i]!.test(file)) {
        rule = rules[i];
        break;
      }
    }
    if (!rule || rule.owners.length === 0) {
      unowned.push(file);
      for (const email of rule?.emails ?? []) emails.set(email, [...(emails.get(email) ?? []), file]);
      continue;
    }
    for (const [position, owner] of rule.owners.entries()) {
      const key = owner.toLowerCase();
      const entry = byOwner.get(key) ?? { owner, line: rule.line, position, files: [], patterns: new Map<string, number>() };
      if (rule.line < entry.line) Object.assign(entry, { line: rule.line, position });
      entry.files.push(file);
      entry.patterns.set(rule.pattern, (entry.patterns.get(rule.pattern) ?? 0) + 1);
      byOwner.set(key, entry);
    }
    for (const email of rule.emails) emails.set(email, [...(emails.get(email) ?? []), file]);
  }
  const owners = [...byOwner.values()]
    .sort((a, b) => a.line - b.line || a.position - b.position)
    .map((e) => ({
      owner: e.owner,
      isTeam: e.owner.includes("/"),
      files: e.files,
      patterns: [...e.patterns].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([p]) => p),
    }));
  const notes = [...emails].map(
    ([email, owned]) => `${email} owns ${owned.length === 1 ? owned[0] : `${owned.length} changed files`} by CODEOWNERS but is an email address, which cannot be requested as a reviewer; skipped.`,
  );
  return { owners, unowned, notes };
}
