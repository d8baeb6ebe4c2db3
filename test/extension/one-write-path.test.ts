// One write path: the extension's backend exposes the Workspace's typed commands and nothing else that
// writes, each command resolves with the record as stored, and import goes through applyDocument.
import { describe, it, expect, beforeEach } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { emptyDocument, presetCycle, type CandorDocument } from '../../core/model/index.ts';
import { planImport } from '../../core/io/index.ts';
import { hasRecord, spaceOfRecord } from '../../core/store/space.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { COMMANDS, type Backend } from '../../extension/state/backend.ts';
import { createAppState } from '../../extension/state/app-state.ts';
import { deferredBackend } from '../../extension/state/deferred-backend.ts';
import { openBackend } from '../../extension/state/workspace-backend.ts';
import { defaultSettings } from '../../extension/lib/settings.ts';
import { memoryPersistence, day, settle } from './helpers.ts';

const NOW = day('2026-08-12');
const AT = '2026-07-01T09:00:00Z';

function seed(owner = 'ana'): CandorDocument {
  const d = emptyDocument(NOW.toISOString());
  d.people.push({ id: 'ana', name: 'Ana', teamIds: [] }, { id: 'ben', name: 'Ben', teamIds: [] });
  d.cycles.push(presetCycle('quarter', '2026-08-12'));
  d.objectives.push(
    { id: 'o1', cycleId: '2026-q3', title: 'Faster onboarding', owner: { kind: 'person', id: owner }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: AT, updatedAt: owner === 'ana' ? AT : '2026-08-01T09:00:00Z' },
    { id: 'o2', cycleId: '2026-q3', title: 'Ben’s goal', owner: { kind: 'person', id: 'ben' }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: AT, updatedAt: AT },
  );
  d.keyResults.push(
    { id: 'k1', objectiveId: 'o1', title: 'Signups', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 } },
    { id: 'k3', objectiveId: 'o2', title: 'Ben KR', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 10 } },
  );
  d.checkIns.push(
    { id: 'c1', keyResultId: 'k1', authorId: 'ana', at: '2026-08-03T09:00:00Z', value: 20, confidence: 0.8 },
    { id: 'c-ben', keyResultId: 'k3', authorId: 'ben', at: '2026-08-11T10:00:00Z', value: 4, confidence: 0.8 },
  );
  return d;
}

async function build(doc: CandorDocument = seed()) {
  const backend = await openBackend({ me: 'ana', persistence: memoryPersistence(doc) });
  const state = createAppState({ backend, settings: { ...defaultSettings(), me: 'ana' }, now: () => NOW });
  return { backend, state };
}

/** Reads, notifications and plumbing: everything a backend may have besides the commands. */
// resetSpace is sync plumbing: it drops a copy the server refused and reloads it; what it writes again
// goes through Workspace.importRecord, so the record rule holds (test/extension/refused.test.ts).
const NOT_WRITES = new Set(['current', 'subscribe', 'spaces', 'ensureSpaces', 'onSpaceAdded', 'resetSpace', 'backups', 'backupDocument', 'setMe', 'persisted', 'workspace', 'close']);

