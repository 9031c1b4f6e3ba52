import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { REDACT } from "../src/create-logger.js";

describe("the app's logger", () => {
  it("drops webhook payloads and request headers that errors carry", () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ redact: REDACT }, stream);
    // What Probot logs for a delivery with a bad signature: the error with the event attached.
    const error = Object.assign(new Error("signature does not match event payload and secret"), {
      event: { id: "d1", name: "pull_request", payload: { secret_field: "the whole webhook" } },
      request: { headers: { authorization: "token ghs_secret" }, body: "{}" },
    });
    log.child({ name: "event", id: "d1" }).error(error);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("signature does not match");
    expect(lines[0]).not.toContain("the whole webhook");
    expect(lines[0]).not.toContain("ghs_secret");
  });

  it("drops the events an aggregate webhook error carries, one per failed handler", () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ redact: REDACT }, stream);
    const event = { id: "d2", name: "pull_request", payload: { body: "private text of the PR" } };
    // @octokit/webhooks rejects with an AggregateError whose every error carries the event;
    // pino writes those errors out as `aggregateErrors`.
    const error = Object.assign(new AggregateError([Object.assign(new Error("handler one"), { event }), Object.assign(new Error("handler two"), { event })], "webhook handlers failed"), { event });
    log.error({ err: error }, "webhook failed");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("webhook failed");
    expect(lines[0]).not.toContain("private text of the PR");
  });
});
