import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";

/**
 * GitHub allows 80 content-creating requests a minute. Probot's throttle already spaces
 * every write a second apart (60 a minute, under that limit) but adds three seconds between
 * writes that notify people — review requests and comments — which makes a burst of new PRs
 * wait minutes for their reviewers. Spacing those at one second too stays under the limit.
 */
export const NOTIFICATION_SPACING_MS = 1000;

const notifications = new Bottleneck.Group({
  id: "review-triage-notifications",
  maxConcurrent: 1,
  minTime: NOTIFICATION_SPACING_MS,
  timeout: 2 * 60 * 1000,
});

/** With REDIS_URL, the same spacing shared by every instance through Probot's Redis connection. */
const sharedNotifications = new WeakMap<object, Bottleneck.Group>();
function notificationsOver(connection: object): Bottleneck.Group {
  let group = sharedNotifications.get(connection);
  if (!group) {
    group = new Bottleneck.Group({
      id: "review-triage-notifications",
      maxConcurrent: 1,
      minTime: NOTIFICATION_SPACING_MS,
      timeout: 2 * 60 * 1000,
      datastore: "ioredis",
      connection: connection as Bottleneck.IORedisConnection,
    });
    sharedNotifications.set(connection, group);
  }
  return group;
}

export const AppOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => {
  const throttle = (options.throttle ?? {}) as Record<string, unknown>;
  // With REDIS_URL the plugin shares its limiters across instances through Redis: so must ours.
  const group = throttle.connection ? notificationsOver(throttle.connection as object) : notifications;
  return { ...options, throttle: { ...throttle, notifications: group } };
});
