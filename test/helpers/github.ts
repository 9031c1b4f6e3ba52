import nock from "nock";

export const API = "https://api.github.com";

/** The installation token exchange every event starts with. */
export function mockToken(scope: nock.Scope = nock(API)): nock.Scope {
  return scope.post(/\/app\/installations\/\d+\/access_tokens/).reply(201, {
    token: "ghs_test",
    expires_at: "2099-01-01T00:00:00Z",
    permissions: { pull_requests: "write", checks: "write", issues: "write", contents: "read", metadata: "read", members: "read" },
  });
}

/** Matches the contents URL of the config file in any repository. */
export const CONFIG_URL = /\/contents\/\.github(%2F|\/)review-triage\.yml/;

/** How GitHub labels a raw file from the contents API. */
export const RAW = { "content-type": "text/plain; charset=utf-8" };
