// Shared fixtures for the store tests (node and browser).
import * as Y from 'yjs';
import type { CandorDocument, Cycle } from '../../core/model/index.ts';
import { COLLECTIONS } from '../../core/model/index.ts';
import { Workspace, type KeyResultInput } from '../../core/store/workspace.ts';

export const numeric = (title: string): KeyResultInput => ({ title, metric: { kind: 'increase', start: 0, target: 100 } });
export const milestones = (title: string): KeyResultInput => ({
  title,
  metric: { kind: 'milestones', items: [{ id: 'm1', title: 'Beta' }, { id: 'm2', title: 'GA' }] },
});

/** A workspace for Ana with Ana and Ben as people and one cycle. `clock` makes every timestamp one second later than the last. */
export function seededWorkspace(options: { me?: string; clock?: boolean } = {}): { ws: Workspace; cycle: Cycle } {
  let t = Date.parse('2026-01-05T09:00:00Z');
  const ws = new Workspace({ me: options.me ?? 'ana', ...(options.clock ? { now: () => new Date((t += 1000)) } : {}) });
  ws.upsertPerson({ id: 'ana', name: 'Ana', email: 'ana@example.com', teamIds: [] });
  ws.upsertPerson({ id: 'ben', name: 'Ben', teamIds: [] });
  const cycle = ws.createCycle({ id: 'q1', name: 'Q1 2026', start: '2026-01-01', end: '2026-03-31' });
  return { ws, cycle };
}

/** Sends each workspace what the other lacks, space by space, until both hold the same state. */
export function exchange(a: Workspace, b: Workspace): void {
  for (const [from, to] of [[a, b], [b, a]] as const) {
    for (const [space, doc] of from.spaces) {
      const target = to.space(space);
      Y.applyUpdate(target, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(target)), 'peer');
    }
  }
}

/** A document with `generatedAt` dropped and every collection sorted by id, for equality between replicas. */
export function comparable(doc: CandorDocument): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of COLLECTIONS) out[c] = [...(doc[c] as { id: string }[])].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return out;
}
