import type { FetchedContent } from "../core/analysis/analyze-files.js";
import type { Octokit, RepoRef } from "./types.js";

/** Blobs per GraphQL query: GitHub's node limit per connection, and a 100-file PR in one request. */
export const BLOBS_PER_QUERY = 100;

/**
 * Bytes of one GraphQL answer read at most. GitHub sends up to 512,000 bytes of text per blob,
 * so 100 blobs could be 50 MB; an answer over this is dropped unread and its files are asked
 * for again in two halves, which keeps the process's memory flat whatever a PR contains.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/**
 * The query for `count` blobs of one repository. Every path arrives as a variable (`$e0`, …):
 * file names are the PR author's to choose, and a variable can never be read as query syntax.
 */
export function blobQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$e${i}: String!`).join(", ");
  const fields = Array.from({ length: count }, (_, i) => `    f${i}: object(expression: $e${i}) { ... on Blob { text byteSize isBinary isTruncated } }`);
  return [`query ($owner: String!, $name: String!${variables ? `, ${variables}` : ""}) {`, "  repository(owner: $owner, name: $name) {", ...fields, "  }", "}"].join("\n");
}

interface BlobNode {
  text?: string | null;
  byteSize?: number;
  isBinary?: boolean | null;
  isTruncated?: boolean;
}

interface Answer {
  data?: { repository: Record<string, BlobNode | null> | null } | null;
  errors?: Array<{ path?: unknown[]; message?: string; type?: string }>;
}

export interface FetchBlobsOptions {
  maxAnswerBytes?: number;
  /** Abandons the queries not answered yet (the PR's analysis budget); they reject with its reason. */
  signal?: AbortSignal;
}

/**
 * The text of each path at commit `sha`, with one GraphQL query per 100 paths instead of one
 * REST contents read per file: a 100-file PR costs one request. Paths a query could not answer
 * are `failed`; the rest of its answer is kept.
 */
export async function fetchBlobs(
  octokit: Octokit,
  ref: RepoRef & { sha: string },
  paths: readonly string[],
  { maxAnswerBytes = MAX_ANSWER_BYTES, signal }: FetchBlobsOptions = {},
): Promise<Map<string, FetchedContent>> {
  const out = new Map<string, FetchedContent>();
  const fetchBatch = async (batch: readonly string[]): Promise<void> => {
    const variables: Record<string, string> = { owner: ref.owner, name: ref.repo };
    batch.forEach((path, i) => (variables[`e${i}`] = `${ref.sha}:${path}`));
    let answer: Answer | "too-large";
    try {
      answer = await queryAnswer(octokit, blobQuery(batch.length), variables, maxAnswerBytes, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
      for (const path of batch) out.set(path, { kind: "failed", message });
      return;
    }
    if (answer === "too-large") {
      if (batch.length === 1) {
        out.set(batch[0]!, { kind: "failed", message: `GitHub's answer for it was over ${maxAnswerBytes.toLocaleString("en-US")} bytes` });
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await fetchBatch(batch.slice(0, half));
      await fetchBatch(batch.slice(half));
      return;
    }
    // GitHub names a field's error by its path; an error without one concerns the whole query.
    const failedAliases = new Map<string, string>();
    let failedAll: string | undefined;
    for (const e of answer.errors ?? []) {
      const alias = e.path?.[1];
      if (e.path?.[0] === "repository" && typeof alias === "string") failedAliases.set(alias, e.message ?? "GitHub could not read it");
      else failedAll ??= e.message ?? "GitHub could not answer the query";
    }
    const repository = answer.data?.repository;
    if (!repository) failedAll ??= "GitHub's answer had no repository";
    batch.forEach((path, i) => {
      const alias = `f${i}`;
      const node = repository?.[alias];
      const failure = failedAliases.get(alias) ?? failedAll;
      if (node && typeof node.byteSize === "number") {
        out.set(path, {
          kind: "blob",
          bytes: node.byteSize,
          // Text that will not be linted is not kept: a truncated or binary blob's text can be
          // half a megabyte, and a query's answers are held until every file is linted.
          text: typeof node.text === "string" && node.isTruncated !== true && node.isBinary !== true ? node.text : null,
          // GitHub answers null when it cannot tell; such a blob has no text to lint either.
          binary: node.isBinary === true,
          truncated: node.isTruncated === true,
        });
      } else if (failure !== undefined) {
        out.set(path, { kind: "failed", message: failure });
      } else {
        // null: nothing at that path; `{}`: something that is not a blob (a submodule's commit).
        out.set(path, { kind: "missing" });
      }
    });
  };
  for (let start = 0; start < paths.length; start += BLOBS_PER_QUERY) {
    signal?.throwIfAborted();
    await fetchBatch(paths.slice(start, start + BLOBS_PER_QUERY));
  }
  return out;
}

/**
 * POST the query and read the answer, at most `maxBytes` of it. The body is parsed here with
 * JSON.parse rather than by Octokit, whose BigInt-aware parser takes about 0.2 s per MB of
 * file text on the thread that answers webhooks.
 */
async function queryAnswer(octokit: Octokit, query: string, variables: Record<string, string>, maxBytes: number, signal?: AbortSignal): Promise<Answer | "too-large"> {
  // GitHub Enterprise Server serves REST under /api/v3 and GraphQL at /api/graphql, as
  // @octokit/graphql resolves it; a plain "POST /graphql" would go to /api/v3/graphql there.
  const url = `${String(octokit.request.endpoint.DEFAULTS.baseUrl).replace(/\/api\/v3\/?$/, "/api")}/graphql`;
  const response = await octokit.request("POST {+url}", { url, query, variables, request: { parseSuccessResponseBody: false, ...(signal ? { signal } : {}) } });
  const body = response.data as unknown as ReadableStream<Uint8Array> | null;
  if (!body) return {};
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      return "too-large";
    }
    chunks.push(value);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Answer;
}
