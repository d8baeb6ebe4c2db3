import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { dueMoments, dueWindow, isDue, lastDueAt, nextDueAt, parseInstant, zoneOffset, zonedToInstant, isValidTimeZone, scoreDocument } from '../../core/scoring/index.ts';
import { daysFromCivil, civilFromDays, dayNumber, dayString } from '../../core/scoring/time.ts';
import { document, keyResult, objective, increase } from './scoring-fixtures.ts';

const MONDAY_9 = { everyWeeks: 1, weekday: 1, hour: 9 };
const iso = (d: Date) => d.toISOString();

/** Weekday (1 = Mon … 7 = Sun) and hour of an instant on the wall clock of a time zone, by Intl. */
function local(ms: number, timeZone: string): { weekday: number; hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return { weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1, hour: Number(get('hour')), minute: Number(get('minute')) };
}

describe('due moments in Europe/Berlin across the March change', () => {
  const tz = { timeZone: 'Europe/Berlin' };
  it('Monday 09:00 stays 09:00 local: 08:00Z before the change, 07:00Z after', () => {
    expect(iso(lastDueAt(MONDAY_9, '2026-03-27T12:00:00Z', tz))).toBe('2026-03-23T08:00:00.000Z');
    expect(iso(nextDueAt(MONDAY_9, '2026-03-27T12:00:00Z', tz))).toBe('2026-03-30T07:00:00.000Z');
  });

  it('every moment of a span is Monday 09:00 on the Berlin wall clock', () => {
    const all = dueMoments(MONDAY_9, '2026-03-01T00:00:00Z', '2026-04-20T00:00:00Z', tz);
    expect(all.map(iso)).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-09T08:00:00.000Z',
      '2026-03-16T08:00:00.000Z',
      '2026-03-23T08:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
      '2026-04-06T07:00:00.000Z',
      '2026-04-13T07:00:00.000Z',
    ]);
    for (const d of all) expect(local(d.getTime(), 'Europe/Berlin')).toEqual({ weekday: 1, hour: 9, minute: 0 });
  });

  it('an hour skipped by the change moves forward by the gap (Sunday 02:00 on 29 March → 03:00 CEST)', () => {
    const sunday2 = { everyWeeks: 1, weekday: 7, hour: 2 };
    expect(iso(nextDueAt(sunday2, '2026-03-28T12:00:00Z', tz))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(lastDueAt(sunday2, '2026-03-28T12:00:00Z', tz))).toBe('2026-03-22T01:00:00.000Z');
    expect(iso(nextDueAt(sunday2, '2026-03-30T12:00:00Z', tz))).toBe('2026-04-05T00:00:00.000Z');
  });

  it('an hour that occurs twice in October takes the first occurrence', () => {
    const sunday2 = { everyWeeks: 1, weekday: 7, hour: 2 };
    expect(iso(nextDueAt(sunday2, '2026-10-24T12:00:00Z', tz))).toBe('2026-10-25T00:00:00.000Z');
    expect(iso(lastDueAt(sunday2, '2026-10-25T01:30:00Z', tz))).toBe('2026-10-25T00:00:00.000Z');
    expect(iso(nextDueAt(sunday2, '2026-10-25T01:30:00Z', tz))).toBe('2026-11-01T01:00:00.000Z');
  });
});

describe('due moments in America/New_York', () => {
  const tz = { timeZone: 'America/New_York' };
  it('Friday 17:00 across the March change (8 March 2026)', () => {
    const friday5 = { everyWeeks: 1, weekday: 5, hour: 17 };
    expect(iso(lastDueAt(friday5, '2026-03-07T12:00:00Z', tz))).toBe('2026-03-06T22:00:00.000Z');
    expect(iso(nextDueAt(friday5, '2026-03-07T12:00:00Z', tz))).toBe('2026-03-13T21:00:00.000Z');
  });
  it('Monday 09:00 across the November change (1 November 2026)', () => {
    expect(dueMoments(MONDAY_9, '2026-10-25T00:00:00Z', '2026-11-10T00:00:00Z', tz).map(iso)).toEqual(['2026-10-26T13:00:00.000Z', '2026-11-02T14:00:00.000Z', '2026-11-09T14:00:00.000Z']);
  });
  it('Sunday 02:00 on 8 March does not exist and becomes 03:00 EDT', () => {
    expect(iso(nextDueAt({ everyWeeks: 1, weekday: 7, hour: 2 }, '2026-03-07T00:00:00Z', tz))).toBe('2026-03-08T07:00:00.000Z');
  });
  it('a due moment is local: the day in New York, not in UTC', () => {
    // Monday 2026-02-16 01:00Z is still Sunday evening in New York: the last due moment is the Monday before.
    expect(iso(lastDueAt(MONDAY_9, '2026-02-16T01:00:00Z', tz))).toBe('2026-02-09T14:00:00.000Z');
  });
});

