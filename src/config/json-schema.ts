import { z } from "zod";
import { configSchema } from "./schema.js";

/** The JSON Schema for editors, generated from the zod schema (the input side: defaults optional). */
export function buildJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/review-triage/review-triage/config/review-triage.schema.json",
    title: "Review Triage configuration (.github/review-triage.yml)",
    ...schema,
    // `_extends` is read by the config loader before validation, so editors must accept it.
    properties: {
      _extends: { type: "string", description: "Inherit from another repository's config: `.github`, `repo`, or `org/repo:path.yml`." },
      ...properties,
    },
  };
}

export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
