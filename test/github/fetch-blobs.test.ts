import { validate } from "@octokit/graphql-schema";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { blobQuery, fetchBlobs } from "../../src/github/fetch-blobs.js";
import type { Octokit } from "../../src/github/types.js";
import { TestOctokit } from "../helpers/app.js";
import { API } from "../helpers/github.js";

const octokit = new TestOctokit({ auth: "token test" }) as unknown as Octokit;
const SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const REF = { owner: "acme", repo: "widgets", sha: SHA };

type GraphqlBody = { query: string; variables: Record<string, string> };

const blob = (text: string) => ({ text, byteSize: Buffer.byteLength(text), isBinary: false, isTruncated: false });

describe("blobQuery", () => {
  it("is valid against GitHub's GraphQL schema", () => {
    for (const count of [1, 3, 100]) expect(validate(blobQuery(count)).map((e) => e.message)).toEqual([]);
  });

  it("would fail that check with a misspelt field (the check is real)", () => {
    expect(validate(blobQuery(2).replaceAll("byteSize", "byteSise")).map((e) => e.message)).toEqual([
      'Cannot query field "byteSise" on type "Blob". Did you mean "byteSize"?',
      'Cannot query field "byteSise" on type "Blob". Did you mean "byteSize"?',
    ]);
  });
});

