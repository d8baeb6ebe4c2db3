import { describe, it, expect } from 'vitest';
import {
  scoreDocument,
  toScoreJson,
  gradeOf,
  cycleElapsed,
  currentCycle,
  alignmentPath,
  orgTree,
  netConfidence,
  keyResultProgress,
  milestonesProgress,
  numericProgress,
  paceStatus,
  capByConfidence,
  weakestStatus,
  CandorScoringError,
  type Status,
} from '../../core/scoring/index.ts';
import { CYCLE, HALFWAY, boolean, checkIn, decrease, document, increase, keyResult, milestones, objective, weekly } from './scoring-fixtures.ts';

/** One objective, one KR, weekly check-ins up to `at` whose value comes from `value(week)`. */
function single(metric: Parameters<typeof keyResult>[2], checkIns: ReturnType<typeof checkIn>[], extra: Partial<ReturnType<typeof objective>> = {}) {
  return document({ objectives: [objective('o', extra)], keyResults: [keyResult('k', 'o', metric)], checkIns });
}

describe('key result progress and score', () => {
  it('milestones: 3 of 6 done → 0.5', () => {
    const doc = single(milestones(6), [checkIn('k', '2026-02-10T10:00:00Z', { milestonesDone: ['m1', 'm2', 'm3'] })]);
    const v = scoreDocument(doc, { at: HALFWAY }).keyResults.get('k')!;
    expect(v.progress).toBe(0.5);
    expect(v.score).toBe(0.5);
    expect(v.current).toBe(3);
  });

  it('milestones are weighted, ignore unknown and repeated ids, and count equally when all weights are 0', () => {
    expect(milestonesProgress(milestones(3, [1, 2, 1]), ['m2']).progress).toBe(0.5);
    expect(milestonesProgress(milestones(3, [1, 2, 1]), ['m2', 'm2', 'nope'])).toEqual({ progress: 0.5, count: 1 });
    expect(milestonesProgress(milestones(4, [0, 0, 0, 0]), ['m1']).progress).toBe(0.25);
  });

  it('increase and decrease: (v − start) / (target − start), the latest value; no check-in → start', () => {
    expect(numericProgress({ start: 20, target: 50 }, 35)).toBe(0.5);
    expect(numericProgress({ start: 5, target: 2 }, 3.5)).toBe(0.5);
    expect(numericProgress({ start: 5, target: 2 }, undefined)).toBe(0);
    const doc = single(increase(20, 50), [checkIn('k', '2026-01-20T10:00:00Z', { value: 50 }), checkIn('k', '2026-02-10T10:00:00Z', { value: 35 })]);
    const v = scoreDocument(doc, { at: HALFWAY }).keyResults.get('k')!;
    expect(v.progress).toBe(0.5);
    expect(v.current).toBe(35);
  });

  it('raw progress may exceed 1 or fall below 0; the score is clamped', () => {
    const over = scoreDocument(single(increase(0, 10), [checkIn('k', '2026-02-10T10:00:00Z', { value: 12 })]), { at: HALFWAY }).keyResults.get('k')!;
    expect(over.progress).toBeCloseTo(1.2);
    expect(over.score).toBe(1);
    const under = scoreDocument(single(decrease(10, 0), [checkIn('k', '2026-02-10T10:00:00Z', { value: 14 })]), { at: HALFWAY }).keyResults.get('k')!;
    expect(under.progress).toBeCloseTo(-0.4);
    expect(under.score).toBe(0);
  });

  it('maintain: progress 1 while the latest value holds; score = share of the cycle’s check-ins that held', () => {
    const values = [99.5, 98, 99.9, 99.2]; // threshold 99: 3 of 4 held
    const cis = values.map((value, i) => checkIn('k', `2026-01-${String(5 + 7 * i).padStart(2, '0')}T10:00:00Z`, { value }));
    const before = checkIn('k', '2025-12-20T10:00:00Z', { value: 50 }); // before the cycle: not counted
    const doc = single({ kind: 'maintain-above', threshold: 99 }, [before, ...cis]);
    const v = scoreDocument(doc, { at: '2026-01-28T00:00:00Z' }).keyResults.get('k')!;
    expect(v.score).toBe(0.75);
    expect(v.progress).toBe(1);
    expect(v.status).toBe('on-track');
    expect(v.expected).toBe(1);
    const below = single({ kind: 'maintain-below', threshold: 2 }, [checkIn('k', '2026-01-20T10:00:00Z', { value: 1 }), checkIn('k', '2026-01-27T10:00:00Z', { value: 3 })]);
    const w = scoreDocument(below, { at: '2026-01-28T00:00:00Z' }).keyResults.get('k')!;
    expect(w.progress).toBe(0);
    expect(w.score).toBe(0.5);
    expect(w.status).toBe('off-track');
  });

  it('boolean: 0 until done, 1 when done', () => {
    expect(keyResultProgress({ metric: boolean }, [{ at: '2026-01-10T00:00:00Z', done: true }, { at: '2026-01-03T00:00:00Z', done: false }])).toEqual({ progress: 1, score: 1 });
    expect(keyResultProgress({ metric: boolean }, [])).toEqual({ progress: 0, score: 0 });
  });

  it('compares check-in times as instants, not strings', () => {
    // "09:00+02:00" (07:00Z) is earlier than "08:00Z", though it sorts later as a string.
    const cis = [checkIn('k', '2026-02-10T08:00:00Z', { value: 40 }), checkIn('k', '2026-02-10T09:00:00+02:00', { value: 10 })];
    const v = scoreDocument(single(increase(0, 100), cis), { at: HALFWAY }).keyResults.get('k')!;
    expect(v.current).toBe(40);
    expect(v.lastCheckInAt).toBe('2026-02-10T08:00:00Z');
    expect(v.history.map((h) => h.value)).toEqual([10, 40]);
  });

  it('ignores check-ins after `at`', () => {
    const cis = [checkIn('k', '2026-02-10T10:00:00Z', { value: 30 }), checkIn('k', '2026-03-01T10:00:00Z', { value: 90 })];
    const v = scoreDocument(single(increase(0, 100), cis), { at: HALFWAY }).keyResults.get('k')!;
    expect(v.current).toBe(30);
    expect(v.history).toHaveLength(1);
  });

  it('history: every check-in in time order with its progress, carrying the last reading, built on read and kept by JSON', () => {
    const cis = weekly('k', HALFWAY, (w) => (w === 2 ? {} : { value: w * 10 }));
    const v = scoreDocument(single(increase(0, 100), cis), { at: HALFWAY }).keyResults.get('k')!;
    expect(v.history.map((h) => h.progress)).toEqual([0, 0.1, 0.1, 0.3, 0.4, 0.5]);
    expect(v.history[2]).toEqual({ at: cis[2]!.at, progress: 0.1 });
    expect(JSON.parse(JSON.stringify(v)).history).toHaveLength(6);
    expect(JSON.parse(JSON.stringify(v))).toMatchObject({ id: 'k', objectiveId: 'o', current: 50, status: v.status });
  });
});

