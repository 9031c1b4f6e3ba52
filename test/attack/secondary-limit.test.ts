import { afterEach, describe, expect, it } from "vitest";
import { API, REPO_PATH, file, mockConfig, mockToken, nock, prPayload } from "../helpers/scenario.js";
import { newDeliveryId, startTestServer, type TestServer } from "../helpers/server.js";
import { DeliveryStore } from "../../src/storage/delivery-store.js";

/**
 * Operator's view of a rate-limit storm: GitHub's secondary rate limit answers 403 "You have
 * exceeded a secondary rate limit", and its docs say that when neither `retry-after` nor
 * `x-ratelimit-remaining: 0` comes with it, the client waits at least a minute and tries again.
 * Such a 403 is a rate limit, not a permission: the triage must not be kept as failed for good.
 */
let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  nock.cleanAll();
});

describe("a secondary rate limit without retry-after", () => {
  it("runs the delivery again later instead of failing it for good", async () => {
    running = await startTestServer();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    scope
      .get(`${REPO_PATH}/pulls/2/files`)
      .query({ per_page: 100 })
      .reply(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits" });
    const id = newDeliveryId();
    await running.post("pull_request", prPayload({ files: [file("src/session.ts", 40)] }), { id });
    const store = new DeliveryStore(running.database.db);
    const until = Date.now() + 5000;
    while (Date.now() < until && nock.pendingMocks().length) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const stored = await store.get(id);
    expect(stored?.state, `kept as ${stored?.state}: ${stored?.lastError}`).not.toBe("failed");
    expect(running.logs.some((l) => l.msg === "rate limited; the delivery runs again when the limit resets" && l.delivery === id)).toBe(true);
  });
});
