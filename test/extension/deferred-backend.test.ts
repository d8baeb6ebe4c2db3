import { describe, it, expect } from 'vitest';
import { emptyDocument, presetCycle } from '../../core/model/index.ts';
import { deferredBackend } from '../../extension/state/deferred-backend.ts';
import { openBackend } from '../../extension/state/workspace-backend.ts';
import { createAppState } from '../../extension/state/app-state.ts';
import { defaultSettings } from '../../extension/lib/settings.ts';
import type { Backend } from '../../extension/state/backend.ts';
import { memoryPersistence, day, settle } from './helpers.ts';

const NOW = day('2026-08-12');

function doc() {
  const d = emptyDocument(NOW.toISOString());
  d.people.push({ id: 'ana', name: 'Ana', teamIds: [] });
  d.cycles.push(presetCycle('quarter', '2026-08-12'));
  const at = '2026-07-01T09:00:00Z';
  d.objectives.push({ id: 'o1', cycleId: '2026-q3', title: 'Ship', owner: { kind: 'person', id: 'ana' }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: at, updatedAt: at });
  d.keyResults.push({ id: 'k1', objectiveId: 'o1', title: 'Users', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 10 } });
  return d;
}

describe('painting from the snapshot before the workspace loads', () => {
  it('answers from the snapshot, queues a save until the workspace is ready, then shows the live document', async () => {
    let handOver!: (b: Backend) => void;
    const ready = new Promise<Backend>((r) => (handOver = r));
    const snapshot = doc();
    const state = createAppState({ backend: deferredBackend(snapshot, ready), settings: { ...defaultSettings(), me: 'ana' }, now: () => NOW });
    expect(state.checkIns.value.map((r) => r.keyResult.id)).toEqual(['k1']);

    let saved = false;
    const saving = state.actions.checkIn({ keyResultId: 'k1', value: 5, confidence: 0.8 }).then(() => (saved = true));
    await settle();
    expect(saved).toBe(false); // waits for the workspace: nothing is written to the snapshot
    expect(snapshot.checkIns).toHaveLength(0);

    const persistence = memoryPersistence(doc());
    handOver(await openBackend({ me: 'ana', persistence }));
    await saving;
    await settle();
    expect(persistence.writes).toBeGreaterThan(0);
    expect(state.document.value.checkIns.map((c) => c.value)).toEqual([5]);
    expect(state.goals.value.objectives[0]!.keyResults[0]!.verdict.score).toBeCloseTo(0.5);
  });
});