describe('objective score', () => {
  const kr = (id: string, value: number, extra = {}) => [
    keyResult(id, 'o', increase(0, 10), extra),
    checkIn(id, '2026-02-10T10:00:00Z', { value }),
  ] as const;

  function scoreOf(parts: (readonly [ReturnType<typeof keyResult>, ReturnType<typeof checkIn>])[], extra = {}) {
    const doc = document({ objectives: [objective('o', extra)], keyResults: parts.map((p) => p[0]), checkIns: parts.map((p) => p[1]) });
    return scoreDocument(doc, { at: HALFWAY }).objectives.get('o')!;
  }

  it('is the weighted mean of its key results, weights normalised', () => {
    expect(scoreOf([kr('a', 10, { weight: 1 }), kr('b', 0, { weight: 3 })]).score).toBeCloseTo(0.25);
    expect(scoreOf([kr('a', 10, { weight: 2 }), kr('b', 0, { weight: 6 })]).score).toBeCloseTo(0.25);
  });

  it('counts all key results equally when every weight is 0', () => {
    expect(scoreOf([kr('a', 10, { weight: 0 }), kr('b', 0, { weight: 0 })]).score).toBeCloseTo(0.5);
  });

  it('lists its key results in `order`', () => {
    const o = scoreOf([kr('a', 1, { order: 2 }), kr('b', 2, { order: 0 }), kr('c', 3, { order: 1 })]);
    expect(o.keyResults.map((k) => k.id)).toEqual(['b', 'c', 'a']);
  });

  it('with no key results scores 0', () => {
    const s = scoreDocument(document({ objectives: [objective('o')] }), { at: HALFWAY });
    expect(s.objectives.get('o')!.score).toBe(0);
  });
});

