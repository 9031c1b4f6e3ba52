import { suggestValue } from "./format-issues.js";
import { CODEOWNERS_SOURCE, LEVELS, type Config } from "./schema.js";

/** A config that is valid but cannot work as it was probably meant. */
export interface ConfigWarning {
  /** Dotted path in the file the warning is about, e.g. `governance.lead_group`. */
  path: string;
  message: string;
}

/** Members of a group, or undefined when its size is only known on GitHub (a team, CODEOWNERS). */
function knownPeople(entries: readonly string[]): Set<string> | undefined {
  if (entries.some((e) => e.startsWith("@") || e === CODEOWNERS_SOURCE)) return undefined;
  return new Set(entries.map((e) => e.toLowerCase()));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function undefinedGroup(name: string, groups: readonly string[]): string {
  const suggestion = suggestValue(name, groups);
  return `group "${name}" is not defined under reviewers (${suggestion ? `did you mean "${suggestion}"?` : groups.join(", ")})`;
}

function listAnd(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function requestFrom(steps: readonly string[]): string {
  return `${listAnd(steps)} ${steps.length === 1 ? "requests" : "request"} from it`;
}

/**
 * Warnings for a valid config whose groups, routing and
 * approvals do not fit together: a lead group that does not exist or is empty while
 * approvals need leads, approvals or routing steps that ask for more people than the
 * groups have, and routing to an empty or undefined group. Groups with teams or CODEOWNERS
 * are sized only on GitHub, so they are never called too small. Pure: the app shows the same lines.
 */
export function listConfigWarnings(config: Config): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const groups = Object.keys(config.reviewers);
  const people = new Map(groups.map((g) => [g, knownPeople(config.reviewers[g]!)]));

  if (groups.length === 0) {
    warnings.push({
      path: "reviewers",
      message: `no reviewer groups are defined, so nobody is requested (routing asks for ${[...new Set(LEVELS.flatMap((l) => config.routing[l].map((s) => s.from)))].join(", ")})`,
    });
  } else {
    // One line per group, naming every step that asks it, rather than one per step.
    const steps = new Map<string, string[]>();
    for (const level of LEVELS) {
      config.routing[level].forEach((step, i) => {
        const at = `routing.${level}[${i}]`;
        steps.set(step.from, [...(steps.get(step.from) ?? []), at]);
        const size = people.get(step.from)?.size;
        if (size !== undefined && size > 0 && step.count > size) {
          warnings.push({
            path: `${at}.count`,
            message: `asks for ${plural(step.count, "reviewer")} from ${step.from}, which has ${plural(size, "member")}; the rest come from the other groups`,
          });
        }
      });
    }
    for (const [group, at] of steps) {
      if (!people.has(group)) {
        warnings.push({ path: `${at[0]}.from`, message: `${undefinedGroup(group, groups)}, but ${requestFrom(at)}; nobody is requested there` });
      } else if (config.reviewers[group]!.length === 0) {
        warnings.push({ path: `reviewers.${group}`, message: `the group is empty, but ${requestFrom(at)}; nobody is requested there` });
      }
    }
  }

  const leadGroup = config.governance.lead_group;
  const approvals = config.governance.approvals;
  const needLeads = LEVELS.filter((l) => approvals[l].lead > 0);
  const leads = people.get(leadGroup);
  if (needLeads.length) {
    const consequence = `governance.approvals requires lead approvals for ${listAnd(needLeads)} risk, so those PRs can never pass`;
    if (!groups.includes(leadGroup)) {
      warnings.push({
        path: "governance.lead_group",
        message: groups.length ? `${undefinedGroup(leadGroup, groups)}, but ${consequence}` : `no group "${leadGroup}" is defined, but ${consequence}`,
      });
    } else if (config.reviewers[leadGroup]!.length === 0) {
      warnings.push({ path: `reviewers.${leadGroup}`, message: `the lead group is empty, but ${consequence}` });
    } else if (leads) {
      for (const level of needLeads) {
        if (approvals[level].lead > leads.size) {
          warnings.push({
            path: `governance.approvals.${level}.lead`,
            message: `requires ${plural(approvals[level].lead, "lead approval")}, but ${leadGroup} has ${plural(leads.size, "member")}, so ${level}-risk PRs can never pass`,
          });
        }
      }
    }
  }

  const leadsMissing = !groups.includes(leadGroup) ? "is not defined" : config.reviewers[leadGroup]!.length === 0 ? "is empty" : undefined;
  if (leadsMissing) {
    config.checklists.forEach((checklist, c) => {
      checklist.items.forEach((item, i) => {
        if (typeof item !== "string" && item.required && item.by === "lead") {
          warnings.push({
            path: `checklists[${c}].items[${i}].by`,
            message: `only a lead may tick this required item, but the lead group "${leadGroup}" ${leadsMissing}, so the check can never pass where the checklist applies`,
          });
        }
      });
    });
  }

  // Approvals beyond the groups must come from other people with write access.
  if (groups.length && [...people.values()].every((p) => p !== undefined)) {
    const everyone = new Set([...people.values()].flatMap((p) => [...p!]));
    for (const level of LEVELS) {
      const total = Math.max(approvals[level].total, approvals[level].lead);
      if (total > everyone.size) {
        warnings.push({
          path: `governance.approvals.${level}.total`,
          message: `requires ${plural(total, "approval")}, but the reviewer groups have ${everyone.size === 1 ? "1 person" : `${everyone.size} people`} in all; the rest must come from others with write access, or ${level}-risk PRs never pass`,
        });
      }
    }
  }
  return warnings;
}

/** The warnings as lines (`path: message`), for the check run and the command line. */
export function configWarnings(config: Config): string[] {
  return listConfigWarnings(config).map((w) => `${w.path}: ${w.message}`);
}
