import { WEEKDAYS } from "../config/schema.js";

type Weekday = (typeof WEEKDAYS)[number];

const DAY_MS = 86_400_000;

/** The wall-clock parts of `at` in `timeZone`. */
function wallClock(at: Date, timeZone: string): { year: number; month: number; day: number; weekday: Weekday; msOfDay: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    weekday: "short",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "0";
  const msOfDay = ((Number(get("hour")) * 60 + Number(get("minute"))) * 60 + Number(get("second"))) * 1000 + at.getUTCMilliseconds();
  return { year: Number(get("year")), month: Number(get("month")), day: Number(get("day")), weekday: get("weekday").toLowerCase().slice(0, 3) as Weekday, msOfDay };
}

/** The instant of the next local midnight after `at` in `timeZone` (daylight saving included). */
function nextMidnight(at: Date, timeZone: string): Date {
  const now = wallClock(at, timeZone);
  // Guess from today's length at the current offset, then correct for an offset change.
  let guess = new Date(at.getTime() + DAY_MS - now.msOfDay);
  for (let i = 0; i < 3; i++) {
    const w = wallClock(guess, timeZone);
    if (w.msOfDay === 0 && !(w.year === now.year && w.month === now.month && w.day === now.day)) return guess;
    const sameDay = w.year === now.year && w.month === now.month && w.day === now.day;
    guess = new Date(guess.getTime() + (sameDay ? DAY_MS - w.msOfDay : -w.msOfDay));
  }
  return guess;
}

/**
 * When `durationMs` of working time has passed since `start`: only time on `workingDays`,
 * as the calendar of `timeZone` has them, counts. A request made on Friday evening with a
 * 24 h nudge is nudged on Monday evening, not on Saturday.
 */
export function addWorkingTime(start: Date, durationMs: number, workingDays: readonly Weekday[], timeZone: string): Date {
  const days = new Set(workingDays);
  if (!days.size) throw new Error("at least one working day is needed");
  let at = start;
  let left = durationMs;
  for (let guard = 0; guard < 10_000; guard++) {
    const midnight = nextMidnight(at, timeZone);
    if (days.has(wallClock(at, timeZone).weekday)) {
      const span = midnight.getTime() - at.getTime();
      if (left <= span) return new Date(at.getTime() + left);
      left -= span;
    }
    at = midnight;
  }
  throw new Error("working time could not be added");
}

/** How much working time lies between two instants. */
export function workingTimeBetween(from: Date, to: Date, workingDays: readonly Weekday[], timeZone: string): number {
  const days = new Set(workingDays);
  let at = from;
  let total = 0;
  for (let guard = 0; guard < 10_000 && at < to; guard++) {
    const midnight = nextMidnight(at, timeZone);
    const end = midnight < to ? midnight : to;
    if (days.has(wallClock(at, timeZone).weekday)) total += end.getTime() - at.getTime();
    at = midnight;
  }
  return total;
}
