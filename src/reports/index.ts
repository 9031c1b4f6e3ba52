/**
 * Reports for the leads, read from the history (SPEC §8): pure data, for the `report`
 * command and the dashboard to render. People reports are never shown on pull requests.
 */
export { buildRepositoryReport } from "./build-repository-report.js";
export { buildPeopleReport, FOLLOW_UP_FIX_DAYS } from "./build-people-report.js";
export * from "./types.js";