describe('one write path: the Workspace’s commands', () => {
  beforeEach(() => fakeBrowser.reset());

  it('the backend exposes the Workspace’s typed commands and nothing else that writes', async () => {
    const { backend } = await build();
    const writes = Object.keys(backend).filter((k) => !NOT_WRITES.has(k)).sort();
    expect(writes).toEqual([...COMMANDS].sort());
    for (const gone of ['put', 'importDocument', 'writeDocument', 'restoreBackup', 'replaceWith']) expect(backend).not.toHaveProperty(gone);
    // Each is the Workspace's own command (applyDocument is core/store/apply.ts, built from them).
    const ws = new Workspace({ me: 'x' });
    for (const name of COMMANDS) if (name !== 'applyDocument') expect({ name, isCommand: typeof ws[name] }).toEqual({ name, isCommand: 'function' });
    const deferred = deferredBackend(seed(), Promise.resolve(backend));
    expect(Object.keys(deferred).filter((k) => !NOT_WRITES.has(k)).sort()).toEqual([...COMMANDS].sort());
  });

  it('no extension code writes spaces itself: no raw record writers, no second local workspace', () => {
    const root = resolve(import.meta.dirname, '../../extension');
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return name === 'public' ? [] : walk(path);
        return /\.(ts|tsx)$/.test(name) ? [path] : [];
      });
    })(root);
    const raw = /\b(writeRecord|appendRecords|patchRecord|deleteRecord|deleteRecords|documentToSpaces|openLocalWorkspace|loadWorkspace|saveWorkspace|persistWorkspace|writeDocument)\b/;
    const offenders = files.filter((f) => raw.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });

  it('a check-in resolves with the check-in as stored: the store’s id, author and time', async () => {
    const { state } = await build();
    const returned = await state.actions.checkIn({ keyResultId: 'k1', value: 60, confidence: 0.8, note: 'good week' });
    await settle();
    const stored = state.document.value.checkIns.find((c) => c.id === returned.id);
    expect(stored).toEqual(returned);
    expect(returned).toMatchObject({ authorId: 'ana', at: NOW.toISOString(), value: 60 });
  });

  it('kudos, reflections, comments, objectives, key results, cycles and roll-overs resolve with what was stored', async () => {
    const { state } = await build();
    const storedIn = <T extends { id: string }>(list: readonly T[], r: T) => list.find((x) => x.id === r.id);
    const kudos = await state.actions.giveKudos(state.teamPulse.value[0]!);
    const reflection = await state.actions.reflect('o1', 0.4, { wentWell: 'pairing', learned: 'start earlier', nextTime: 'demos' });
    const comment = await state.actions.comment({ kind: 'checkIn', id: 'c-ben' }, 'Nice progress');
    const created = await state.actions.saveObjective({ ...state.document.value.objectives[0]!, id: 'o-new', title: 'New one', parentId: 'o2' });
    await settle();
    let doc = state.document.value;
    expect(storedIn(doc.kudos, kudos)).toEqual(kudos);
    expect(storedIn(doc.reflections, reflection)).toEqual(reflection);
    expect(storedIn(doc.comments, comment)).toEqual(comment);
    expect(storedIn(doc.objectives, created)).toEqual(created);
    expect(created.parentId).toBe('o2');

    const edited = await state.actions.saveObjective({ ...created, title: 'Renamed', parentId: undefined });
    const kr = await state.actions.saveKeyResult({ id: 'k-new', objectiveId: 'o-new', title: 'Ship it', weight: 1, order: 0, metric: { kind: 'boolean' } });
    const krEdited = await state.actions.saveKeyResult({ ...kr, title: 'Ship it soon' });
    const cycle = await state.actions.saveCycle({ ...doc.cycles[0]!, name: 'Q3, renamed' });
    await settle();
    doc = state.document.value;
    expect(storedIn(doc.objectives, edited)).toEqual(edited);
    expect(edited).not.toHaveProperty('parentId');
    expect(storedIn(doc.keyResults, krEdited)).toEqual(krEdited);
    expect(storedIn(doc.cycles, cycle)).toEqual(cycle);

    const [copy] = await state.actions.rollOver(['o1'], presetCycle('quarter', '2026-10-02'));
    await settle();
    expect(storedIn(state.document.value.objectives, copy!)).toEqual(copy);
    expect(state.document.value.objectives.find((o) => o.id === 'o1')!.state).toBe('closed');
  });

  it('a check-in given before the workspace loaded resolves with the stored one, too', async () => {
    let handOver!: (b: Backend) => void;
    const ready = new Promise<Backend>((r) => (handOver = r));
    const state = createAppState({ backend: deferredBackend(seed(), ready), settings: { ...defaultSettings(), me: 'ana' }, now: () => NOW });
    const saving = state.actions.checkIn({ keyResultId: 'k1', value: 30, confidence: 0.7 });
    const { backend } = await build();
    handOver(backend);
    const returned = await saving;
    await settle();
    expect(backend.current().checkIns.find((c) => c.id === returned.id)).toEqual(returned);
  });

  it('an import in which an objective changed owner leaves exactly one copy, in the new owner’s space', async () => {
    const { state, backend } = await build();
    const plan = planImport(state.document.value, JSON.stringify(seed('ben')));
    if (!plan.ok) throw plan.error;
    const summary = await state.actions.importDocument(plan.plan.document);
    await settle();
    const o1 = state.document.value.objectives.find((o) => o.id === 'o1')!;
    expect(o1.owner).toEqual({ kind: 'person', id: 'ben' });
    const holding = (collection: 'objectives' | 'keyResults' | 'checkIns', id: string) => [...backend.spaces()].filter(([, d]) => hasRecord(d, collection, id)).map(([s]) => s);
    const expected = spaceOfRecord('objectives', o1);
    expect(expected).toBe('person:ben');
    expect(holding('objectives', 'o1')).toEqual([expected]);
    expect(holding('keyResults', 'k1')).toEqual([expected]);
    expect(holding('checkIns', 'c1')).toEqual([expected]);
    expect(summary.objectives.moved).toBe(1);
    expect(backend.workspace().issues).toEqual([]);
  });

  it('an import a command refuses writes nothing and says where', async () => {
    const { state } = await build();
    const before = JSON.stringify(state.document.value);
    const bad = seed('ben');
    bad.checkIns.push({ id: 'c-bad', keyResultId: 'k1', authorId: 'ana', at: AT, done: true, confidence: 0.5 });
    await expect(state.actions.importDocument(bad)).rejects.toThrow(/checkIns\[2\]\.value/);
    await settle();
    expect(JSON.stringify(state.document.value)).toBe(before);
  });
});
