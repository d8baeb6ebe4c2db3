import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { CheckIn, KeyResult, Metric, Objective } from '../../core/model/index.ts';
import { scoreDocument, leastSquares, lineAt, netConfidence, weakestStatus, statusRank, type Status } from '../../core/scoring/index.ts';
import { CYCLE, checkIn, document, keyResult, objective } from './scoring-fixtures.ts';

const CYCLE_START = Date.parse(`${CYCLE.start}T00:00:00Z`);
const CYCLE_END = Date.parse('2026-04-01T00:00:00Z');
const DAY = 86_400_000;

const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });

/** Any metric of any kind, valid as the model demands (start ≠ target in the right direction). */
const metric: fc.Arbitrary<Metric> = fc.oneof(
  fc.tuple(finite, fc.double({ min: 0.001, max: 1e6, noNaN: true })).map(([start, span]) => ({ kind: 'increase' as const, start, target: start + span })),
  fc.tuple(finite, fc.double({ min: 0.001, max: 1e6, noNaN: true })).map(([start, span]) => ({ kind: 'decrease' as const, start, target: start - span })),
  fc.record({ kind: fc.constantFrom('maintain-above' as const, 'maintain-below' as const), threshold: finite }),
  fc.integer({ min: 1, max: 8 }).chain((n) =>
    fc.array(fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: undefined }), { minLength: n, maxLength: n }).map((weights) => ({
      kind: 'milestones' as const,
      items: weights.map((w, i) => ({ id: `m${i}`, title: `M${i}`, ...(w === undefined ? {} : { weight: w }) })),
    })),
  ),
  fc.constant({ kind: 'boolean' as const }),
);

/** A check-in for a metric at a time, carrying the reading that kind of metric takes (or none). */
function reading(m: Metric): fc.Arbitrary<Partial<CheckIn>> {
  const confidence = fc.double({ min: 0, max: 1, noNaN: true });
  switch (m.kind) {
    case 'increase':
    case 'decrease':
    case 'maintain-above':
    case 'maintain-below':
      return fc.record({ value: fc.option(finite, { nil: undefined }), confidence }).map((r) => (r.value === undefined ? { confidence: r.confidence } : r));
    case 'milestones':
      return fc.record({ milestonesDone: fc.subarray([...m.items.map((i) => i.id), 'unknown']), confidence });
    case 'boolean':
      return fc.record({ done: fc.boolean(), confidence });
  }
}

const instant = fc.integer({ min: CYCLE_START - 10 * DAY, max: CYCLE_END + 10 * DAY }).map((ms) => new Date(ms).toISOString());

const krSpec = metric.chain((m) =>
  fc.record({
    metric: fc.constant(m),
    // 0 or a sane weight: a subnormal weight scaled by 0.001 underflows to 0 and really is "all zero".
    weight: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 100, noNaN: true })),
    order: fc.integer({ min: 0, max: 5 }),
    checkIns: fc.array(fc.tuple(instant, reading(m)), { maxLength: 8 }),
  }),
);

const objectiveSpec = fc.record({
  type: fc.constantFrom('committed' as const, 'aspirational' as const),
  state: fc.constantFrom('draft' as const, 'active' as const, 'closed' as const),
  rollup: fc.constantFrom('key-results' as const, 'children' as const, 'both' as const),
  parent: fc.option(fc.nat(), { nil: undefined }),
  krs: fc.array(krSpec, { maxLength: 5 }),
});

type ObjectiveSpec = typeof objectiveSpec extends fc.Arbitrary<infer T> ? T : never;
type Spec = { objectives: ObjectiveSpec[]; at: string };

const docSpec = fc.record({ objectives: fc.array(objectiveSpec, { minLength: 1, maxLength: 6 }), at: instant });

