import 'fake-indexeddb/auto';
import { describe, it, expect } from 'vitest';
import { openCandorDB, persistWorkspace, DB_VERSION } from '../../core/store/idb.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { DEFAULT_CADENCE, MAX_ALIGNMENT_DEPTH, presetCycle } from '../../core/model/index.ts';
import { readSnapshot } from '../../extension/lib/snapshot.ts';
import * as constants from '../../extension/lib/model-constants.ts';

describe('first-paint snapshot read', () => {
  it('never creates the database: the store still migrates it from scratch afterwards', async () => {
    expect(await readSnapshot('ana')).toBeNull();
    const dbs = await indexedDB.databases();
    expect(dbs.some((d) => d.name === 'candor')).toBe(false);
    const db = await openCandorDB();
    expect(db.version).toBe(DB_VERSION);
    expect([...db.db.objectStoreNames].sort()).toEqual(['backups', 'meta', 'snapshots', 'updates']);
    db.close();
  });

  it('reads what the store’s LocalStore writes, under my id', async () => {
    const db = await openCandorDB();
    const ws = new Workspace({ me: 'ana' });
    const store = persistWorkspace(ws, db, { snapshotDelayMs: false });
    ws.upsertPerson({ id: 'ana', name: 'Ana', teamIds: [] });
    ws.createCycle(presetCycle('quarter', '2026-08-12'));
    ws.createObjective({ cycleId: '2026-q3', title: 'Ship it', keyResults: [{ title: 'Users', metric: { kind: 'increase', start: 0, target: 10 } }] });
    await store.flush();
    await store.snapshot();
    const doc = await readSnapshot('ana');
    expect(doc?.objectives.map((o) => o.title)).toEqual(['Ship it']);
    expect(doc?.keyResults).toHaveLength(1);
    expect(await readSnapshot('ben')).toBeNull();
    await store.destroy();
    db.close();
  });

  it('the zod-free constants the first paint scores with equal the model’s', () => {
    expect(constants.DEFAULT_CADENCE).toEqual(DEFAULT_CADENCE);
    expect(constants.MAX_ALIGNMENT_DEPTH).toBe(MAX_ALIGNMENT_DEPTH);
  });
});
