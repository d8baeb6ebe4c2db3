// The demo organisation is a workspace of its own (database `candor-demo`), opened through the same
// core/store code, never synced; opening and leaving it leave my workspace exactly as it was.
import 'fake-indexeddb/auto';
import { describe, it, expect, beforeEach } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { openCandorDB } from '../../core/store/idb.ts';
import { generateSampleOrganisation } from '../../core/sample/index.ts';
import { presetCycle } from '../../core/model/index.ts';
import { createAppState } from '../../extension/state/app-state.ts';
import { openBackend } from '../../extension/state/workspace-backend.ts';
import { openDemo, leaveDemo, demoPerson, DEMO_SEED } from '../../extension/state/demo.ts';
import { activeWorkspace, defaultSettings, loadSettings, saveSettings, withMe } from '../../extension/lib/settings.ts';
import { readSnapshot } from '../../extension/lib/snapshot.ts';
import { DATABASES } from '../../extension/lib/workspaces.ts';
import { startSync } from '../../extension/lib/sync.ts';
import { countDue } from '../../extension/lib/worker.ts';
import { settle } from './helpers.ts';

/** Every stored row of my workspace's database, as JSON (updates, snapshots, meta). */
async function rowsOf(name: string): Promise<string> {
  const db = await openCandorDB({ name });
  const out: Record<string, unknown[]> = {};
  for (const store of ['updates', 'snapshots', 'meta'] as const) out[store] = await db.db.getAll(store);
  db.close();
  return JSON.stringify(out, (_k, v) => (v instanceof Uint8Array ? [...v] : v));
}

async function openMine() {
  const settings = await loadSettings();
  const active = activeWorkspace(settings);
  const backend = await openBackend({ me: active.me, database: active.database, channel: active.channel });
  return { backend, state: createAppState({ backend, settings, saveSettings }) };
}

describe('the demo organisation', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await saveSettings({ ...defaultSettings(), me: 'ana', server: { url: 'wss://okr.example.com', token: 'secret' } });
  });

  it('opens as a separate workspace: my database is untouched, the demo’s has the sample and its first-paint snapshot', async () => {
    const mine = await openMine();
    await mine.state.actions.savePerson({ id: 'ana', name: 'Ana', teamIds: [] });
    await mine.state.actions.saveCycle(presetCycle('quarter', '2026-08-12'));
    await mine.state.actions.saveObjective({ id: 'o1', cycleId: '2026-q3', title: 'My real goal', owner: { kind: 'person', id: 'ana' }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: '', updatedAt: '' });
    await settle();
    const before = await rowsOf(DATABASES.mine);

    await openDemo(mine.state);
    const settings = await loadSettings();
    const sample = generateSampleOrganisation({ seed: DEMO_SEED });
    expect(settings).toMatchObject({ workspace: 'demo', demo: { me: demoPerson(sample) }, me: 'ana', server: { url: 'wss://okr.example.com' } });
    expect(activeWorkspace(settings)).toEqual({ kind: 'demo', me: demoPerson(sample), database: 'candor-demo', channel: 'candor-demo' });
    expect(await rowsOf(DATABASES.mine)).toBe(before);
    const snapshot = await readSnapshot(demoPerson(sample), DATABASES.demo);
    expect(snapshot?.objectives).toHaveLength(sample.objectives.length);
    expect(await readSnapshot(demoPerson(sample), DATABASES.mine)).toBeNull();
    mine.state.dispose();
    mine.backend.close();

    // A page opened now shows the demo, says so, and never starts syncing with the configured server.
    const demo = await openMine();
    expect(demo.state.demo.value).toBe(true);
    expect(demo.state.me.value).toBe(demoPerson(sample));
    expect(demo.state.document.value.objectives).toHaveLength(sample.objectives.length);
    expect(demo.state.goals.value.objectives.length).toBeGreaterThan(0);
    await startSync(demo.state);
    expect(demo.state.sync.value).toEqual({ state: 'local' });
    // Who I am in the demo is the demo's own; mine stays.
    await demo.state.actions.persistSettings(withMe(demo.state.settings.value, sample.people[1]!.id));
    expect(await loadSettings()).toMatchObject({ me: 'ana', demo: { me: sample.people[1]!.id } });
    await demo.state.actions.checkIn({ keyResultId: demo.state.document.value.keyResults[0]!.id, value: 1, confidence: 0.5 }).catch(() => undefined);
    expect(await rowsOf(DATABASES.mine)).toBe(before);

    // Back to my workspace: exactly as it was.
    await leaveDemo(demo.state);
    demo.state.dispose();
    demo.backend.close();
    const back = await openMine();
    expect(back.state.demo.value).toBe(false);
    expect(back.state.me.value).toBe('ana');
    expect(back.state.document.value.objectives.map((o) => o.title)).toEqual(['My real goal']);
    expect(await rowsOf(DATABASES.mine)).toBe(before);
    back.state.dispose();
    back.backend.close();
  });

  it('opening it again starts afresh: what was changed in the demo is undone', async () => {
    const mine = await openMine();
    await openDemo(mine.state);
    mine.state.dispose();
    mine.backend.close();
    const demo = await openMine();
    const [first] = demo.state.document.value.objectives;
    await demo.state.actions.saveObjective({ ...first!, title: 'Changed in the demo' });
    await openDemo(demo.state);
    demo.state.dispose();
    demo.backend.close();
    const again = await openMine();
    expect(again.state.document.value.objectives.find((o) => o.id === first!.id)!.title).toBe(first!.title);
    again.state.dispose();
    again.backend.close();
  });

  it('the badge counts the due key results of whoever I am in the workspace shown', async () => {
    const sample = generateSampleOrganisation({ seed: DEMO_SEED });
    const me = demoPerson(sample);
    await saveSettings({ ...defaultSettings(), me: 'ana', workspace: 'demo', demo: { me } });
    const due = await countDue({ loadDocument: async () => sample });
    await saveSettings({ ...defaultSettings(), me, workspace: 'mine' });
    expect(due).toBe(await countDue({ loadDocument: async () => sample }));
    await saveSettings({ ...defaultSettings(), me: 'ana', workspace: 'mine', demo: { me } });
    expect(await countDue({ loadDocument: async () => sample })).toBe(0); // Ana is nobody in the sample
  });
});
