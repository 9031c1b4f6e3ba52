import { validate } from "@octokit/graphql-schema";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { BusyStatusCache, busyStatusQuery, MAX_BUSY_LOGINS, readBusyStatus } from "../../src/github/read-busy-status.js";
import type { Octokit } from "../../src/github/types.js";
import { TestOctokit } from "../helpers/app.js";
import { API } from "../helpers/github.js";

const octokit = new TestOctokit({ auth: "token test" }) as unknown as Octokit;
const repo = { owner: "acme", repo: "widgets" };
const status = (busy: boolean, message: string | null = null) => ({ status: { indicatesLimitedAvailability: busy, message } });

describe("busyStatusQuery", () => {
  it("is valid against GitHub's GraphQL schema", () => {
    expect(validate(busyStatusQuery(1))).toEqual([]);
    expect(validate(busyStatusQuery(MAX_BUSY_LOGINS))).toEqual([]);
  });

  it("passes logins as variables, never in the query text", () => {
    expect(busyStatusQuery(2)).toBe(
      "query ReviewTriageBusyStatus($l0: String!, $l1: String!) {\n" +
        "  u0: user(login: $l0) { status { indicatesLimitedAvailability message } }\n" +
        "  u1: user(login: $l1) { status { indicatesLimitedAvailability message } }\n}",
    );
  });
});

describe("readBusyStatus", () => {
  it("asks for every candidate in one query and returns the busy ones with their message", async () => {
    let body: { query: string; variables: Record<string, string> } | undefined;
    nock(API)
      .post("/graphql", (b) => ((body = b as typeof body), true))
      .reply(200, { data: { u0: status(true, "On leave until 3 June"), u1: status(false, "Focusing"), u2: { status: null } } });
    const result = await readBusyStatus(octokit, repo, ["Alice", "bob", "carol", "alice", "@acme/web", "ci[bot]"], new BusyStatusCache());
    expect(body?.variables).toEqual({ l0: "alice", l1: "bob", l2: "carol" });
    expect(body?.query).toBe(busyStatusQuery(3));
    expect(result).toEqual({ busy: new Map([["alice", "On leave until 3 June"]]), notes: [] });
  });

  it("shares one query between triages that ask for the same people at the same time (a burst)", async () => {
    nock(API)
      .post("/graphql")
      .delay(50)
      .reply(200, { data: { u0: status(true, "Away"), u1: status(false) } });
    const cache = new BusyStatusCache();
    const answers = await Promise.all([1, 2, 3].map(() => readBusyStatus(octokit, repo, ["alice", "bob"], cache)));
    for (const answer of answers) expect(answer.busy).toEqual(new Map([["alice", "Away"]]));
  });

  it("answers from the cache within its lifetime, asking only for the others", async () => {
    const cache = new BusyStatusCache();
    nock(API).post("/graphql").reply(200, { data: { u0: status(true, ""), u1: status(false) } });
    await readBusyStatus(octokit, repo, ["alice", "bob"], cache);
    let variables: unknown;
    nock(API)
      .post("/graphql", (b: { variables: unknown }) => ((variables = b.variables), true))
      .reply(200, { data: { u0: status(false) } });
    const again = await readBusyStatus(octokit, repo, ["alice", "bob", "carol"], cache);
    expect(variables).toEqual({ l0: "carol" });
    expect(again.busy).toEqual(new Map([["alice", ""]]));
    // Everyone cached: no request at all.
    expect((await readBusyStatus(octokit, repo, ["alice", "bob", "carol"], cache)).busy).toEqual(new Map([["alice", ""]]));
  });

  it("keeps statuses apart per organization, since a status can be visible to one organization only", async () => {
    const cache = new BusyStatusCache();
    nock(API).post("/graphql").reply(200, { data: { u0: status(true, "busy") } });
    await readBusyStatus(octokit, repo, ["alice"], cache);
    nock(API).post("/graphql").reply(200, { data: { u0: status(false) } });
    expect((await readBusyStatus(octokit, { owner: "other", repo: "x" }, ["alice"], cache)).busy.size).toBe(0);
  });

  it("uses the rest of the answer when a login is not a user", async () => {
    nock(API)
      .post("/graphql")
      .reply(200, {
        data: { u0: null, u1: status(true, "away") },
        errors: [{ type: "NOT_FOUND", path: ["u0"], message: "Could not resolve to a User with the login of 'ghost'." }],
      });
    const result = await readBusyStatus(octokit, repo, ["ghost", "bob"], new BusyStatusCache());
    expect(result).toEqual({ busy: new Map([["bob", "away"]]), notes: [] });
  });

  it("treats nobody as busy, with a note, when the query fails, and caches nothing", async () => {
    const cache = new BusyStatusCache();
    nock(API).post("/graphql").reply(502, { message: "Bad Gateway" });
    expect(await readBusyStatus(octokit, repo, ["alice"], cache)).toEqual({
      busy: new Map(),
      notes: ["GitHub status could not be read (502), so nobody was treated as busy."],
    });
    nock(API)
      .post("/graphql")
      .reply(200, { data: null, errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded" }] });
    expect((await readBusyStatus(octokit, repo, ["alice"], cache)).notes).toEqual(["GitHub status could not be read, so nobody was treated as busy."]);
    nock(API).post("/graphql").reply(200, { data: { u0: status(true, "x") } });
    expect((await readBusyStatus(octokit, repo, ["alice"], cache)).busy.has("alice")).toBe(true);
  });

  it("asks for at most MAX_BUSY_LOGINS in its one query and says the rest were not checked", async () => {
    const logins = Array.from({ length: MAX_BUSY_LOGINS + 5 }, (_, i) => `user${i}`);
    let count = 0;
    nock(API)
      .post("/graphql", (b: { variables: Record<string, string> }) => ((count = Object.keys(b.variables).length), true))
      .reply(200, { data: {} });
    const result = await readBusyStatus(octokit, repo, logins, new BusyStatusCache());
    expect(count).toBe(MAX_BUSY_LOGINS);
    expect(result.notes).toEqual([`GitHub status was read for ${MAX_BUSY_LOGINS} of ${MAX_BUSY_LOGINS + 5} candidates; the others were not checked for busy.`]);
  });

  it("makes no request when there is nobody to ask", async () => {
    expect(await readBusyStatus(octokit, repo, ["@acme/web", "dependabot[bot]"], new BusyStatusCache())).toEqual({ busy: new Map(), notes: [] });
  });
});
