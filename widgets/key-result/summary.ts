import type { KeyResult } from '../../core/model/index.ts';
import type { KeyResultVerdict } from '../../core/scoring/index.ts';
import { metricValue, numberFormat } from '../shared/format.ts';

/** Where a key result stands in words: "42 of 50 points", "3 of 5 milestones", "Done". */
export function standing(kr: KeyResult, v: KeyResultVerdict | undefined, locale?: string): { now: string; goal: string } {
  const m = kr.metric;
  const fmt = (x: number) => metricValue(locale, m, x);
  switch (m.kind) {
    case 'increase':
    case 'decrease':
      return { now: fmt(v?.current ?? m.start), goal: `target ${fmt(m.target)} (from ${fmt(m.start)})` };
    case 'maintain-above':
    case 'maintain-below':
      return { now: v?.current === undefined ? '—' : fmt(v.current), goal: `keep ${m.kind === 'maintain-above' ? '≥' : '≤'} ${fmt(m.threshold)}` };
    case 'milestones':
      return { now: `${numberFormat(locale).format(v?.current ?? 0)} of ${numberFormat(locale).format(m.items.length)}`, goal: 'milestones done' };
    default:
      return { now: v?.current === 1 ? 'Done' : 'Not done yet', goal: 'done / not done' };
  }
}

/** Confidence 0..1 as people say it: "7/10". */
export const confidenceText = (c: number | undefined, locale?: string) =>
  c === undefined ? '—' : `${numberFormat(locale, { maximumFractionDigits: 1 }).format(c * 10)}/10`;
