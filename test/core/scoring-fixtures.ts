// Small builders for scoring tests: a document with sensible defaults, records by partial.
import type { CandorDocument, CheckIn, KeyResult, Metric, MilestonesMetric, Objective, ProgressMetric } from '../../core/model/index.ts';

export const CYCLE = { id: 'q1', name: 'Q1 2026', start: '2026-01-01', end: '2026-03-31' } as const;
/** Q1 2026 is 90 days; halfway is 2026-02-15T00:00Z. */
export const HALFWAY = '2026-02-15T00:00:00Z';
export const STAMP = '2026-01-01T00:00:00Z';

export function objective(id: string, extra: Partial<Objective> = {}): Objective {
  return {
    id,
    cycleId: 'q1',
    title: `Objective ${id}`,
    owner: { kind: 'person', id: 'ana' },
    type: 'committed',
    visibility: 'public',
    state: 'active',
    rollup: 'key-results',
    createdAt: STAMP,
    updatedAt: STAMP,
    ...extra,
  };
}

export function keyResult(id: string, objectiveId: string, metric: Metric, extra: Partial<KeyResult> = {}): KeyResult {
  return { id, objectiveId, title: `KR ${id}`, weight: 1, order: 0, metric, ...extra };
}

let serial = 0;
export function checkIn(keyResultId: string, at: string, extra: Partial<CheckIn> = {}): CheckIn {
  return { id: `c${++serial}`, keyResultId, authorId: 'ana', at, confidence: 0.8, ...extra };
}

export function document(parts: Partial<CandorDocument> = {}): CandorDocument {
  return {
    format: 'candor',
    version: 1,
    generatedAt: STAMP,
    people: [{ id: 'ana', name: 'Ana', teamIds: [] }],
    teams: [],
    cycles: [{ ...CYCLE }],
    objectives: [],
    keyResults: [],
    checkIns: [],
    comments: [],
    kudos: [],
    reflections: [],
    ...parts,
  };
}

/** Weekly check-ins (Mondays from 2026-01-05, 10:00Z) up to `until`, with values from `valueAt(week)`. */
export function weekly(keyResultId: string, until: string, make: (week: number) => Partial<CheckIn>): CheckIn[] {
  const out: CheckIn[] = [];
  const end = Date.parse(until);
  for (let w = 0, t = Date.parse('2026-01-05T10:00:00Z'); t <= end; w++, t += 7 * 86_400_000) {
    out.push(checkIn(keyResultId, new Date(t).toISOString(), make(w)));
  }
  return out;
}

export const increase = (start: number, target: number): ProgressMetric => ({ kind: 'increase', start, target });
export const decrease = (start: number, target: number): ProgressMetric => ({ kind: 'decrease', start, target });
export const boolean: Metric = { kind: 'boolean' };
export const milestones = (n: number, weights?: number[]): MilestonesMetric => ({
  kind: 'milestones',
  items: Array.from({ length: n }, (_, i) => ({ id: `m${i + 1}`, title: `Milestone ${i + 1}`, ...(weights ? { weight: weights[i]! } : {}) })),
});
