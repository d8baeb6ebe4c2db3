import * as z from 'zod/mini';
import { ZId, ZDay, text } from './primitives.ts';

/** An OKR cycle: a named span of days, both ends inclusive. */
export const ZCycle = z
  .looseObject({
    id: ZId,
    name: text(120),
    start: ZDay,
    end: ZDay,
  })
  .check(
    z.refine((c) => c.start <= c.end, { message: 'the end must not be before the start', path: ['end'] }),
  );
export type Cycle = z.infer<typeof ZCycle>;

export type CyclePreset = 'quarter' | 'half' | 'year';

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month1: number) => new Date(Date.UTC(year, month1, 0)).getUTCDate();

/**
 * The calendar cycle of a preset kind that contains `day` (a `YYYY-MM-DD` string or a Date in UTC).
 * Ids are stable (`2026-q3`, `2026-h2`, `2026`) so two people creating the same cycle agree.
 */
export function presetCycle(preset: CyclePreset, day: string | Date): Cycle {
  const iso = typeof day === 'string' ? day : day.toISOString().slice(0, 10);
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const span = preset === 'quarter' ? 3 : preset === 'half' ? 6 : 12;
  const index = Math.floor((month - 1) / span);
  const firstMonth = index * span + 1;
  const endMonth = firstMonth + span - 1;
  const start = `${year}-${pad(firstMonth)}-01`;
  const end = `${year}-${pad(endMonth)}-${pad(lastDay(year, endMonth))}`;
  if (preset === 'quarter') return { id: `${year}-q${index + 1}`, name: `Q${index + 1} ${year}`, start, end };
  if (preset === 'half') return { id: `${year}-h${index + 1}`, name: `H${index + 1} ${year}`, start, end };
  return { id: `${year}`, name: `${year}`, start, end };
}

/** The preset cycle that follows `cycle` (same kind), e.g. Q4 2026 → Q1 2027. */
export function nextPresetCycle(preset: CyclePreset, cycle: Pick<Cycle, 'end'>): Cycle {
  const end = new Date(`${cycle.end}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  return presetCycle(preset, end);
}