describe("fetchBlobs", () => {
  it("asks for up to 100 files per query, each path only in a variable", async () => {
    // File names are the PR author's: quotes, braces and newlines must stay data.
    const hostile = 'src/a"){ viewer { login } }\n#.js';
    const paths = [hostile, ...Array.from({ length: 149 }, (_, i) => `src/f${i}.ts`)];
    const bodies: GraphqlBody[] = [];
    const answer = (body: GraphqlBody) => {
      const repository: Record<string, unknown> = {};
      for (const [key, expression] of Object.entries(body.variables)) {
        if (key.startsWith("e")) repository[`f${key.slice(1)}`] = blob(`// ${expression}\n`);
      }
      return { data: { repository } };
    };
    nock(API)
      .post("/graphql", (b: GraphqlBody) => (bodies.push(b), true))
      .times(2)
      .reply(200, (_uri, b) => answer(b as GraphqlBody));

    const got = await fetchBlobs(octokit, REF, paths);

    expect(bodies.map((b) => Object.keys(b.variables).filter((k) => k.startsWith("e")).length)).toEqual([100, 50]);
    expect(bodies[0]!.variables).toMatchObject({ owner: "acme", name: "widgets", e0: `${SHA}:${hostile}`, e99: `${SHA}:src/f98.ts` });
    expect(bodies[1]!.variables).toMatchObject({ e0: `${SHA}:src/f99.ts`, e49: `${SHA}:src/f148.ts` });
    for (const b of bodies) {
      expect(b.query).not.toContain("src/");
      expect(validate(b.query)).toEqual([]);
    }
    expect(got.size).toBe(150);
    expect(got.get(hostile)).toEqual({ kind: "blob", bytes: Buffer.byteLength(`// ${SHA}:${hostile}\n`), text: `// ${SHA}:${hostile}\n`, binary: false, truncated: false });
    expect(got.get("src/f148.ts")).toMatchObject({ kind: "blob", text: `// ${SHA}:src/f148.ts\n` });
  });

  it("tells binary, truncated, missing and non-blob entries apart", async () => {
    nock(API)
      .post("/graphql")
      .reply(200, {
        data: {
          repository: {
            f0: blob("export const a = 1;\n"),
            f1: { text: null, byteSize: 4096, isBinary: true, isTruncated: false },
            f2: { text: "x".repeat(10), byteSize: 700_000, isBinary: false, isTruncated: true },
            f3: null,
            // A submodule: the expression resolves to a commit, which `... on Blob` leaves empty.
            f4: {},
          },
        },
      });
    const got = await fetchBlobs(octokit, REF, ["a.js", "logo.js", "long.js", "gone.js", "vendor/lib"]);
    expect(Object.fromEntries(got)).toEqual({
      "a.js": { kind: "blob", bytes: 20, text: "export const a = 1;\n", binary: false, truncated: false },
      "logo.js": { kind: "blob", bytes: 4096, text: null, binary: true, truncated: false },
      // Text that will not be linted is not kept.
      "long.js": { kind: "blob", bytes: 700_000, text: null, binary: false, truncated: true },
      "gone.js": { kind: "missing" },
      "vendor/lib": { kind: "missing" },
    });
  });

  it("keeps what GitHub answered when part of a query fails, and marks the failed paths", async () => {
    nock(API)
      .post("/graphql")
      .reply(200, {
        data: { repository: { f0: blob("a;\n"), f1: null, f2: null } },
        errors: [{ type: "SERVICE_UNAVAILABLE", path: ["repository", "f1"], message: "Timeout on blob" }],
      });
    const got = await fetchBlobs(octokit, REF, ["a.js", "b.js", "c.js"]);
    expect(got.get("a.js")).toMatchObject({ kind: "blob", text: "a;\n" });
    expect(got.get("b.js")).toEqual({ kind: "failed", message: "Timeout on blob" });
    expect(got.get("c.js")).toEqual({ kind: "missing" });
  });

  it("marks every path failed when the query fails as a whole", async () => {
    nock(API).post("/graphql").reply(502, { message: "Server Error" });
    const got = await fetchBlobs(octokit, REF, ["a.js", "b.js"]);
    expect([...got.values()]).toEqual([
      { kind: "failed", message: "Server Error" },
      { kind: "failed", message: "Server Error" },
    ]);
  });

  it("drops an answer over its byte bound unread and asks again for each half", async () => {
    const text = "x".repeat(1000);
    const sizes: number[] = [];
    nock(API)
      .post("/graphql", (b: GraphqlBody) => (sizes.push(Object.keys(b.variables).length - 2), true))
      .times(4)
      .reply(200, (_uri, b) => {
        const repository: Record<string, unknown> = {};
        for (const key of Object.keys((b as GraphqlBody).variables)) if (key.startsWith("e")) repository[`f${key.slice(1)}`] = blob(key === "e0" && sizes.at(-1) === 1 ? "y".repeat(5000) : text);
        return { data: { repository } };
      });
    // Four 1 KB files do not fit in 3 KB; two do. The fifth file alone is over the bound.
    const got = await fetchBlobs(octokit, REF, ["a.js", "b.js", "c.js", "d.js"], { maxAnswerBytes: 3000 });
    expect(sizes).toEqual([4, 2, 2]);
    expect([...got.values()].map((c) => c.kind)).toEqual(["blob", "blob", "blob", "blob"]);
    const alone = await fetchBlobs(octokit, REF, ["e.js"], { maxAnswerBytes: 3000 });
    expect(alone.get("e.js")).toEqual({ kind: "failed", message: "GitHub's answer for it was over 3,000 bytes" });
  });

  it("makes no request for no paths", async () => {
    expect((await fetchBlobs(octokit, REF, [])).size).toBe(0);
  });
});

describe("fetchBlobs on GitHub Enterprise Server", () => {
  it("posts to /api/graphql, not under the REST prefix /api/v3", async () => {
    const ghes = new TestOctokit({ auth: "token test", baseUrl: "https://ghe.example.com/api/v3" }) as unknown as Octokit;
    const scope = nock("https://ghe.example.com")
      .post("/api/graphql")
      .reply(200, { data: { repository: { f0: blob("export const a = 1;\n") } } });
    const out = await fetchBlobs(ghes, REF, ["src/a.ts"]);
    expect(out.get("src/a.ts")).toMatchObject({ kind: "blob", text: "export const a = 1;\n" });
    expect(scope.isDone()).toBe(true);
  });
});
