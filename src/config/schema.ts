import { z } from "zod";
import { RULE_IDS } from "../core/analysis/rule-set.js";

/**
 * The single source of truth for `.github/review-triage.yml`.
 * Types, defaults, the generated JSON Schema (`config/review-triage.schema.json`) and
 * `review-triage validate` all come from here. Every object is strict: unknown keys are
 * errors, never silently dropped.
 */

/** Limits that guard against hostile or runaway configs. */
export const LIMITS = {
  pathPatterns: 500,
  patternLength: 256,
  groups: 50,
  groupMembers: 200,
  checklistItems: 100,
} as const;

export const LEVELS = ["low", "medium", "high", "critical"] as const;
export const levelSchema = z.enum(LEVELS);
export type Level = z.output<typeof levelSchema>;

export const FACTOR_NAMES = [
  "size",
  "files",
  "directories",
  "fix",
  "change_type",
  "test_gap",
  "static_analysis",
] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];

export const BANDS = ["low", "medium", "high", "very_high"] as const;
export type Band = (typeof BANDS)[number];

const pattern = z
  .string()
  .min(1, "a glob pattern must not be empty")
  .max(LIMITS.patternLength, `a glob pattern may be at most ${LIMITS.patternLength} characters`)
  .describe("A glob pattern (minimatch syntax, dot files included), relative to the repository root.");

const patterns = z.array(pattern);

/** A GitHub login (`alice`), or a team as `@org/team-slug`. */
const member = z
  .string()
  .regex(
    /^(@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9_.-]{1,100}|[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?)$/,
    "a GitHub login (alice) or a team (@org/team-slug)",
  )
  .describe("A GitHub login (`alice`) or a team (`@org/team-slug`), expanded to its members.");

/**
 * A reviewer group's value `codeowners`, or that word as an entry of its list: the owners
 * CODEOWNERS gives the changed files (read from the default branch), picked by load like
 * any member. It shadows a GitHub user named "codeowners", who cannot be listed.
 */
export const CODEOWNERS_SOURCE = "codeowners";

const group = z.union([
  z.array(member).max(LIMITS.groupMembers, `a group may have at most ${LIMITS.groupMembers} members`),
  z
    .literal(CODEOWNERS_SOURCE)
    .transform(() => [CODEOWNERS_SOURCE])
    .describe("`codeowners`: the owners of the changed files by CODEOWNERS, as the whole group."),
]);

const groupName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "a group name of letters, digits, '-' and '_' (at most 64)");

const routingStep = z
  .strictObject({
    from: groupName.describe("Name of a group under `reviewers`."),
    count: z.number().int().min(1).max(10).default(1).describe("How many people to request from that group."),
  })
  .describe("Pick `count` people from the group `from`.");

const routingSteps = z.array(routingStep).max(10);

const matrixRow = z
  .strictObject({
    low: levelSchema.optional().describe("Level when impact is low."),
    medium: levelSchema.optional().describe("Level when impact is medium."),
    high: levelSchema.optional().describe("Level when impact is high."),
    critical: levelSchema.optional().describe("Level when impact is critical."),
  })
  .describe("Impact → level for one likelihood band.");

const weightValue = z.number().min(0).max(1);
const probability = z.number().min(0).max(1);

/**
 * The likelihood → probability link, fitted on the ten calibration projects (each project
 * weighted equally), and the bands on that probability: the calibration projects' base rate
 * (20.7 % of changes needed a fix within a year) times 1, 2.5 and 3.5 (docs/risk-model.md).
 */
export const DEFAULT_LINK = { intercept: -3.42, slope: 6.47 } as const;
export const DEFAULT_BANDS = { medium: 0.205, high: 0.52, very_high: 0.725 } as const;

export const DEFAULT_APPROVALS = {
  critical: { lead: 1, total: 2, fresh: true },
  high: { lead: 1, total: 1, fresh: false },
  medium: { lead: 0, total: 1, fresh: false },
  low: { lead: 0, total: 1, fresh: false },
} as const satisfies Record<Level, { lead: number; total: number; fresh: boolean }>;

/**
 * One level's rule. Each key falls back to that level's own default, so `high: { total: 2 }`
 * still asks for the lead approval high risk needs by default, instead of dropping it to 0.
 */