describe('rollup modes', () => {
  // root (rollup varies) ← a (score 1) and b (score 0.5); root's own KR scores 0.
  function tree(rollup: 'key-results' | 'children' | 'both') {
    return document({
      objectives: [objective('root', { rollup }), objective('a', { parentId: 'root', order: 2 }), objective('b', { parentId: 'root', order: 1 })],
      keyResults: [keyResult('kr', 'root', increase(0, 10)), keyResult('ka', 'a', increase(0, 10)), keyResult('kb', 'b', increase(0, 10))],
      checkIns: [checkIn('kr', '2026-02-10T10:00:00Z', { value: 0 }), checkIn('ka', '2026-02-10T10:00:00Z', { value: 10 }), checkIn('kb', '2026-02-10T10:00:00Z', { value: 5 })],
    });
  }

  it('key-results ignores aligned children', () => {
    const root = scoreDocument(tree('key-results'), { at: HALFWAY }).objectives.get('root')!;
    expect(root.score).toBe(0);
    expect(root.childIds).toEqual(['b', 'a']);
  });

  it('children uses the mean of aligned children', () => {
    expect(scoreDocument(tree('children'), { at: HALFWAY }).objectives.get('root')!.score).toBeCloseTo(0.75);
  });

  it('both mixes key results and children equally', () => {
    expect(scoreDocument(tree('both'), { at: HALFWAY }).objectives.get('root')!.score).toBeCloseTo(0.375);
  });

  it('rolls up recursively through several levels', () => {
    const doc = document({
      objectives: [objective('top', { rollup: 'children' }), objective('mid', { parentId: 'top', rollup: 'children' }), objective('leaf', { parentId: 'mid' })],
      keyResults: [keyResult('k', 'leaf', increase(0, 10))],
      checkIns: [checkIn('k', '2026-02-10T10:00:00Z', { value: 4 })],
    });
    expect(scoreDocument(doc, { at: HALFWAY }).objectives.get('top')!.score).toBeCloseTo(0.4);
  });

  it('children falls back to key results when nothing is aligned', () => {
    const doc = document({ objectives: [objective('o', { rollup: 'children' })], keyResults: [keyResult('k', 'o', increase(0, 10))], checkIns: [checkIn('k', '2026-02-10T10:00:00Z', { value: 6 })] });
    expect(scoreDocument(doc, { at: HALFWAY }).objectives.get('o')!.score).toBeCloseTo(0.6);
  });

  it('survives an alignment cycle: every objective scored once, no endless recursion', () => {
    const doc = document({
      objectives: [objective('a', { parentId: 'c', rollup: 'children' }), objective('b', { parentId: 'a', rollup: 'both' }), objective('c', { parentId: 'b', rollup: 'children' })],
      keyResults: [keyResult('kb', 'b', increase(0, 10))],
      checkIns: [checkIn('kb', '2026-02-10T10:00:00Z', { value: 8 })],
    });
    const s = scoreDocument(doc, { at: HALFWAY });
    expect(s.objectives.size).toBe(3);
    for (const o of s.objectives.values()) {
      expect(o.score).toBeGreaterThanOrEqual(0);
      expect(o.score).toBeLessThanOrEqual(1);
    }
  });

  it('an objective’s status is its weakest key result’s; done when all are done', () => {
    const doc = document({
      objectives: [objective('o'), objective('p')],
      keyResults: [keyResult('a', 'o', increase(0, 10)), keyResult('b', 'o', increase(0, 10)), keyResult('c', 'p', boolean), keyResult('d', 'p', increase(0, 1))],
      checkIns: [
        checkIn('a', '2026-02-10T10:00:00Z', { value: 6 }),
        checkIn('b', '2026-02-10T10:00:00Z', { value: 0 }),
        checkIn('c', '2026-02-10T10:00:00Z', { done: true }),
        checkIn('d', '2026-02-10T10:00:00Z', { value: 1 }),
      ],
    });
    const s = scoreDocument(doc, { at: HALFWAY });
    expect(s.keyResults.get('a')!.status).toBe('on-track');
    expect(s.keyResults.get('b')!.status).toBe('off-track');
    expect(s.objectives.get('o')!.status).toBe('off-track');
    expect(s.objectives.get('p')!.status).toBe('done');
  });
});

