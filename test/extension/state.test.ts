import { describe, it, expect, beforeEach } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { emptyDocument, presetCycle, type CandorDocument } from '../../core/model/index.ts';
import { generateSampleOrganisation } from '../../core/sample/index.ts';
import { createAppState } from '../../extension/state/app-state.ts';
import { openBackend } from '../../extension/state/workspace-backend.ts';
import { defaultSettings } from '../../extension/lib/settings.ts';
import { memoryPersistence, day, settle } from './helpers.ts';

const NOW = day('2026-08-12'); // a Wednesday in Q3 2026

function seed(): CandorDocument {
  const doc = emptyDocument(NOW.toISOString());
  doc.people.push({ id: 'ana', name: 'Ana', teamIds: [] }, { id: 'ben', name: 'Ben', teamIds: [] });
  doc.cycles.push(presetCycle('quarter', '2026-08-12'));
  const at = '2026-07-01T09:00:00Z';
  doc.objectives.push(
    { id: 'co', cycleId: '2026-q3', title: 'Customers love us', owner: { kind: 'company', id: 'acme' }, type: 'committed', visibility: 'public', state: 'active', rollup: 'children', createdAt: at, updatedAt: at },
    { id: 'o1', cycleId: '2026-q3', title: 'Faster onboarding', owner: { kind: 'person', id: 'ana' }, parentId: 'co', type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: at, updatedAt: at },
    { id: 'o2', cycleId: '2026-q3', title: 'Ben’s goal', owner: { kind: 'person', id: 'ben' }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: at, updatedAt: at },
  );
  doc.keyResults.push(
    { id: 'k1', objectiveId: 'o1', title: 'Signups', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 } },
    { id: 'k2', objectiveId: 'o1', title: 'Docs done', weight: 1, order: 1, metric: { kind: 'boolean' } },
    { id: 'k3', objectiveId: 'o2', title: 'Ben KR', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 10 } },
  );
  doc.checkIns.push({ id: 'c-ben', keyResultId: 'k3', authorId: 'ben', at: '2026-08-11T10:00:00Z', value: 4, confidence: 0.8 });
  return doc;
}

async function build(doc = seed(), me: string | undefined = 'ana') {
  const backend = await openBackend({ me, persistence: memoryPersistence(doc) });
  const changes: number[] = [];
  const state = createAppState({ backend, settings: { ...defaultSettings(), me }, now: () => NOW, onDocumentChanged: (n) => changes.push(n) });
  return { state, backend, changes };
}

