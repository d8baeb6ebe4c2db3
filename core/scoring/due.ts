import { DEFAULT_CADENCE, type Cadence } from '../model/index.ts';
import { dayNumber, isoWeekday, toMs, wallClock, zonedToInstant } from './time.ts';

/** Where a cadence's due moments fall: the person's IANA time zone and the week its rhythm counts from. */
export interface DueOptions {
  /** IANA time zone (default 'UTC'); unknown names read as UTC. */
  timeZone?: string;
  /**
   * A `YYYY-MM-DD` day in a week that has a due moment, for cadences of 2–4 weeks (usually the
   * cycle's first day, so the first check-in falls in the cycle's first week). Default 1970-01-05.
   */
  anchor?: string;
}

const EPOCH_MONDAY = 4; // 1970-01-05, day number 4, a Monday
const HOUR_MS = 3_600_000;

function normalise(cadence: Partial<Cadence> | undefined): Cadence {
  const every = Math.min(4, Math.max(1, Math.trunc(cadence?.everyWeeks ?? DEFAULT_CADENCE.everyWeeks)));
  const weekday = Math.min(7, Math.max(1, Math.trunc(cadence?.weekday ?? DEFAULT_CADENCE.weekday)));
  const hour = Math.min(23, Math.max(0, Math.trunc(cadence?.hour ?? DEFAULT_CADENCE.hour)));
  return { everyWeeks: every, weekday, hour };
}

/**
 * The last due moment at or before `atMs` and the next one after it, as epoch milliseconds.
 * Due moments are wall-clock times (weekday at hour) in the time zone, so they stay at 09:00 local
 * across daylight-saving changes; an hour skipped by a change moves forward by the gap.
 */
export function dueWindow(cadence: Partial<Cadence> | undefined, atMs: number, options: DueOptions = {}): { lastMs: number; nextMs: number } {
  const c = normalise(cadence);
  const tz = options.timeZone ?? 'UTC';
  const anchorDay = options.anchor ? dayNumber(options.anchor) : EPOCH_MONDAY;
  const anchorMonday = (Number.isFinite(anchorDay) ? anchorDay : EPOCH_MONDAY) - (isoWeekday(Number.isFinite(anchorDay) ? anchorDay : EPOCH_MONDAY) - 1);
  const { day } = wallClock(atMs, tz);
  let candidate = day - ((isoWeekday(day) - c.weekday + 7) % 7);
  const weeks = Math.floor((candidate - anchorMonday) / 7);
  candidate -= 7 * (((weeks % c.everyWeeks) + c.everyWeeks) % c.everyWeeks);
  const step = 7 * c.everyWeeks;
  let lastMs = zonedToInstant(candidate, c.hour * HOUR_MS, tz);
  if (lastMs > atMs) {
    candidate -= step;
    lastMs = zonedToInstant(candidate, c.hour * HOUR_MS, tz);
  }
  let nextMs = zonedToInstant(candidate + step, c.hour * HOUR_MS, tz);
  if (nextMs <= atMs) {
    // Only when a wall time is ambiguous around `at`; one more step settles it.
    lastMs = nextMs;
    nextMs = zonedToInstant(candidate + 2 * step, c.hour * HOUR_MS, tz);
  }
  return { lastMs, nextMs };
}

/** The last due moment of a cadence at or before `at`. */
export function lastDueAt(cadence: Partial<Cadence> | undefined, at: string | Date, options?: DueOptions): Date {
  return new Date(dueWindow(cadence, toMs(at), options).lastMs);
}

/** The first due moment of a cadence strictly after `at`. */
export function nextDueAt(cadence: Partial<Cadence> | undefined, at: string | Date, options?: DueOptions): Date {
  return new Date(dueWindow(cadence, toMs(at), options).nextMs);
}

/** Every due moment in [from, to), at most `limit` (default 1000). */
export function dueMoments(cadence: Partial<Cadence> | undefined, from: string | Date, to: string | Date, options: DueOptions & { limit?: number } = {}): Date[] {
  const c = normalise(cadence);
  const fromMs = toMs(from);
  const toMsValue = toMs(to);
  const out: Date[] = [];
  let { lastMs: t } = dueWindow(c, fromMs, options);
  if (t < fromMs) t = dueWindow(c, t, options).nextMs;
  const limit = options.limit ?? 1000;
  while (t < toMsValue && out.length < limit) {
    out.push(new Date(t));
    t = dueWindow(c, t, options).nextMs;
  }
  return out;
}

/** True when a key result has had no check-in since the last due moment before `at` (and that moment has come). */
export function isDue(lastCheckInAt: string | Date | undefined, cadence: Partial<Cadence> | undefined, at: string | Date, options?: DueOptions): boolean {
  const { lastMs } = dueWindow(cadence, toMs(at), options);
  return lastCheckInAt === undefined || toMs(lastCheckInAt) < lastMs;
}