describe('grade bands', () => {
  it.each([
    [0, 'red'],
    [0.39, 'red'],
    [0.4, 'yellow'],
    [0.69, 'yellow'],
    [0.7, 'green'],
    [1, 'green'],
  ] as const)('%s → %s', (score, grade) => expect(gradeOf(score)).toBe(grade));
});

describe('pace and status', () => {
  const at = HALFWAY; // elapsed share 0.5
  function statusFor(value: number, extra: Partial<ReturnType<typeof objective>> = {}, confidence = 0.8, options = {}) {
    const doc = single(increase(0, 100), [checkIn('k', '2026-02-10T10:00:00Z', { value, confidence })], extra);
    return scoreDocument(doc, { at, ...options }).keyResults.get('k')!;
  }

  it('expected = elapsed share of the cycle', () => {
    expect(statusFor(50).expected).toBeCloseTo(0.5);
  });

  it.each([
    [50, 'on-track'], // gap 0
    [30, 'on-track'], // gap −0.2: the boundary is on-track
    [29, 'at-risk'],
    [10, 'at-risk'], // gap −0.4
    [9, 'off-track'],
  ] as const)('committed, halfway, value %s of 100 → %s', (value, status) => expect(statusFor(value).status).toBe(status));

  it('aspirational: 70% of the way halfway through the cycle is well on track (expected 0.35)', () => {
    const v = statusFor(70, { type: 'aspirational' });
    expect(v.expected).toBeCloseTo(0.35);
    expect(v.status).toBe('on-track');
    expect(statusFor(15, { type: 'aspirational' }).status).toBe('on-track'); // gap −0.2
    expect(statusFor(14, { type: 'aspirational' }).status).toBe('at-risk');
  });

  it('thresholds are configurable', () => {
    expect(statusFor(45, {}, 0.8, { thresholds: { atRisk: -0.01, offTrack: -0.1 } }).status).toBe('at-risk');
    expect(statusFor(35, {}, 0.8, { thresholds: { atRisk: -0.01, offTrack: -0.1 } }).status).toBe('off-track');
  });

  it('latest confidence below 0.7 caps at at-risk, below 0.4 at off-track', () => {
    expect(statusFor(60, {}, 0.7).status).toBe('on-track');
    expect(statusFor(60, {}, 0.69).status).toBe('at-risk');
    expect(statusFor(60, {}, 0.39).status).toBe('off-track');
    expect(statusFor(60, {}, 0.5, { confidenceCaps: { atRisk: 0.5, offTrack: 0.2 } }).status).toBe('on-track');
    expect(statusFor(60, {}, 0.5).confidence).toBe(0.5);
  });

  it('a key result that reached its target is done, whatever its confidence', () => {
    expect(statusFor(100, {}, 0.1).status).toBe('done');
  });

  it('boolean follows confidence until done', () => {
    const at2 = '2026-02-12T00:00:00Z';
    const s = (confidence: number, done = false) => scoreDocument(single(boolean, [checkIn('k', '2026-02-10T10:00:00Z', { done, confidence })]), { at: at2 }).keyResults.get('k')!.status;
    expect(s(0.8)).toBe('on-track');
    expect(s(0.5)).toBe('at-risk');
    expect(s(0.2)).toBe('off-track');
    expect(s(0.2, true)).toBe('done');
  });

  it('pure helpers agree', () => {
    expect(paceStatus(0.3, 0.5)).toBe('on-track');
    expect(capByConfidence('on-track', 0.5)).toBe('at-risk');
    expect(capByConfidence('stale', 0.1)).toBe('stale');
    expect(weakestStatus(['done', 'on-track', 'stale', 'at-risk'])).toBe('stale');
    expect(weakestStatus([])).toBeUndefined();
  });
});