const approvalRule = (level: Level, description: string) => {
  const d = DEFAULT_APPROVALS[level];
  return z
    .strictObject({
      lead: z
        .number()
        .int()
        .min(0)
        .max(10)
        .default(d.lead)
        .describe("Approvals required from the lead group."),
      total: z
        .number()
        .int()
        .min(0)
        .max(20)
        .default(d.total)
        .describe("Approvals required in total (lead approvals count)."),
      fresh: z
        .boolean()
        .default(d.fresh)
        .describe("Count only approvals given on the PR's current head commit: a push makes earlier approvals stale (default: true for critical, false otherwise)."),
    })
    .prefault({ ...d })
    .describe(description);
};

const checklistItem = z.union([
  z.string().min(1).max(500),
  z.strictObject({
    text: z.string().min(1).max(500).describe("The item as shown in the task list."),
    required: z.boolean().default(false).describe("When true, the check stays pending until the item is ticked."),
    by: z
      .enum(["author", "reviewer", "lead"])
      .default("author")
      .describe("Who may tick it: the PR author, a reviewer (write access, not the author) or a member of the lead group."),
  }),
]);

const checklist = z.strictObject({
  name: z.string().min(1).max(100).describe("Heading of the checklist in the comment."),
  when: z
    .strictObject({
      paths: patterns.optional().describe("Applies when a changed file matches any of these."),
      risk: z.array(levelSchema).optional().describe("Applies at any of these risk levels."),
      labels: z.array(z.string().min(1).max(100)).optional().describe("Applies when the PR has any of these labels."),
    })
    .optional()
    .describe("Any condition matching makes the checklist apply; no `when` means always."),
  items: z
    .array(checklistItem)
    .min(1)
    .max(LIMITS.checklistItems)
    .describe("Items: a text (ticked by the author, not required), or { text, required, by }."),
});

/** A duration such as `30m`, `24h` or `2d` (at most 60 days). */
export const DURATION = /^([1-9][0-9]{0,4})(m|h|d)$/;
const duration = z
  .string()
  .regex(DURATION, "a duration such as 30m, 24h or 2d")
  .refine((v) => durationMs(v) <= 60 * 24 * 60 * 60 * 1000, "at most 60 days")
  .describe("A duration: minutes (`30m`), hours (`24h`) or days (`2d`).");

