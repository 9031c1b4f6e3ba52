import { describe, expect, it } from "vitest";
import { KeyedSerialQueue } from "../../src/github/keyed-serial-queue.js";
import { PRIORITY, WriteQueue } from "../../src/queue/write-queue.js";

describe("WriteQueue", () => {
  it("hands the most urgent write out first within an installation", async () => {
    const queue = new WriteQueue(1);
    const order: string[] = [];
    const job = (name: string) => async () => {
      order.push(name);
      await new Promise((r) => setTimeout(r, 1));
    };
    await Promise.all([
      queue.schedule("1", PRIORITY.label, job("label-1")),
      queue.schedule("1", PRIORITY.comment, job("comment-1")),
      queue.schedule("1", PRIORITY.reviewers, job("reviewers-1")),
      queue.schedule("1", PRIORITY.reviewers, job("reviewers-2")),
      queue.schedule("1", PRIORITY.check, job("check-1")),
      queue.schedule("1", PRIORITY.urgentReviewers, job("urgent-reviewers")),
    ]);
    expect(order).toEqual(["urgent-reviewers", "reviewers-1", "reviewers-2", "check-1", "comment-1", "label-1"]);
    expect(queue.lanes).toBe(0);
  });

  it("keeps installations independent and reports failures to the caller", async () => {
    const queue = new WriteQueue(1);
    const failing = queue.schedule("a", PRIORITY.label, async () => {
      throw new Error("boom");
    });
    const other = queue.schedule("b", PRIORITY.label, async () => "ok");
    await expect(failing).rejects.toThrow("boom");
    await expect(other).resolves.toBe("ok");
    expect(queue.pending).toBe(0);
  });
});

describe("KeyedSerialQueue", () => {
  it("runs tasks for one key one at a time, in order, and forgets drained keys", async () => {
    const queue = new KeyedSerialQueue();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`end ${name}`);
    };
    await Promise.all([queue.run("pr#1", task("a", 5)), queue.run("pr#1", task("b", 1)), queue.run("pr#2", task("c", 1))]);
    expect(events.indexOf("end a")).toBeLessThan(events.indexOf("start b"));
    expect(events.indexOf("start c")).toBeLessThan(events.indexOf("end a"));
    await new Promise((r) => setTimeout(r, 0));
    expect(queue.size).toBe(0);
  });
});