describe('silence is never green', () => {
  const at = '2026-02-20T12:00:00Z';
  const withLast = (lastAt: string | undefined, extra: Partial<ReturnType<typeof objective>> = {}, options = {}) =>
    scoreDocument(single(increase(0, 100), lastAt ? [checkIn('k', lastAt, { value: 60 })] : [], extra), { at, ...options }).keyResults.get('k')!;

  it('no check-in within the cadence (weekly) plus 2 days of grace → stale', () => {
    expect(withLast('2026-02-11T11:00:00Z').status).toBe('stale'); // 9 days 1 hour
    expect(withLast('2026-02-11T13:00:00Z').status).toBe('on-track'); // 8 days 23 hours
    expect(withLast(undefined).status).toBe('stale');
  });

  it('grace is configurable', () => {
    expect(withLast('2026-02-11T13:00:00Z', {}, { graceDays: 0 }).status).toBe('stale');
    expect(withLast('2026-02-08T13:00:00Z', {}, { graceDays: 5 }).status).toBe('on-track');
  });

  it('the cadence of the key result’s owner applies (every 2 weeks → 16 days)', () => {
    const doc = document({
      people: [{ id: 'ana', name: 'Ana', teamIds: [] }, { id: 'bo', name: 'Bo', teamIds: [], cadence: { everyWeeks: 2, weekday: 1, hour: 9 } }],
      objectives: [objective('o')],
      keyResults: [keyResult('k', 'o', increase(0, 100), { ownerId: 'bo' }), keyResult('j', 'o', increase(0, 100))],
      checkIns: [checkIn('k', '2026-02-06T12:00:00Z', { value: 60 }), checkIn('j', '2026-02-06T12:00:00Z', { value: 60 })],
    });
    const s = scoreDocument(doc, { at });
    expect(s.keyResults.get('k')!.status).toBe('on-track');
    expect(s.keyResults.get('j')!.status).toBe('stale'); // Ana: weekly
  });

  it('a cycle that began less than cadence + grace ago is judged by pace, not stale', () => {
    const v = scoreDocument(single(increase(0, 100), []), { at: '2026-01-06T00:00:00Z' }).keyResults.get('k')!;
    expect(v.status).toBe('on-track');
  });

  it('a closed objective is never stale; a done key result is done', () => {
    expect(withLast('2026-01-05T10:00:00Z', { state: 'closed' }).status).not.toBe('stale');
    const done = scoreDocument(single(increase(0, 100), [checkIn('k', '2026-01-05T10:00:00Z', { value: 100 })]), { at }).keyResults.get('k')!;
    expect(done.status).toBe('done');
  });

  it('after the cycle ended, staleness is judged at its end', () => {
    const v = scoreDocument(single(increase(0, 100), [checkIn('k', '2026-03-27T10:00:00Z', { value: 90 })]), { at: '2026-05-01T00:00:00Z' }).keyResults.get('k')!;
    expect(v.status).toBe('on-track');
  });
});

describe('due check-ins', () => {
  it('is due when there is no check-in since the last due moment, and gives the next one', () => {
    // Weekly, Monday 09:00 UTC. At Wednesday 2026-02-11 the last due moment was Monday 2026-02-09 09:00Z.
    const at = '2026-02-11T12:00:00Z';
    const before = scoreDocument(single(increase(0, 10), [checkIn('k', '2026-02-08T10:00:00Z', { value: 5 })]), { at }).keyResults.get('k')!;
    expect(before.due).toBe(true);
    expect(before.nextDueAt).toBe('2026-02-16T09:00:00.000Z');
    const after = scoreDocument(single(increase(0, 10), [checkIn('k', '2026-02-09T09:30:00Z', { value: 5 })]), { at }).keyResults.get('k')!;
    expect(after.due).toBe(false);
  });

  it('uses the owner’s time zone, the KR owner first, then the objective’s person owner', () => {
    const doc = document({
      people: [
        { id: 'ana', name: 'Ana', teamIds: [], timeZone: 'America/New_York' },
        { id: 'bo', name: 'Bo', teamIds: [], timeZone: 'Asia/Tokyo', cadence: { everyWeeks: 1, weekday: 5, hour: 17 } },
      ],
      objectives: [objective('o')],
      keyResults: [keyResult('k', 'o', increase(0, 10)), keyResult('j', 'o', increase(0, 10), { ownerId: 'bo' })],
    });
    const s = scoreDocument(doc, { at: '2026-02-11T12:00:00Z' });
    expect(s.keyResults.get('k')!.nextDueAt).toBe('2026-02-16T14:00:00.000Z'); // Monday 09:00 EST
    expect(s.keyResults.get('j')!.nextDueAt).toBe('2026-02-13T08:00:00.000Z'); // Friday 17:00 JST
  });

  it('is not due for a closed objective, a done key result or an objective created after the due moment', () => {
    const at = '2026-02-11T12:00:00Z';
    expect(scoreDocument(single(increase(0, 10), [], { state: 'closed' }), { at }).keyResults.get('k')!.due).toBe(false);
    expect(scoreDocument(single(increase(0, 10), [checkIn('k', '2026-02-01T00:00:00Z', { value: 10 })]), { at }).keyResults.get('k')!.due).toBe(false);
    expect(scoreDocument(single(increase(0, 10), [], { createdAt: '2026-02-10T00:00:00Z' }), { at }).keyResults.get('k')!.due).toBe(false);
  });
});

