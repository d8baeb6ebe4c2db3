import 'fake-indexeddb/auto';
import { describe, it, expect } from 'vitest';
import { openCandorDB, saveWorkspace } from '../../core/store/idb.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { presetCycle } from '../../core/model/index.ts';
import { openBackend } from '../../extension/state/workspace-backend.ts';
import { createAppState } from '../../extension/state/app-state.ts';
import { defaultSettings } from '../../extension/lib/settings.ts';
import { settle } from './helpers.ts';

describe('backups kept before a storage migration', () => {
  it('are listed in the options page’s terms and restored through the commands (the backup’s document, applied)', async () => {
    // Data written by an older Candor (schema version 2)…
    const old = await openCandorDB({ version: 2 });
    const ws = new Workspace({ me: 'ana' });
    ws.upsertPerson({ id: 'ana', name: 'Ana', teamIds: [] });
    ws.createCycle(presetCycle('quarter', '2026-08-12'));
    ws.createObjective({ cycleId: '2026-q3', title: 'Before the upgrade' });
    await saveWorkspace(old, ws);
    old.close();

    // …is upgraded when this one opens it, with a backup taken first.
    const backend = await openBackend({ me: 'ana' });
    const state = createAppState({ backend, settings: { ...defaultSettings(), me: 'ana' } });
    expect(backend.current().objectives.map((o) => o.title)).toEqual(['Before the upgrade']);
    const backups = await backend.backups();
    expect(backups).toHaveLength(1);
    expect(backups[0]!.reason).toMatch(/before migration 3/);
    expect((await backend.backupDocument(backups[0]!.id)).objectives.map((o) => o.title)).toEqual(['Before the upgrade']);

    // Later changes: a renamed objective and a new one…
    await state.actions.saveObjective({ ...backend.current().objectives[0]!, title: 'Renamed after the upgrade' });
    const added = await state.actions.saveObjective({ ...backend.current().objectives[0]!, id: 'later', title: 'Added after the upgrade' });
    await expect(state.actions.remove('cycles', '2026-q3')).rejects.toThrow(/still has 2 objectives/);
    await settle();
    expect(state.document.value.objectives.map((o) => o.title).sort()).toEqual(['Added after the upgrade', 'Renamed after the upgrade']);
    // …are undone by restoring the backup: the workspace becomes the document it holds, at once and in storage.
    const summary = await state.actions.restoreBackup(backups[0]!.id);
    expect(summary.objectives).toMatchObject({ changed: 1, removed: 1 });
    await settle();
    expect(state.document.value.objectives.map((o) => o.title)).toEqual(['Before the upgrade']);
    expect(state.document.value.objectives.some((o) => o.id === added.id)).toBe(false);
    state.dispose();
    backend.close();
    const reopened = await openBackend({ me: 'ana' });
    expect(reopened.current().objectives.map((o) => o.title)).toEqual(['Before the upgrade']);
    reopened.close();
  });
});
