import nock from "nock";
import { describe, expect, it } from "vitest";
import { CodeownersCache, MAX_CODEOWNERS_BYTES, readCodeowners } from "../../src/github/read-codeowners.js";
import type { Octokit } from "../../src/github/types.js";
import { TestOctokit } from "../helpers/app.js";
import { API } from "../helpers/github.js";

const octokit = new TestOctokit({ auth: "token test" }) as unknown as Octokit;
const repo = { owner: "acme", repo: "widgets" };
const contents = (path: string) => new RegExp(`^/repos/acme/widgets/contents/${path.replace("/", "(%2F|/)")}$`);
const file = (text: string) => ({ type: "file", encoding: "base64", size: Buffer.byteLength(text), content: Buffer.from(text).toString("base64") });

describe("readCodeowners", () => {
  it("tries .github/, the root and docs/ in GitHub's order, one call each, and parses the first found", async () => {
    nock(API)
      .get(contents(".github/CODEOWNERS"))
      .reply(404, { message: "Not Found" })
      .get(contents("CODEOWNERS"))
      .reply(404, { message: "Not Found" })
      .get(contents("docs/CODEOWNERS"))
      .reply(200, file("/src/payments/ @alice\n"));
    const found = await readCodeowners(octokit, repo, new CodeownersCache());
    expect(found?.path).toBe("docs/CODEOWNERS");
    expect(found?.rules.map((r) => [r.pattern, r.owners])).toEqual([["/src/payments/", ["@alice"]]]);
  });

  it("stops at the first location that has the file, reads the default branch (no ref), and caches per repository", async () => {
    nock(API)
      .get(contents(".github/CODEOWNERS"))
      .query((q) => q.ref === undefined)
      .reply(200, file("* @bob\n"));
    const cache = new CodeownersCache();
    const first = await readCodeowners(octokit, repo, cache);
    // Within the cache's lifetime no second call is made (the mock above answers once).
    const second = await readCodeowners(octokit, { owner: "ACME", repo: "Widgets" }, cache);
    expect(second).toBe(first);
    cache.invalidate(repo);
    nock(API).get(contents(".github/CODEOWNERS")).reply(200, file("* @carol\n"));
    expect((await readCodeowners(octokit, repo, cache))?.rules[0]!.owners).toEqual(["@carol"]);
  });

  it("remembers that there is none, and skips a directory named CODEOWNERS", async () => {
    nock(API)
      .get(contents(".github/CODEOWNERS"))
      .reply(200, [{ type: "file", name: "x" }])
      .get(contents("CODEOWNERS"))
      .reply(404, {})
      .get(contents("docs/CODEOWNERS"))
      .reply(404, {});
    const cache = new CodeownersCache();
    expect(await readCodeowners(octokit, repo, cache)).toBeNull();
    expect(await readCodeowners(octokit, repo, cache)).toBeNull();
  });

  it("refuses a file over the size bound with a note instead of reading it", async () => {
    nock(API)
      .get(contents(".github/CODEOWNERS"))
      .reply(200, { type: "file", encoding: "none", size: MAX_CODEOWNERS_BYTES * 2, content: "" });
    expect(await readCodeowners(octokit, repo, new CodeownersCache())).toEqual({
      path: ".github/CODEOWNERS",
      rules: [],
      notes: [".github/CODEOWNERS is 2048 KiB, over the 1024 KiB the app reads; its owners were not used."],
    });
  });

  it("throws other errors for the caller to retry, and caches nothing", async () => {
    nock(API).get(contents(".github/CODEOWNERS")).reply(502, { message: "Bad Gateway" });
    const cache = new CodeownersCache();
    await expect(readCodeowners(octokit, repo, cache)).rejects.toMatchObject({ status: 502 });
    nock(API).get(contents(".github/CODEOWNERS")).reply(200, file("* @bob\n"));
    expect((await readCodeowners(octokit, repo, cache))?.path).toBe(".github/CODEOWNERS");
  });
});