describe('forecast', () => {
  it('projects the least-squares line through the cycle’s check-ins to the end of the cycle', () => {
    // value = 2 per day from 2026-01-01: at the end (day 90) → 180, beyond target 150 → score 1.
    const cis = [10, 20, 30].map((d) => checkIn('k', new Date(Date.UTC(2026, 0, 1 + d)).toISOString(), { value: 2 * d }));
    const v = scoreDocument(single(increase(0, 150), cis), { at: HALFWAY }).keyResults.get('k')!;
    expect(v.forecast!.value).toBeCloseTo(180, 9);
    expect(v.forecast!.score).toBe(1);
    const o = scoreDocument(single(increase(0, 360), cis), { at: HALFWAY }).objectives.get('o')!;
    expect(o.forecast!.score).toBeCloseTo(0.5, 9);
  });

  it('needs two check-ins at different times', () => {
    const v = scoreDocument(single(increase(0, 10), [checkIn('k', '2026-01-10T00:00:00Z', { value: 3 })]), { at: HALFWAY }).keyResults.get('k')!;
    expect(v.forecast).toBeUndefined();
  });
});

describe('reflection flag', () => {
  const closed = (type: 'committed' | 'aspirational', value: number, state: 'closed' | 'active' = 'closed', at = HALFWAY) =>
    scoreDocument(single(increase(0, 100), [checkIn('k', '2026-02-10T10:00:00Z', { value })], { type, state }), { at }).objectives.get('o')!.flaggedForReflection;
  it('flags a closed committed objective below 1.0 and an aspirational one below 0.7', () => {
    expect(closed('committed', 90)).toBe(true);
    expect(closed('committed', 100)).toBe(false);
    expect(closed('aspirational', 75)).toBe(false);
    expect(closed('aspirational', 60)).toBe(true);
  });
  it('flags at the end of the cycle, not before', () => {
    expect(closed('committed', 50, 'active')).toBe(false);
    expect(closed('committed', 50, 'active', '2026-04-02T00:00:00Z')).toBe(true);
  });
});

describe('net confidence', () => {
  it('is % on-track − % off-track (done counts as on-track)', () => {
    expect(netConfidence(['on-track', 'done', 'off-track', 'at-risk'] as Status[])).toBe(25);
    expect(netConfidence(['off-track', 'stale'] as Status[])).toBe(-50);
    expect(netConfidence([])).toBe(0);
  });
  it('is reported over a document’s key results', () => {
    const doc = document({
      objectives: [objective('o')],
      keyResults: [keyResult('a', 'o', increase(0, 10)), keyResult('b', 'o', increase(0, 10))],
      checkIns: [checkIn('a', '2026-02-10T10:00:00Z', { value: 5 }), checkIn('b', '2026-02-10T10:00:00Z', { value: 0 })],
    });
    expect(scoreDocument(doc, { at: HALFWAY }).netConfidence).toBe(0);
  });
});

describe('cycles', () => {
  it('cycleElapsed gives the share, days left and whether it ended', () => {
    expect(cycleElapsed(CYCLE, HALFWAY)).toEqual({ share: 0.5, daysLeft: 45, daysTotal: 90, ended: false });
    expect(cycleElapsed(CYCLE, '2025-12-01T00:00:00Z')).toMatchObject({ share: 0, ended: false });
    expect(cycleElapsed(CYCLE, '2026-04-01T00:00:00Z')).toMatchObject({ share: 1, daysLeft: 0, ended: true });
  });

  it('currentCycle picks the shortest cycle containing the moment', () => {
    const doc = document({ cycles: [{ id: '2026', name: '2026', start: '2026-01-01', end: '2026-12-31' }, { ...CYCLE }] });
    expect(currentCycle(doc, HALFWAY)?.id).toBe('q1');
    expect(currentCycle(doc, '2026-06-01T00:00:00Z')?.id).toBe('2026');
    expect(currentCycle(doc, '2027-06-01T00:00:00Z')).toBeUndefined();
  });
});