function build(spec: Spec) {
  const objectives: Objective[] = [];
  const keyResults: KeyResult[] = [];
  const checkIns: CheckIn[] = [];
  spec.objectives.forEach((o, i) => {
    // Parents may point anywhere, cycles included: scoring must cope with what it is given.
    const parentId = o.parent === undefined ? undefined : `o${o.parent % spec.objectives.length}`;
    objectives.push(objective(`o${i}`, { type: o.type, state: o.state, rollup: o.rollup, ...(parentId && parentId !== `o${i}` ? { parentId } : {}) }));
    o.krs.forEach((k, j) => {
      const id = `o${i}k${j}`;
      keyResults.push(keyResult(id, `o${i}`, k.metric, { weight: k.weight, order: k.order }));
      for (const [at, r] of k.checkIns) checkIns.push(checkIn(id, at, r));
    });
  });
  return document({ objectives, keyResults, checkIns });
}

const inUnit = (x: number) => x >= 0 && x <= 1 + 1e-12;

describe('scoring properties', () => {
  it('every score, expectation and forecast stays in [0, 1]; net confidence in [−100, 100]', () => {
    fc.assert(
      fc.property(docSpec, (spec) => {
        const s = scoreDocument(build(spec), { at: spec.at });
        for (const k of s.keyResults.values()) {
          expect(inUnit(k.score)).toBe(true);
          expect(inUnit(k.expected)).toBe(true);
          if (k.forecast) expect(inUnit(k.forecast.score)).toBe(true);
          expect(Number.isFinite(k.progress)).toBe(true);
        }
        for (const o of s.objectives.values()) {
          expect(inUnit(o.score)).toBe(true);
          expect(inUnit(o.expected)).toBe(true);
          if (o.forecast) expect(inUnit(o.forecast.score)).toBe(true);
        }
        expect(s.netConfidence).toBeGreaterThanOrEqual(-100);
        expect(s.netConfidence).toBeLessThanOrEqual(100);
      }),
      { numRuns: 300 },
    );
  });

  it('the order of key results (in the document and by `order`) does not change an objective’s score or status', () => {
    fc.assert(
      fc.property(docSpec, fc.integer(), (spec, seed) => {
        const doc = build(spec);
        const a = scoreDocument(doc, { at: spec.at });
        const shuffled = { ...doc, keyResults: shuffle(doc.keyResults, seed).map((k, i) => ({ ...k, order: (i * 7919) % 13 })), checkIns: shuffle(doc.checkIns, seed + 1) };
        const b = scoreDocument(shuffled, { at: spec.at });
        for (const [id, o] of a.objectives) {
          const p = b.objectives.get(id)!;
          expect(p.score).toBeCloseTo(o.score, 9);
          expect(p.expected).toBeCloseTo(o.expected, 9);
          expect(p.status).toBe(o.status);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('weights are scale-invariant', () => {
    fc.assert(
      fc.property(docSpec, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (spec, factor) => {
        const doc = build(spec);
        const scaled = { ...doc, keyResults: doc.keyResults.map((k) => ({ ...k, weight: k.weight * factor })) };
        const a = scoreDocument(doc, { at: spec.at });
        const b = scoreDocument(scaled, { at: spec.at });
        for (const [id, o] of a.objectives) expect(b.objectives.get(id)!.score).toBeCloseTo(o.score, 9);
      }),
      { numRuns: 200 },
    );
  });

  it('a better reading never lowers a key result’s or its objective’s score', () => {
    // One KR moves; its latest reading improves (toward the target, more milestones, done, holding the threshold).
    fc.assert(
      fc.property(docSpec, fc.double({ min: 0, max: 1e6, noNaN: true }), (spec, step) => {
        const doc = build(spec);
        const at = spec.at;
        const before = scoreDocument(doc, { at });
        const kinds = new Map(doc.keyResults.map((k) => [k.id, k.metric.kind]));
        const carries = (c: CheckIn) => {
          const kind = kinds.get(c.keyResultId)!;
          return kind === 'milestones' ? c.milestonesDone !== undefined : kind === 'boolean' ? c.done !== undefined : c.value !== undefined;
        };
        const candidates = doc.checkIns.filter((c) => Date.parse(c.at) <= Date.parse(at) && carries(c));
        if (candidates.length === 0) return;
        // The latest reading of a key result (among equal times, the last in document order, as scoring takes it).
        const kr = doc.keyResults.find((k) => k.id === candidates[0]!.keyResultId)!;
        const latest = candidates.filter((c) => c.keyResultId === kr.id).reduce((a, b) => (Date.parse(b.at) >= Date.parse(a.at) ? b : a));
        const better = improve(kr.metric, latest, step);
        const after = scoreDocument({ ...doc, checkIns: doc.checkIns.map((c) => (c === latest ? better : c)) }, { at });
        expect(after.keyResults.get(kr.id)!.score).toBeGreaterThanOrEqual(before.keyResults.get(kr.id)!.score - 1e-12);
        for (const [id, o] of before.objectives) expect(after.objectives.get(id)!.score).toBeGreaterThanOrEqual(o.score - 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it('an objective’s status is its weakest key result’s (key-results rollup)', () => {
    fc.assert(
      fc.property(docSpec, (spec) => {
        const s = scoreDocument(build(spec), { at: spec.at });
        for (const o of s.objectives.values()) {
          const weakest = weakestStatus(o.keyResults.map((k) => k.status));
          if (weakest && spec.objectives[Number(o.id.slice(1))]!.rollup === 'key-results') expect(o.status).toBe(weakest);
          // Without aligned children every rollup mode rests on the key results: none is weaker than the objective.
          if (o.childIds.length === 0) for (const k of o.keyResults) expect(statusRank(o.status)).toBeLessThanOrEqual(statusRank(k.status));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a forecast through points on a line returns that line', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.uniqueArray(fc.integer({ min: 0, max: 89 * 24 }), { minLength: 2, maxLength: 12 }),
        (slope, intercept, hours) => {
          // Pure least squares.
          const xs = hours.map((h) => h / 24);
          const line = leastSquares(xs, xs.map((x) => slope * x + intercept))!;
          expect(line.slope).toBeCloseTo(slope, 6);
          expect(lineAt(line, 90)).toBeCloseTo(slope * 90 + intercept, 5);
          // Through scoring: values on the line (x in days from the cycle start), projected to the cycle's end.
          const start = 0;
          const target = slope * 90 + intercept === 0 ? 1 : Math.abs(slope * 90 + intercept) * 2;
          const doc = document({
            objectives: [objective('o')],
            keyResults: [keyResult('k', 'o', { kind: 'increase', start, target })],
            checkIns: hours.map((h) => checkIn('k', new Date(CYCLE_START + h * 3_600_000).toISOString(), { value: slope * (h / 24) + intercept })),
          });
          const f = scoreDocument(doc, { at: CYCLE_END_ISO }).keyResults.get('k')!.forecast!;
          expect(f.value).toBeCloseTo(slope * 90 + intercept, 4);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('net confidence: all on-track → 100, all off-track → −100, and bounded in between', () => {
    const status = fc.constantFrom<Status>('on-track', 'at-risk', 'off-track', 'stale', 'done');
    fc.assert(
      fc.property(fc.array(status, { minLength: 1 }), (list) => {
        const n = netConfidence(list);
        const good = list.filter((s) => s === 'on-track' || s === 'done').length;
        const bad = list.filter((s) => s === 'off-track').length;
        expect(n).toBeCloseTo(((good - bad) / list.length) * 100, 9);
      }),
    );
  });
});

const CYCLE_END_ISO = new Date(CYCLE_END - 1).toISOString();

function improve(m: Metric, c: CheckIn, step: number): CheckIn {
  switch (m.kind) {
    case 'increase':
      return { ...c, value: c.value! + step };
    case 'decrease':
      return { ...c, value: c.value! - step };
    case 'maintain-above':
      return { ...c, value: Math.max(c.value!, m.threshold) };
    case 'maintain-below':
      return { ...c, value: Math.min(c.value!, m.threshold) };
    case 'milestones':
      return { ...c, milestonesDone: [...c.milestonesDone!, m.items[Math.floor(step) % m.items.length]!.id] };
    case 'boolean':
      return { ...c, done: true };
  }
}

function shuffle<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