export function durationMs(value: string): number {
  const m = value.match(DURATION);
  if (!m) return Number.NaN;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const DEFAULT_ROUTING = {
  critical: [
    { from: "lead", count: 1 },
    { from: "seniors", count: 1 },
  ],
  high: [{ from: "lead", count: 1 }],
  medium: [{ from: "seniors", count: 1 }],
  low: [{ from: "seniors", count: 1 }],
};

// At any depth: a monorepo keeps each package's tests in `packages/<name>/test/`, and code
// that is not recognised as a test is counted as source and blamed as if it were.
export const DEFAULT_TESTS = [
  "**/*.test.*",
  "**/*.spec.*",
  "**/*_test.*",
  "**/test.*",
  "**/test/**",
  "**/tests/**",
  "**/__tests__/**",
  "**/__mocks__/**",
  "**/__fixtures__/**",
  "**/fixtures/**",
  "**/e2e/**",
];
export const DEFAULT_IGNORE = [
  "**/package-lock.json",
  "**/yarn.lock",
  "**/pnpm-lock.yaml",
  "**/*.snap",
  "dist/**",
  "**/*.min.js",
];

export const configSchema = z
  .strictObject({
    reviewers: z
      .record(groupName, group)
      // prefault: a default of the input type, which the JSON Schema keeps despite the transform.
      .prefault({})
      .describe(
        "Named groups of reviewers. `lead` and `seniors` are conventions; any name works. A group's value `codeowners`, " +
          "or an entry `codeowners` in its list, adds the CODEOWNERS owners of the changed files.",
      ),
    routing: z
      .strictObject({
        critical: routingSteps.default(DEFAULT_ROUTING.critical).describe("Who reviews critical-risk PRs."),
        high: routingSteps.default(DEFAULT_ROUTING.high).describe("Who reviews high-risk PRs."),
        medium: routingSteps.default(DEFAULT_ROUTING.medium).describe("Who reviews medium-risk PRs."),
        low: routingSteps.default(DEFAULT_ROUTING.low).describe("Who reviews low-risk PRs."),
        strategy: z
          .enum(["least-loaded", "round-robin", "random"])
          .default("least-loaded")
          .describe("How to choose within a group; ties are broken deterministically by PR number."),
        max_load: z
          .number()
          .int()
          .min(0)
          .max(1000)
          .default(5)
          .describe("Skip people with this many open review requests or more; 0 means no limit."),
        away: z.array(member).max(LIMITS.groupMembers).default([]).describe("People never to request."),
        request_teams: z.boolean().default(false).describe("Request the team itself instead of its members."),
        respect_busy: z
          .boolean()
          .default(true)
          .describe("Treat people whose GitHub status says they are busy (limited availability) as away."),
      })
      .prefault({})
      .describe("How risk levels map to reviewer groups."),
    risk: z
      .strictObject({
        impact: z
          .array(
            z.strictObject({
              paths: patterns.min(1).describe("Globs of the files this rule is about."),
              impact: levelSchema.describe("Impact of a change to those files."),
              reason: z.string().max(200).optional().describe("Why these paths matter; shown in the comment."),
            }),
          )
          .default([])
          .describe("Impact rules; the highest impact among changed files wins."),
        default_impact: levelSchema.default("medium").describe("Impact of a file no rule matches."),
        sensitive: z
          .boolean()
          .default(true)
          .describe("Treat built-in sensitive kinds (manifests, CI, migrations, infra, CODEOWNERS, this config) as high impact."),
        ignore: patterns.default(DEFAULT_IGNORE).describe("Files excluded from size and impact, unless one of your `risk.impact` rules names them at an impact above `default_impact` (the rule wins: an author cannot hide a change by its file name)."),
        tests: patterns.default(DEFAULT_TESTS).describe("Files recognised as tests."),
        weights: z
          .strictObject(
            Object.fromEntries(FACTOR_NAMES.map((n) => [n, weightValue.optional().describe(`Weight of the ${n.replace("_", " ")} factor.`)])) as Record<
              FactorName,
              z.ZodOptional<typeof weightValue>
            >,
          )
          .default({})
          .describe("Override likelihood factor weights (0–1 each)."),
        matrix: z
          .strictObject({
            low: matrixRow.optional(),
            medium: matrixRow.optional(),
            high: matrixRow.optional(),
            very_high: matrixRow.optional(),
          })
          .default({})
          .describe("Override cells of the likelihood band × impact → level table."),
        link: z
          .strictObject({
            intercept: z.number().min(-20).max(20).default(DEFAULT_LINK.intercept).describe("Intercept a of the logistic link."),
            slope: z.number().min(-50).max(50).default(DEFAULT_LINK.slope).describe("Slope b of the logistic link, per unit of likelihood."),
          })
          .prefault({})
          .describe(
            "Logistic link from likelihood to the probability that the change needs a fix within a year: 1 / (1 + e^−(a + b × likelihood)). `review-triage evaluate --calibrate` fits it on your history.",
          ),
        bands: z
          .strictObject({
            medium: probability.default(DEFAULT_BANDS.medium).describe("Probability from which likelihood is medium."),
            high: probability.default(DEFAULT_BANDS.high).describe("Probability from which likelihood is high."),
            very_high: probability.default(DEFAULT_BANDS.very_high).describe("Probability from which likelihood is very high."),
          })
          .prefault({})
          .describe("Likelihood bands, as lower bounds on the probability; each must be above the one before."),
      })
      .prefault({})
      .describe("How risk is scored."),
    checklists: z.array(checklist).max(50).default([]).describe("Guideline checklists shown when they apply."),
    governance: z
      .strictObject({
        lead_group: groupName.default("lead").describe("The group whose members count as leads."),
        enforce_on_skipped: z
          .boolean()
          .default(true)
          .describe(
            "A PR skipped by `options.skip` (title, label, bot) gets no reviewers and no comment, but its check still requires the approvals of its risk level. false: its check concludes `skipped`, which branch protection treats as passing.",
          ),
        approvals: z
          .strictObject({
            critical: approvalRule("critical", "Approvals for critical risk (default: 1 lead, 2 in total, on the current head)."),
            high: approvalRule("high", "Approvals for high risk (default: 1 lead)."),
            medium: approvalRule("medium", "Approvals for medium risk (default: 1 approval)."),
            low: approvalRule("low", "Approvals for low risk (default: 1 approval)."),
          })
          .prefault({})
          .describe(
            "Approvals required per risk level. A level left out keeps its default, and so does a key left out of a level: " +
              "`{ critical: { total: 3 } }` changes only the critical total.",
          ),
        allow_self_override: z
          .boolean()
          .default(false)
          .describe(
            "Let a lead `/triage override` their own PR and tick the lead items of their own PR. false (four eyes): another lead must.",
          ),
      })
      .prefault({})
      .describe("What the check run requires."),
    analysis: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Lint changed JavaScript/TypeScript with the app's own rule set."),
        rules: z
          .partialRecord(z.enum(RULE_IDS), z.enum(["off", "warn", "error"]), {
            // Only the app's curated rules run (never the repository's plugins), so any other id is a mistake.
            error: (issue) => {
              // zod's types only name key/type errors here, but unknown keys of an enum-keyed
              // record arrive as `unrecognized_keys`.
              const { code, keys } = issue as { code: string; keys?: string[] };
              if (code !== "unrecognized_keys" || !keys) return undefined;
              const names = keys.map((k) => JSON.stringify(k)).join(", ");
              return `unknown rule${keys.length > 1 ? "s" : ""} ${names}; available: ${RULE_IDS.join(", ")}`;
            },
          })
          .default({})
          .describe("Change the severity of rules from the app's curated set (see docs/static-analysis.md)."),
        ignore: patterns.default([]).describe("Files never linted, and never counted as unchecked: list vendored directories here (a vendored name such as `*.min.js` or `node_modules/` alone exempts nothing)."),
      })
      .prefault({})
      .describe("Static analysis of changed code."),
    escalation: z
      .strictObject({
        enabled: z.boolean().default(false).describe("Nudge, then reassign, review requests that wait too long."),
        nudge_after: duration.default("24h").describe("A request still pending after this much working time gets one nudge (a reply mentioning the reviewer)."),
        reassign_after: duration
          .default("48h")
          .describe("After this much working time the next candidate of the same group is requested as well (least loaded, not away, not over max_load)."),
        urgent_nudge_after: duration
          .optional()
          .describe(
            "The nudge for an urgent PR (see `urgency`); default a quarter of `nudge_after`. Its reassignment comes after `reassign_after` scaled by the same ratio (`urgent_nudge_after` / `nudge_after`).",
          ),
        working_days: z
          .array(z.enum(WEEKDAYS))
          .min(1)
          .max(7)
          .default(["mon", "tue", "wed", "thu", "fri"])
          .describe("Days whose time counts; time on other days does not."),
        timezone: z
          .string()
          .max(64)
          .refine(isTimeZone, "an IANA time zone such as UTC or Europe/Berlin")
          .default("UTC")
          .describe("The time zone the working days are in."),
        withdraw: z.boolean().default(false).describe("When reassigning, also withdraw the request from the first reviewer: once someone else is requested, and only while it is still their pending request (not once they have reviewed, nor after a person requested them again). The comment says it is withdrawn once GitHub has done it; a reassignment that fails half-way is finished by its retry."),
        human_requests: z.boolean().default(false).describe("Also nudge and reassign requests that a person (not the app) made."),
      })
      .prefault({})
      .describe(
        "Stale-review escalation: off unless `enabled`. A request waits from when it was made, or from when its PR last became ready for review if later (a return to draft cancels the steps due meanwhile and restarts the wait). A step acts only if GitHub still shows the reviewer requested, so a review or withdrawal the app did not hear of cancels it too.",
      ),
    urgency: z
      .strictObject({
        urgent: z
          .strictObject({
            labels: z
              .array(z.string().min(1).max(100))
              .max(100)
              .default([])
              .describe("A PR with any of these labels is urgent (case-insensitive). Adding a label takes triage rights on the repository."),
            head_branches: patterns
              .default([])
              .describe(
                "A PR whose head branch matches any of these globs is urgent, e.g. `hotfix/**`. The author names their branch, so this only ever moves the PR up the queue and nudges sooner; it never lowers what governance requires.",
              ),
            base_branches: patterns.default([]).describe("A PR into a base branch matching any of these globs is urgent, e.g. `release/**`."),
          })
          .prefault({})
          .describe("What makes a PR urgent; any one match does. Empty lists (the default): no PR is urgent."),
      })
      .prefault({})
      .describe(
        "Urgency, the other half of impact and urgency: an urgent PR says so at the top of its comment and check, gets its reviewers requested before other PRs' writes, and, with `escalation` on, is nudged after `escalation.urgent_nudge_after`. It changes order and timing only: the approvals and checklists are those of its risk level.",
      ),
    people: z
      .boolean()
      .default(true)
      .describe("Keep per-person reports (recognition and improvement areas) for the leads of this repository; false turns them off."),
    options: z
      .strictObject({
        skip: z
          .strictObject({
            drafts: z.boolean().default(true).describe("Wait until a draft is marked ready."),
            bots: z.boolean().default(true).describe("Skip PRs opened by bots."),
            labels: z.array(z.string().min(1).max(100)).default(["skip-review-triage"]).describe("Skip PRs with any of these labels."),
            title: z
              .array(z.string().min(1).max(100))
              .default(["WIP", "[skip triage]"])
              .describe("Skip PRs whose title contains any of these as a whole word (case-insensitive)."),
          })
          .prefault({})
          .describe("Pull requests that are not triaged (a check run says why)."),
        labels: z.boolean().default(true).describe("Add a `risk: <level>` label."),
        comment: z.boolean().default(true).describe("Post the sticky comment."),
        request_reviewers: z.boolean().default(true).describe("Request reviewers (false: only suggest them in the comment)."),
      })
      .prefault({})
      .describe("Switches for what the app does."),
  })
  .superRefine((config, ctx) => {
    if (durationMs(config.escalation.reassign_after) <= durationMs(config.escalation.nudge_after)) {
      ctx.addIssue({
        code: "custom",
        path: ["escalation", "reassign_after"],
        message: "reassign_after must be longer than nudge_after",
        params: { expected: `a duration longer than nudge_after (${config.escalation.nudge_after})`, found: config.escalation.reassign_after },
      });
    }
    const urgentNudge = config.escalation.urgent_nudge_after;
    if (urgentNudge && durationMs(urgentNudge) > durationMs(config.escalation.nudge_after)) {
      ctx.addIssue({
        code: "custom",
        path: ["escalation", "urgent_nudge_after"],
        message: "urgent_nudge_after must not be longer than nudge_after",
        params: { expected: `a duration up to nudge_after (${config.escalation.nudge_after})`, found: urgentNudge },
      });
    }
    const groups = Object.keys(config.reviewers);
    if (groups.length > LIMITS.groups) {
      ctx.addIssue({
        code: "custom",
        path: ["reviewers"],
        message: `at most ${LIMITS.groups} groups are allowed, found ${groups.length}`,
        params: { expected: `at most ${LIMITS.groups} groups`, found: `${groups.length} groups` },
      });
    }
    const total =
      config.risk.impact.reduce((n, rule) => n + rule.paths.length, 0) +
      config.risk.ignore.length +
      config.risk.tests.length +
      config.analysis.ignore.length +
      config.urgency.urgent.head_branches.length +
      config.urgency.urgent.base_branches.length +
      config.checklists.reduce((n, c) => n + (c.when?.paths?.length ?? 0), 0);
    if (total > LIMITS.pathPatterns) {
      ctx.addIssue({
        code: "custom",
        path: ["risk"],
        message: `at most ${LIMITS.pathPatterns} path patterns are allowed in the whole file, found ${total}`,
        params: { expected: `at most ${LIMITS.pathPatterns} path patterns in the whole file`, found: `${total} patterns` },
      });
    }
    const { medium, high, very_high: veryHigh } = config.risk.bands;
    if (!(medium < high && high < veryHigh)) {
      ctx.addIssue({
        code: "custom",
        path: ["risk", "bands"],
        message: `the bands must rise: medium < high < very_high, found ${medium}, ${high}, ${veryHigh}`,
        params: { expected: "medium < high < very_high", found: `${medium}, ${high}, ${veryHigh}` },
      });
    }
    const items = config.checklists.reduce((n, c) => n + c.items.length, 0);
    if (items > LIMITS.checklistItems) {
      ctx.addIssue({
        code: "custom",
        path: ["checklists"],
        message: `at most ${LIMITS.checklistItems} checklist items are allowed in all, found ${items}`,
        params: { expected: `at most ${LIMITS.checklistItems} checklist items in all`, found: `${items} items` },
      });
    }
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type RiskConfig = Config["risk"];
export type Checklist = Config["checklists"][number];
export type ChecklistItemInput = Checklist["items"][number];

/** Config with every default applied (what an absent file means). */
export function defaultConfig(): Config {
  return configSchema.parse({});
}
