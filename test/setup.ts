import nock from "nock";
import { afterEach, beforeAll, expect } from "vitest";

// Tests are hermetic: no request may leave the process, and every mocked request must be used.
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, "every mocked GitHub request must be used").toEqual([]);
});
