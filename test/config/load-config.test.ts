import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { loadConfig, mergeConfigs } from "../../src/config/load-config.js";
import { defaultConfig } from "../../src/config/schema.js";
import { API, RAW } from "../helpers/github.js";

const Octokit = ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } });

function contextFor(owner: string, repo: string) {
  const octokit = new Octokit({ auth: "token test" });
  return {
    octokit,
    repo: <T extends object>(extra?: T) => ({ owner, repo, ...(extra ?? ({} as T)) }),
  } as unknown as Parameters<typeof loadConfig>[0];
}

const CONFIG = /\/contents\/\.github(%2F|\/)review-triage\.yml/;

describe("loadConfig", () => {
  it("reads the repository's file from the default branch (no ref) and applies defaults", async () => {
    nock(API)
      .get((uri) => CONFIG.test(uri) && uri.startsWith("/repos/acme/app/") && !uri.includes("ref="))
      .reply(200, "reviewers:\n  lead: [alice]\n  seniors: [bob, carol]\nrouting:\n  strategy: round-robin\n", RAW);
    const loaded = await loadConfig(contextFor("acme", "app"));
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.source).toBe("file");
    expect(loaded.files).toEqual(["acme/app:.github/review-triage.yml"]);
    expect(loaded.config.reviewers).toEqual({ lead: ["alice"], seniors: ["bob", "carol"] });
    expect(loaded.config.routing.strategy).toBe("round-robin");
    expect(loaded.config.routing.max_load).toBe(5);
  });

  it("falls back to the built-in defaults when neither the repository nor the org has a file", async () => {
    nock(API).get((uri) => CONFIG.test(uri) && uri.startsWith("/repos/acme/app/")).reply(404, { message: "Not Found" });
    nock(API).get((uri) => CONFIG.test(uri) && uri.startsWith("/repos/acme/.github/")).reply(404, { message: "Not Found" });
    const loaded = await loadConfig(contextFor("acme", "app"));
    expect(loaded).toEqual({ ok: true, config: defaultConfig(), source: "defaults", files: [] });
  });

  it("follows an _extends chain, the repository's own keys winning and lists replaced", async () => {
    nock(API)
      .get((uri) => CONFIG.test(uri) && uri.startsWith("/repos/acme/app/"))
      .reply(200, "_extends: .github\nreviewers:\n  seniors: [dan]\nrisk:\n  ignore: ['dist/**']\n", RAW);
    nock(API)
      .get((uri) => CONFIG.test(uri) && uri.startsWith("/repos/acme/.github/"))
      .reply(200, "_extends: policies:base.yml\nreviewers:\n  lead: [alice]\n  seniors: [bob, carol]\nrisk:\n  ignore: ['**/*.snap', 'vendor/**']\n", RAW);
    nock(API)
      .get((uri) => uri.startsWith("/repos/acme/policies/contents/base.yml"))
      .reply(200, "routing:\n  max_load: 3\n  strategy: random\n", RAW);
    const loaded = await loadConfig(contextFor("acme", "app"));
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.files).toEqual(["acme/app:.github/review-triage.yml", "acme/.github:.github/review-triage.yml", "acme/policies:base.yml"]);
    expect(loaded.config.reviewers).toEqual({ lead: ["alice"], seniors: ["dan"] });
    expect(loaded.config.risk.ignore).toEqual(["dist/**"]);
    expect(loaded.config.routing.max_load).toBe(3);
    expect(loaded.config.routing.strategy).toBe("random");
  });

  it("reports a YAML syntax error as a problem, not a crash", async () => {
    nock(API)
      .get((uri) => CONFIG.test(uri))
      .reply(200, "reviewers:\n  lead: [alice\n", RAW);
    const loaded = await loadConfig(contextFor("acme", "app"));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]!.expected).toBe("a readable YAML config");
    expect(loaded.problems[0]!.found).toContain("invalid YAML");
  });

  it("turns schema errors into path / expected / found lines", async () => {
    nock(API)
      .get((uri) => CONFIG.test(uri))
      .reply(200, "reviewers:\n  lead: alice\nrouting:\n  strategy: fastest\n  hihg: []\n", RAW);
    const loaded = await loadConfig(contextFor("acme", "app"));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toEqual(
      expect.arrayContaining([
        { path: "reviewers.lead", expected: 'a list or "codeowners"', found: 'string "alice"' },
        { path: "routing.strategy", expected: 'one of "least-loaded", "round-robin", "random"', found: '"fastest"' },
        { path: "routing.hihg", expected: 'a known key (did you mean "high"?)', found: 'unknown key "hihg"' },
      ]),
    );
  });

  it("rejects an oversized config by the limits of SPEC §2", async () => {
    const rules = Array.from({ length: 501 }, (_, i) => `    - { paths: ["src/m${i}/**"], impact: high }`).join("\n");
    nock(API)
      .get((uri) => CONFIG.test(uri))
      .reply(200, `risk:\n  impact:\n${rules}\n`, RAW);
    const loaded = await loadConfig(contextFor("acme", "app"));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems.map((p) => `${p.path}: ${p.expected} / ${p.found}`)).toContain(
      "risk: at most 500 path patterns in the whole file / 518 patterns",
    );
  });

  it("rejects a config file larger than 256 KiB before validating it", async () => {
    const big = `checklists:\n  - name: big\n    items:\n${Array.from({ length: 600 }, (_, i) => `      - "${"x".repeat(480)} ${i}"`).join("\n")}\n`;
    nock(API).get((uri) => CONFIG.test(uri)).reply(200, big, RAW);
    const loaded = await loadConfig(contextFor("acme", "app"));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toEqual([{ path: "", expected: "a config of at most 256 KiB", found: "286 KiB" }]);
  });

  it("lets server errors through so Probot's retry can handle them", async () => {
    nock(API).get((uri) => CONFIG.test(uri)).reply(502, "bad gateway");
    await expect(loadConfig(contextFor("acme", "app"))).rejects.toMatchObject({ status: 502 });
  });
});

describe("mergeConfigs", () => {
  it("merges mappings deeply and replaces lists", () => {
    expect(mergeConfigs({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] } })).toEqual({ a: { b: 1, c: [3] }, d: 1 });
  });
});