describe('app state', () => {
  beforeEach(() => fakeBrowser.reset());

  it('derives my goals, why it matters and the due count from the document', async () => {
    const { state } = await build();
    const view = state.goals.value;
    expect(view.cycle?.cycle.id).toBe('2026-q3');
    expect(view.cycle?.daysLeft).toBeGreaterThan(40);
    expect(view.objectives.map((o) => o.objective.id)).toEqual(['o1']); // Ben's goal is not mine
    expect(view.objectives[0]!.why.map((o) => o.id)).toEqual(['co']);
    expect(state.dueCount.value).toBe(2); // no check-ins yet on either of my KRs
    expect(state.checkIns.value.map((r) => r.keyResult.id)).toEqual(['k1', 'k2']);
  });

  it('a check-in raises the score, lowers the due count and tells the worker', async () => {
    const { state, changes } = await build();
    const before = state.goals.value.objectives[0]!.keyResults[0]!.verdict.score;
    await state.actions.checkIn({ keyResultId: 'k1', value: 60, confidence: 0.8 });
    await settle();
    const kr = state.goals.value.objectives[0]!.keyResults[0]!;
    expect(before).toBe(0);
    expect(kr.verdict.score).toBeCloseTo(0.6);
    expect(kr.verdict.current).toBe(60);
    expect(state.dueCount.value).toBe(1);
    expect(changes).toEqual([2, 1]); // on open, then after the check-in
    // due KRs come first in the popup list
    expect(state.checkIns.value.map((r) => r.keyResult.id)).toEqual(['k2', 'k1']);
  });

  it('an invalid check-in is refused and changes nothing', async () => {
    const { state } = await build();
    const before = state.document.value.checkIns.length;
    await expect(state.actions.checkIn({ keyResultId: 'k2', value: 3, confidence: 0.5 })).rejects.toThrow(/done/);
    await expect(state.actions.checkIn({ keyResultId: 'nope', value: 3, confidence: 0.5 })).rejects.toThrow(/no key result/);
    expect(state.document.value.checkIns.length).toBe(before);
  });

  it('team pulse shows teammates’ check-ins and one-click kudos reach them', async () => {
    const { state } = await build();
    const pulse = state.teamPulse.value;
    expect(pulse.map((p) => p.id)).toEqual(['c-ben']);
    await state.actions.giveKudos(pulse[0]!);
    await settle();
    const kudos = state.document.value.kudos;
    expect(kudos).toHaveLength(1);
    expect(kudos[0]).toMatchObject({ fromId: 'ana', toIds: ['ben'], target: { kind: 'checkIn', id: 'c-ben' } });
  });

  it('celebrates a key result that reached its target once', async () => {
    const { state } = await build();
    expect(state.toCelebrate.value).toHaveLength(0);
    await state.actions.checkIn({ keyResultId: 'k2', done: true, confidence: 1 });
    await settle();
    expect(state.toCelebrate.value.map((k) => k.keyResult.id)).toEqual(['k2']);
    await state.actions.markCelebrated(['k2']);
    await settle();
    expect(state.toCelebrate.value).toHaveLength(0);
  });

  it('at the end of a cycle, unfinished objectives roll over into the next one, starting where they left off', async () => {
    const doc = seed();
    doc.checkIns.push({ id: 'c1', keyResultId: 'k1', authorId: 'ana', at: '2026-09-20T10:00:00Z', value: 40, confidence: 0.5 });
    const backend = await openBackend({ me: 'ana', persistence: memoryPersistence(doc) });
    const state = createAppState({ backend, settings: { ...defaultSettings(), me: 'ana' }, now: () => day('2026-10-02') });
    const view = state.goals.value;
    expect(view.cycle?.ended).toBe(true);
    await state.actions.reflect('o1', view.objectives[0]!.verdict.score, { wentWell: 'pairing', learned: 'start earlier', nextTime: 'weekly demos' });
    await settle();
    expect(state.goals.value.objectives[0]!.reflected).toBe(true);
    await state.actions.rollOver(['o1'], presetCycle('quarter', '2026-10-02'));
    await settle();
    const after = state.document.value;
    const copy = after.objectives.find((o) => o.cycleId === '2026-q4');
    expect(copy).toMatchObject({ title: 'Faster onboarding', parentId: 'co', state: 'active' });
    const krs = after.keyResults.filter((k) => k.objectiveId === copy!.id);
    expect(krs.map((k) => k.title).sort()).toEqual(['Docs done', 'Signups']);
    expect(krs.find((k) => k.title === 'Signups')!.metric).toMatchObject({ kind: 'increase', start: 40, target: 100 });
    expect(after.objectives.find((o) => o.id === 'o1')!.state).toBe('closed');
  });

  it('first run: no identity means no goals and nothing due', async () => {
    const { state } = await build(emptyDocument(), undefined);
    expect(state.isEmpty.value).toBe(true);
    expect(state.goals.value.objectives).toEqual([]);
    expect(state.dueCount.value).toBe(0);
  });

  it('works on the sample organisation: every objective of mine is scored', async () => {
    const sample = generateSampleOrganisation({ seed: 3, people: 12, at: '2026-08-12' });
    const me = sample.objectives.find((o) => o.owner.kind === 'person' && o.cycleId === '2026-q3')!.owner.id;
    const { state } = await build(sample, me);
    const view = state.goals.value;
    expect(view.objectives.length).toBeGreaterThan(0);
    for (const o of view.objectives) {
      expect(o.verdict.score).toBeGreaterThanOrEqual(0);
      expect(o.verdict.score).toBeLessThanOrEqual(1);
      expect(o.keyResults.length).toBeGreaterThan(0);
    }
  });
});

describe('first paint', () => {
  it('scoring only my part of the organisation gives the same goals as scoring all of it', async () => {
    const { scoreDocument } = await import('../../core/scoring/index.ts');
    const { goalsView, documentForMe, cycleToShow } = await import('../../extension/state/derive.ts');
    const sample = generateSampleOrganisation({ seed: 5, people: 30, at: '2026-08-12' });
    const people = [...new Set(sample.objectives.filter((o) => o.owner.kind === 'person').map((o) => o.owner.id))].slice(0, 6);
    expect(people.length).toBeGreaterThan(2);
    for (const me of people) {
      const full = goalsView(sample, scoreDocument(sample, { at: NOW }), me, NOW);
      const mine = documentForMe(sample, me, cycleToShow(sample, NOW)!.id);
      expect(mine.checkIns.length).toBeLessThan(sample.checkIns.length);
      const fast = goalsView(mine, scoreDocument(mine, { at: NOW }), me, NOW, sample);
      expect(fast.dueCount).toBe(full.dueCount);
      expect(fast.objectives.map((o) => [o.objective.id, o.verdict.score, o.verdict.status, o.why.map((w) => w.id)])).toEqual(
        full.objectives.map((o) => [o.objective.id, o.verdict.score, o.verdict.status, o.why.map((w) => w.id)]),
      );
      expect(fast.objectives.flatMap((o) => o.keyResults.map((k) => [k.verdict.score, k.verdict.due]))).toEqual(full.objectives.flatMap((o) => o.keyResults.map((k) => [k.verdict.score, k.verdict.due])));
    }
  });
});
