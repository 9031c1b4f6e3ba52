import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

describe(".env.example", () => {
  it("sets nothing, so copying it to .env changes nothing until edited", () => {
    // Probot parses .env this way and assigns the result over process.env.
    expect(parseEnv(read(".env.example"))).toEqual({});
  });

  it("mentions every variable of the README's table, commented out", () => {
    const readme = read("README.md");
    const table = readme.slice(readme.indexOf("## Environment variables"), readme.indexOf("## Configuration"));
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!);
    expect(documented).toContain("APP_ID");
    const example = read(".env.example");
    const missing = documented.filter((name) => !new RegExp(`^# ${name}=`, "m").test(example));
    expect(missing).toEqual([]);
  });
});
