// ZCadence checks whole numbers with a hand-written check instead of z.int() (smaller browser bundles).
// These tests pin that the replacement is invisible: every input gives the same result and the same
// issues as the z.int() schema it replaced.
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ZCadence, parseRecord } from '../../core/model/index.ts';

const reference = z.looseObject({
  everyWeeks: z._default(z.number().check(z.int(), z.gte(1), z.lte(4)), 1),
  weekday: z._default(z.number().check(z.int(), z.gte(1), z.lte(7)), 1),
  hour: z._default(z.number().check(z.int(), z.gte(0), z.lte(23)), 9),
});

const values: unknown[] = [
  0, 1, 2, 4, 5, 7, 8, 23, 24, -1, -0, 1.5, 0.1, 3.999, 1e-9, NaN, Infinity, -Infinity,
  2 ** 53, 2 ** 53 - 1, -(2 ** 53), 1e20, -1e20, Number.MAX_VALUE, Number.MIN_VALUE,
  '1', null, true, [], {}, undefined,
];

describe('ZCadence whole-number check', () => {
  it('accepts and rejects exactly what z.int() did, with the same issues', () => {
    for (const field of ['everyWeeks', 'weekday', 'hour'] as const) {
      for (const value of values) {
        const input = { [field]: value };
        const got = z.safeParse(ZCadence, input);
        const want = z.safeParse(reference, input);
        expect({ field, value, ok: got.success }).toEqual({ field, value, ok: want.success });
        if (got.success && want.success) expect(got.data).toEqual(want.data);
        else expect(got.error!.issues).toEqual(want.error!.issues);
      }
    }
  });

  it('reports every bad field at once, as before', () => {
    const input = { everyWeeks: 2.5, weekday: 9, hour: -1e30 };
    expect(z.safeParse(ZCadence, input).error!.issues).toEqual(z.safeParse(reference, input).error!.issues);
  });

  it('reads a fractional weekday in a person record as a plain sentence', () => {
    const r = parseRecord('people', { id: 'p', name: 'Ann', teamIds: [], cadence: { weekday: 1.5 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues).toEqual([{ path: 'people.cadence.weekday', message: 'expected an int, got 1.5', severity: 'error' }]);
  });
});
