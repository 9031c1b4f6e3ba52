import { writeFileSync } from "node:fs";
import { renderJsonSchema } from "../src/config/json-schema.js";

const target = new URL("../config/review-triage.schema.json", import.meta.url);
writeFileSync(target, renderJsonSchema());
console.log(`wrote ${target.pathname}`);