describe('alignment path', () => {
  const doc = document({
    objectives: [objective('root'), objective('mid', { parentId: 'root' }), objective('leaf', { parentId: 'mid' }), objective('lost', { parentId: 'elsewhere' }), objective('x', { parentId: 'y' }), objective('y', { parentId: 'x' })],
  });
  it('runs from the parent to the root', () => {
    expect(alignmentPath(doc, 'leaf').map((o) => o.id)).toEqual(['mid', 'root']);
    expect(alignmentPath(doc, 'root')).toEqual([]);
    expect(alignmentPath(doc, 'unknown')).toEqual([]);
  });
  it('stops at a parent it cannot see and before a cycle repeats', () => {
    expect(alignmentPath(doc, 'lost')).toEqual([]);
    expect(alignmentPath(doc, 'x').map((o) => o.id)).toEqual(['y']);
  });
});

describe('org tree', () => {
  const doc = document({
    people: [
      { id: 'ana', name: 'Ana', teamIds: ['web', 'api'] },
      { id: 'bo', name: 'Bo', teamIds: ['api'] },
      { id: 'cy', name: 'Cy', teamIds: [] },
    ],
    teams: [
      { id: 'eng', name: 'Engineering', leadIds: [] },
      { id: 'web', name: 'Web', parentId: 'eng', leadIds: [] },
      { id: 'api', name: 'API', parentId: 'eng', leadIds: [] },
    ],
    objectives: [
      objective('co', { owner: { kind: 'company', id: 'acme' } }),
      objective('eng-o', { owner: { kind: 'team', id: 'eng' } }),
      objective('ana-o', { owner: { kind: 'person', id: 'ana' } }),
      objective('bo-o', { owner: { kind: 'person', id: 'bo' } }),
      objective('old', { owner: { kind: 'person', id: 'bo' }, cycleId: 'q4' }),
    ],
    keyResults: ['co', 'eng-o', 'ana-o', 'bo-o', 'old'].map((o) => keyResult(`k-${o}`, o, increase(0, 10))),
    checkIns: [
      checkIn('k-co', '2026-02-10T10:00:00Z', { value: 2 }),
      checkIn('k-eng-o', '2026-02-10T10:00:00Z', { value: 4 }),
      checkIn('k-ana-o', '2026-02-10T10:00:00Z', { value: 6 }),
      checkIn('k-bo-o', '2026-02-10T10:00:00Z', { value: 8 }),
    ],
  });
  doc.cycles.push({ id: 'q4', name: 'Q4 2025', start: '2025-10-01', end: '2025-12-31' });
  const tree = orgTree(doc, scoreDocument(doc, { at: HALFWAY }));

  it('nests company → teams → people → objectives for the current cycle', () => {
    expect(tree.kind).toBe('company');
    expect(tree.children.map((c) => `${c.kind}:${c.id}`)).toEqual(['objective:co', 'team:eng', 'person:cy']);
    const eng = tree.children[1]!;
    expect(eng.children.map((c) => `${c.kind}:${c.id}`)).toEqual(['objective:eng-o', 'team:web', 'team:api']);
    const api = eng.children[2]!;
    expect(api.children.map((c) => c.id)).toEqual(['ana', 'bo']);
    expect(api.children[1]!.children.map((c) => c.id)).toEqual(['bo-o']); // 'old' is another cycle
    expect(api.children[1]!.children[0]).toMatchObject({ kind: 'objective', score: 0.8, status: 'on-track', objectiveCount: 1 });
  });

  it('rolls up the mean of distinct objectives (a person in two teams counts once)', () => {
    const eng = tree.children[1]!;
    expect(eng.objectiveCount).toBe(3);
    expect(eng.score).toBeCloseTo((0.4 + 0.6 + 0.8) / 3);
    expect(tree.objectiveCount).toBe(4);
    expect(tree.score).toBeCloseTo((0.2 + 0.4 + 0.6 + 0.8) / 4);
    expect(tree.children[2]).toMatchObject({ kind: 'person', id: 'cy', score: 0, objectiveCount: 0 });
  });

  it('takes an explicit cycle', () => {
    const q4 = orgTree(doc, scoreDocument(doc, { at: HALFWAY }), 'q4');
    expect(q4.objectiveCount).toBe(1);
  });
});

