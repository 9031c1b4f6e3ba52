import { LRUCache } from "lru-cache";
import { analyzeFiles, type AnalysisResult } from "../core/analysis/analyze-files.js";
import { summarizeAnalysis, toAnnotations } from "../core/analysis/to-annotations.js";
import type { TriagePipelineExtras } from "./triage.js";
import { errorStatus } from "../github/types.js";

export const STATIC_ANALYSIS_DOCS = "https://github.com/review-triage/review-triage/blob/main/docs/static-analysis.md";

/**
 * Static analysis as a pipeline stage (SPEC §7): lint the PR's changed JavaScript/TypeScript
 * at its head commit, once per commit — reviews and ticks re-evaluate the PR without
 * fetching the files again.
 */
export function createAnalyzer(cacheSize = 2000): NonNullable<TriagePipelineExtras["analyze"]> {
  const cache = new LRUCache<string, AnalysisResult>({ max: cacheSize });
  // Linting is synchronous CPU work: one PR at a time keeps the event loop answering other
  // webhooks between files, and keeps memory flat when many PRs arrive together.
  let lane: Promise<unknown> = Promise.resolve();
  return async ({ config, files, headSha, octokit, owner, repo }) => {
    const key = `${owner}/${repo}@${headSha}:${JSON.stringify(config.analysis)}`;
    let result = cache.get(key);
    if (!result) {
      const turn = lane.then(() => undefined);
      let release: () => void = () => undefined;
      lane = new Promise<void>((r) => (release = r));
      await turn;
      try {
        const fetchContent = async (path: string) => {
          try {
            const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ref: headSha, mediaType: { format: "raw" } });
            return typeof data === "string" ? data : null;
          } catch (error) {
            if (errorStatus(error) === 404) return null;
            throw error;
          }
        };
        // Another event may have linted this commit while this one waited its turn.
        result = cache.get(key) ?? (await analyzeFiles({ files, config: config.analysis, fetchContent }));
        cache.set(key, result);
      } finally {
        release();
      }
    }
    if (!result.enabled || (!result.linted.length && !result.skipped.length)) return undefined;
    return {
      errors: result.errorsOnChangedLines,
      annotations: toAnnotations(result.findings),
      text: `### Static analysis\n\n${summarizeAnalysis(result, { docsUrl: STATIC_ANALYSIS_DOCS })}`,
    };
  };
}