describe('cadences of several weeks', () => {
  it('count weeks from the anchor (the cycle’s first week)', () => {
    const every2 = { everyWeeks: 2, weekday: 1, hour: 9 };
    const anchor = { anchor: '2026-01-01' }; // a Thursday: its week starts Monday 2025-12-29
    expect(dueMoments(every2, '2025-12-29T00:00:00Z', '2026-02-10T00:00:00Z', anchor).map(iso)).toEqual([
      '2025-12-29T09:00:00.000Z',
      '2026-01-12T09:00:00.000Z',
      '2026-01-26T09:00:00.000Z',
      '2026-02-09T09:00:00.000Z',
    ]);
    expect(dueWindow(every2, Date.parse('2026-01-20T00:00:00Z'), anchor)).toEqual({ lastMs: Date.parse('2026-01-12T09:00:00Z'), nextMs: Date.parse('2026-01-26T09:00:00Z') });
  });

  it('isDue: no check-in since the last due moment', () => {
    expect(isDue('2026-02-09T08:59:00Z', MONDAY_9, '2026-02-10T00:00:00Z')).toBe(true);
    expect(isDue('2026-02-09T09:00:00Z', MONDAY_9, '2026-02-10T00:00:00Z')).toBe(false);
    expect(isDue(undefined, MONDAY_9, '2026-02-10T00:00:00Z')).toBe(true);
  });
});

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham', 'UTC', 'Europe/London', 'America/Santiago'];

describe('due moments, for any instant, zone and cadence', () => {
  it('last ≤ at < next, on the cadence’s weekday and hour (or just after a skipped hour), with nothing between', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2028, 11, 31) }),
        fc.constantFrom(...ZONES),
        fc.record({ everyWeeks: fc.integer({ min: 1, max: 4 }), weekday: fc.integer({ min: 1, max: 7 }), hour: fc.integer({ min: 0, max: 23 }) }),
        (at, timeZone, cadence) => {
          const { lastMs, nextMs } = dueWindow(cadence, at, { timeZone, anchor: '2026-01-01' });
          expect(lastMs).toBeLessThanOrEqual(at);
          expect(nextMs).toBeGreaterThan(at);
          const days = (nextMs - lastMs) / 86_400_000;
          expect(Math.abs(days - 7 * cadence.everyWeeks)).toBeLessThanOrEqual(1 / 24 + 1e-9);
          for (const ms of [lastMs, nextMs]) {
            const l = local(ms, timeZone);
            expect(l.weekday).toBe(cadence.weekday);
            expect(l.hour === cadence.hour || l.hour === cadence.hour + 1).toBe(true); // +1 only in a DST gap
          }
          // The window is consistent from its own ends.
          expect(dueWindow(cadence, lastMs, { timeZone, anchor: '2026-01-01' }).lastMs).toBe(lastMs);
          expect(dueWindow(cadence, nextMs - 1, { timeZone, anchor: '2026-01-01' }).lastMs).toBe(lastMs);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('time zones and instants', () => {
  it('zoneOffset and zonedToInstant agree with known offsets', () => {
    expect(zoneOffset(Date.parse('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(3_600_000);
    expect(zoneOffset(Date.parse('2026-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(7_200_000);
    expect(zoneOffset(Date.parse('2026-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(19_800_000);
    expect(zonedToInstant(dayNumber('2026-07-15'), 9 * 3_600_000, 'America/New_York')).toBe(Date.parse('2026-07-15T13:00:00Z'));
  });

  it('an unknown time zone reads as UTC, and a person with one falls back to the default zone', () => {
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(zoneOffset(0, 'Mars/Olympus_Mons')).toBe(0);
    const doc = document({
      people: [{ id: 'ana', name: 'Ana', teamIds: [], timeZone: 'Mars/Olympus_Mons' }],
      objectives: [objective('o')],
      keyResults: [keyResult('k', 'o', increase(0, 1))],
    });
    expect(scoreDocument(doc, { at: '2026-02-11T12:00:00Z', defaultTimeZone: 'Europe/Berlin' }).keyResults.get('k')!.nextDueAt).toBe('2026-02-16T08:00:00.000Z');
  });

  it('day numbers round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: -800_000, max: 800_000 }), (day) => {
        const { y, m, d } = civilFromDays(day);
        expect(daysFromCivil(y, m, d)).toBe(day);
        if (y >= 0 && y <= 9999) expect(dayNumber(dayString(day))).toBe(day);
      }),
    );
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('2026-03-29')).toBe(Date.parse('2026-03-29') / 86_400_000);
  });

  it('parseInstant reads ISO instants with any offset exactly as Date.parse does', () => {
    const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }),
        fc.integer({ min: -14 * 4, max: 14 * 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 6 }),
        (ms, quarterHours, utc, fractionDigits) => {
          const offsetMin = utc ? 0 : quarterHours * 15;
          const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
          const frac = `.${String(ms % 1000).padStart(3, '0')}${'7'.repeat(Math.max(0, fractionDigits - 3))}`.slice(0, fractionDigits + 1);
          const zone = utc ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${pad(Math.trunc(offsetMin / 60))}:${pad(offsetMin % 60)}`;
          for (const s of [`${local}${zone}`, `${local}${frac}${zone}`]) expect(parseInstant(s)).toBe(Date.parse(s));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('parseInstant reads looser ISO shapes and rejects garbage', () => {
    expect(parseInstant('2026-03-29T02:30Z')).toBe(Date.parse('2026-03-29T02:30:00Z'));
    expect(parseInstant('2026-03-29T02:30:00+0530')).toBe(Date.parse('2026-03-29T02:30:00+05:30'));
    expect(parseInstant('2026-03-29t02:30:00z')).toBe(Date.parse('2026-03-29T02:30:00Z'));
    expect(parseInstant('2026-13-01T00:00:00Z')).toBeNaN();
    expect(parseInstant('2026-01-0xT00:00:00Z')).toBeNaN();
    expect(parseInstant('soon')).toBeNaN();
  });
});
