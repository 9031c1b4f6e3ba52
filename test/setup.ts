import nock from "nock";
import { afterEach, beforeAll, beforeEach, expect } from "vitest";

// Tests are hermetic: no request may leave the process, every mocked request must be used,
// and a request no mock answers fails the test even when the code under test tolerates the
// error it gets (a failure-tolerant read would otherwise hide an unexpected call).
let unmatched: string[] = [];

function onNoMatch(req: { method?: string; href?: string; path?: string; hostname?: string; options?: { hostname?: string } }) {
  const where = req.href ?? req.path ?? "";
  // Calls to the app's own local server pass through nock too.
  if (/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(where)) return;
  unmatched.push(`${req.method ?? "?"} ${where}`);
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  nock.emitter.on("no match", onNoMatch);
});

beforeEach(() => {
  unmatched = [];
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  const stray = unmatched;
  unmatched = [];
  expect(pending, "every mocked GitHub request must be used").toEqual([]);
  expect(stray, "every GitHub request must be mocked").toEqual([]);
});
