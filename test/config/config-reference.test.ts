import { readFileSync } from "node:fs";
import { isMap, parseDocument, type YAMLMap } from "yaml";
import { describe, expect, it } from "vitest";
import {
  CONFIG_REFERENCE_END,
  CONFIG_REFERENCE_START,
  extractConfigReference,
  renderConfigReference,
  replaceConfigReference,
  yamlFlow,
} from "../../src/config/render-config-reference.js";
import { DEFAULT_WEIGHTS } from "../../src/core/score-risk.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

/** Dotted paths of every mapping key in a YAML document (lists are not entered). */
function keyPaths(map: YAMLMap, prefix = ""): string[] {
  return map.items.flatMap((pair) => {
    const path = `${prefix}${String((pair.key as { value: unknown }).value)}`;
    return [path, ...(isMap(pair.value) && pair.value.items.length ? keyPaths(pair.value, `${path}.`) : [])];
  });
}

describe("the configuration reference in README.md", () => {
  it("is what the schema renders now (regenerate: npx tsx scripts/write-config-reference.ts)", () => {
    const readme = read("README.md");
    expect(readme).toContain(CONFIG_REFERENCE_START);
    expect(readme).toContain(CONFIG_REFERENCE_END);
    expect(extractConfigReference(readme)).toBe(renderConfigReference());
  });

  it("gives keys that each level defaults differently no single default", () => {
    const reference = renderConfigReference();
    expect(reference).toContain("| `governance.approvals.critical` | mapping | `{ lead: 1, total: 2, fresh: true }` |");
    expect(reference).toContain("| `governance.approvals.<level>.lead` | integer 0–10 | the `<level>`'s (above) |");
  });

  it("documents every key of config/default.yml with its default", () => {
    const reference = renderConfigReference();
    const doc = parseDocument(read("config/default.yml"));
    const paths = keyPaths(doc.contents as YAMLMap);
    expect(paths).toContain("options.skip.drafts");
    for (const path of paths) {
      // Keys of the same shape per level or band are documented once, as `<level>` or `<band>`.
      const forms = [path, path.replace(/\.(low|medium|high|critical)(?=\.|$)/g, ".<level>"), path.replace(/\.(low|medium|high|very_high)(?=\.|$)/g, ".<band>")];
      expect(forms.some((form) => reference.includes(`| \`${form}\` |`)), path).toBe(true);
    }
    expect(reference).toContain("| `routing.max_load` | integer 0–1000 | `5` |");
    expect(reference).toContain("| `options.skip.title` | list of text (≤ 100 chars) | `[WIP, \"[skip triage]\"]` |");
  });

  it("reaches nested keys: list entries, per-level mappings, weights and checklist items", () => {
    const reference = renderConfigReference();
    for (const path of [
      "routing.<level>[].from",
      "routing.<level>[].count",
      "risk.impact[].paths",
      "risk.matrix.<band>.critical",
      "governance.approvals.<level>.lead",
      "checklists[].when.labels",
      "checklists[].items[].text",
      "checklists[].items[].required",
      "checklists[].items[].by",
      "_extends",
    ]) {
      expect(reference, path).toContain(`| \`${path}\` |`);
    }
    expect(reference).toContain(`| \`risk.weights.size\` | number 0–1 | built-in \`${DEFAULT_WEIGHTS.size}\` |`);
    expect(reference).toContain("| `checklists[].items[].by` | `author` \\| `reviewer` \\| `lead` | `author` |");
  });

  it("replaces only the text between the markers, and refuses a README without them", () => {
    const readme = `intro\n${CONFIG_REFERENCE_START}\nold\n${CONFIG_REFERENCE_END}\noutro\n`;
    const next = replaceConfigReference(readme, "new\n");
    expect(next).toBe(`intro\n${CONFIG_REFERENCE_START}\nnew\n${CONFIG_REFERENCE_END}\noutro\n`);
    expect(extractConfigReference(next)).toBe("new\n");
    expect(() => replaceConfigReference("no markers", "x")).toThrow(/needs the markers/);
    expect(extractConfigReference(`${CONFIG_REFERENCE_END} ${CONFIG_REFERENCE_START}`)).toBeUndefined();
  });

  it("writes defaults as YAML flow, quoting what YAML would misread", () => {
    expect(yamlFlow([{ from: "lead", count: 1 }])).toBe("[{ from: lead, count: 1 }]");
    expect(yamlFlow(["**/*.snap", "WIP", "off", "[skip triage]"])).toBe('["**/*.snap", WIP, "off", "[skip triage]"]');
    expect(yamlFlow({})).toBe("{}");
    expect(yamlFlow(true)).toBe("true");
  });
});