describe('toScoreJson', () => {
  it('prints the documented shape, rounded', () => {
    const cis = [checkIn('k', '2026-01-11T00:00:00Z', { value: 10 }), checkIn('k', '2026-02-10T00:00:00Z', { value: 100 / 3 })];
    const json = toScoreJson(scoreDocument(single(increase(0, 100), cis), { at: HALFWAY }));
    expect(json).toEqual({
      at: '2026-02-15T00:00:00.000Z',
      objectives: [{ id: 'o', score: 0.333, status: 'on-track', expected: 0.5, forecast: expect.any(Number), keyResults: [{ id: 'k', progress: 0.333, score: 0.333, status: 'on-track' }] }],
      netConfidence: 100,
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('options', () => {
  it('refuses an unreadable `at` with a named error', () => {
    expect(() => scoreDocument(document(), { at: 'yesterday-ish' })).toThrow(CandorScoringError);
  });
  it('accepts a Date and defaults to now', () => {
    expect(scoreDocument(document(), { at: new Date(HALFWAY) }).at).toBe('2026-02-15T00:00:00.000Z');
    expect(Math.abs(Date.parse(scoreDocument(document()).at) - Date.now())).toBeLessThan(5000);
  });
  it('leaves out key results of missing objectives and check-ins of missing key results', () => {
    const doc = document({ objectives: [objective('o')], keyResults: [keyResult('k', 'nope', increase(0, 1))], checkIns: [checkIn('zz', HALFWAY, { value: 1 })] });
    const s = scoreDocument(doc, { at: HALFWAY });
    expect(s.keyResults.size).toBe(0);
    expect(s.objectives.get('o')!.keyResults).toEqual([]);
  });
});

describe('unvalidated input', () => {
  it('keeps numbers finite when a document skipped validation (start = target, bad times, NaN weights)', () => {
    const doc = document({
      objectives: [objective('o')],
      keyResults: [keyResult('k', 'o', { kind: 'increase', start: 5, target: 5 }), keyResult('j', 'o', increase(0, 10), { weight: Number.NaN })],
      checkIns: [checkIn('k', '2026-02-01T00:00:00Z', { value: 7 }), checkIn('k', '2026-02-02T00:00:00Z', { value: 9 }), checkIn('j', 'not a time', { value: 5 })],
    });
    const s = scoreDocument(doc, { at: HALFWAY });
    const json = toScoreJson(s);
    expect(JSON.stringify(json)).not.toContain('null');
    expect(s.keyResults.get('k')!.forecast).toBeUndefined();
    expect(s.keyResults.get('j')!.history).toEqual([]);
    expect(Number.isFinite(s.objectives.get('o')!.score)).toBe(true);
  });

  it('takes the first of duplicate ids, as integrity checks report them', () => {
    const doc = document({
      objectives: [objective('o', { title: 'First' }), objective('o', { title: 'Second', type: 'aspirational' })],
      keyResults: [keyResult('k', 'o', increase(0, 10)), keyResult('k', 'o', increase(0, 100))],
      checkIns: [checkIn('k', '2026-02-10T10:00:00Z', { value: 5 })],
    });
    const s = scoreDocument(doc, { at: HALFWAY });
    expect(s.objectives.size).toBe(1);
    expect(s.keyResults.get('k')!.score).toBe(0.5);
    expect(s.objectives.get('o')!.keyResults).toHaveLength(1);
    expect(s.objectives.get('o')!.expected).toBeCloseTo(0.5); // the committed first one
  });
});

describe('check-ins at the same instant', () => {
  it('the latest is chosen by id, not by the order of the document', () => {
    const at = '2026-02-10T09:00:00Z';
    const a = checkIn('k', at, { id: 'c-a', value: 20 });
    const b = checkIn('k', at, { id: 'c-b', value: 80 });
    const parts = { objectives: [objective('o')], keyResults: [keyResult('k', 'o', increase(0, 100))] };
    const one = scoreDocument(document({ ...parts, checkIns: [a, b] }), { at: HALFWAY });
    const other = scoreDocument(document({ ...parts, checkIns: [b, a] }), { at: HALFWAY });
    expect(one.keyResults.get('k')!.current).toBe(80);
    expect(other.keyResults.get('k')!.current).toBe(80);
    expect(other.objectives.get('o')!.score).toBe(one.objectives.get('o')!.score);
  });
});
