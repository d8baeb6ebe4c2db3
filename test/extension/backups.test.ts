import 'fake-indexeddb/auto';
import { describe, it, expect } from 'vitest';
import { openCandorDB, saveWorkspace } from '../../core/store/idb.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { presetCycle } from '../../core/model/index.ts';
import { openPersistence } from '../../extension/state/persistence.ts';
import { openBackend } from '../../extension/state/workspace-backend.ts';

describe('backups kept before a storage migration', () => {
  it('are listed in the options page’s terms and restore what was stored', async () => {
    // Data written by an older Candor (schema version 2)…
    const old = await openCandorDB({ version: 2 });
    const ws = new Workspace({ me: 'ana' });
    ws.upsertPerson({ id: 'ana', name: 'Ana', teamIds: [] });
    ws.createCycle(presetCycle('quarter', '2026-08-12'));
    ws.createObjective({ cycleId: '2026-q3', title: 'Before the upgrade' });
    await saveWorkspace(old, ws);
    old.close();

    // …is upgraded when this one opens it, with a backup taken first.
    const persistence = await openPersistence();
    const backend = await openBackend({ me: 'ana', persistence });
    expect(backend.current().objectives.map((o) => o.title)).toEqual(['Before the upgrade']);
    const backups = await persistence.backups();
    expect(backups).toHaveLength(1);
    expect(backups[0]!.reason).toMatch(/before migration 3/);

    // Later changes…
    await backend.put('objectives', { ...backend.current().objectives[0]!, title: 'Renamed after the upgrade' });
    await backend.remove('cycles', '2026-q3').catch(() => undefined); // refused: the cycle has an objective
    expect(backend.current().objectives[0]!.title).toBe('Renamed after the upgrade');
    // …are undone by restoring the backup (the page then reloads from storage).
    await persistence.restoreBackup(backend.workspace(), backups[0]!.id);
    backend.close();
    const reopened = await openBackend({ me: 'ana' });
    expect(reopened.current().objectives.map((o) => o.title)).toEqual(['Before the upgrade']);
    reopened.close();
  });
});
