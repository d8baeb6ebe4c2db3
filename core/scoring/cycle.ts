import type { CandorDocument, Cycle } from '../model/index.ts';
import { DAY_MS, dayNumber, toMs, zonedToInstant } from './time.ts';

/** A cycle's span as instants: from midnight of its first day to midnight after its last, in a time zone. */
export interface CycleSpan {
  startMs: number;
  endMs: number;
  /** Whole days, both ends inclusive. */
  days: number;
}

/** The instants a cycle covers in `timeZone` (default UTC). Both days are inclusive. */
export function cycleSpan(cycle: Pick<Cycle, 'start' | 'end'>, timeZone = 'UTC'): CycleSpan {
  const first = dayNumber(cycle.start);
  const last = dayNumber(cycle.end);
  return {
    startMs: zonedToInstant(first, 0, timeZone),
    endMs: zonedToInstant(last + 1, 0, timeZone),
    days: last - first + 1,
  };
}

/** How much of a span has elapsed at `atMs`. */
export function elapsedOf(span: CycleSpan, atMs: number): { share: number; daysLeft: number; daysTotal: number; ended: boolean } {
  const length = span.endMs - span.startMs;
  const share = length > 0 ? Math.min(1, Math.max(0, (atMs - span.startMs) / length)) : atMs >= span.endMs ? 1 : 0;
  return {
    share,
    daysLeft: Math.max(0, Math.ceil((span.endMs - atMs) / DAY_MS - 1e-9)),
    daysTotal: span.days,
    ended: atMs >= span.endMs,
  };
}

/**
 * How far a cycle has run at `at`: the elapsed `share` (0 before it starts, 1 once it ended), whole
 * days left (rounded up; 0 once ended), its length in days and whether it ended. The cycle runs from
 * midnight of its first day to midnight after its last, in `timeZone` (default UTC).
 */
export function cycleElapsed(
  cycle: Cycle,
  at: string | Date,
  timeZone = 'UTC',
): { share: number; daysLeft: number; daysTotal: number; ended: boolean } {
  return elapsedOf(cycleSpan(cycle, timeZone), toMs(at));
}

/**
 * The cycle that contains `at` (default now), judged by calendar day in `timeZone` (default UTC).
 * When cycles overlap (a quarter inside a year), the shortest wins; on a tie, the one that started last.
 * `undefined` when no cycle contains that day.
 */
export function currentCycle(doc: Pick<CandorDocument, 'cycles'>, at?: string | Date, timeZone = 'UTC'): Cycle | undefined {
  const ms = toMs(at);
  let best: Cycle | undefined;
  let bestLength = Infinity;
  let bestStart = -Infinity;
  for (const c of doc.cycles) {
    const span = cycleSpan(c, timeZone);
    if (!(ms >= span.startMs && ms < span.endMs)) continue;
    if (span.days < bestLength || (span.days === bestLength && span.startMs > bestStart)) {
      best = c;
      bestLength = span.days;
      bestStart = span.startMs;
    }
  }
  return best;
}
