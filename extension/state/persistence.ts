// Storage of the workspace's spaces, on core/store's IndexedDB layer (the only code that touches
// IndexedDB): update logs, the snapshot for first paint, backups kept before migrations.
import * as Y from 'yjs';
import { openCandorDB, LocalStore, type CandorDatabase, type UpdateRow } from '../../core/store/idb.ts';
import { STORAGE_ORIGIN } from '../../core/store/origins.ts';
import { connectBroadcast } from '../../core/store/broadcast.ts';
import { MutationOrigin, type Workspace } from '../../core/store/workspace.ts';
import { APPEND_ONLY, FIELD_LEVEL, appendRecords, hasRecord, spaceOfRecord, writeRecord, type RoutingContext } from '../../core/store/space.ts';
import { COLLECTIONS, type CandorDocument, type CollectionName, type RecordOf } from '../../core/model/index.ts';
import { sameValue } from '../../core/io/index.ts';
import type { BackupInfo } from './backend.ts';

export interface Persistence {
  /** Every stored space. */
  load(): Promise<Map<string, Y.Doc>>;
  /**
   * Persists every update of the workspace (and its snapshot), applies updates other pages write,
   * and calls `onChange` after any change (`local`: made by this page). Returns the detach function.
   */
  attach(ws: Workspace, onChange: (local: boolean) => void): () => void;
  /** Resolves when every write so far is committed. */
  flush(): Promise<void>;
  /** Writes a whole document into the workspace in one step (import, sample). */
  replaceWith(ws: Workspace, doc: CandorDocument): Promise<void>;
  backups(): Promise<BackupInfo[]>;
  restoreBackup(ws: Workspace, id: string): Promise<void>;
  close(): void;
}

/**
 * Writes every record of `doc` that differs from the workspace's into the space it belongs in,
 * one Yjs transaction per space (so each space's change is one stored update). Field-level records
 * are replaced; write-once records (check-ins, comments, kudos, reflections) are appended when new.
 */
export function writeDocument(ws: Workspace, doc: CandorDocument): number {
  const current = ws.document;
  const objectives = new Map(doc.objectives.map((o) => [o.id, o]));
  const keyResults = new Map(doc.keyResults.map((k) => [k.id, k]));
  const ctx: RoutingContext = { me: ws.me, objective: (id) => objectives.get(id), keyResult: (id) => keyResults.get(id) };
  const bySpace = new Map<string, { collection: CollectionName; record: Record<string, unknown> }[]>();
  for (const collection of COLLECTIONS) {
    const existing = new Map((current[collection] as { id: string }[]).map((r) => [r.id, r]));
    for (const record of doc[collection] as RecordOf<typeof collection>[]) {
      const before = existing.get(record.id);
      if (before && (APPEND_ONLY.has(collection) || sameValue(before, record))) continue;
      const space = spaceOfRecord(collection, record, ctx);
      let list = bySpace.get(space);
      if (!list) bySpace.set(space, (list = []));
      list.push({ collection, record: record as Record<string, unknown> });
    }
  }
  let written = 0;
  for (const [space, records] of bySpace) {
    const ydoc = ws.space(space);
    ydoc.transact(() => {
      for (const { collection, record } of records) {
        if (FIELD_LEVEL.has(collection)) writeRecord(ydoc, collection, record);
        else if (!hasRecord(ydoc, collection, record.id as string)) appendRecords(ydoc, collection, [record]);
        written++;
      }
    }, new MutationOrigin('import', ws));
  }
  return written;
}

export async function openPersistence(): Promise<Persistence> {
  const db: CandorDatabase = await openCandorDB({ blockedTimeoutMs: 10_000 });
  let store: LocalStore | undefined;
  let counts: Map<string, number> | undefined;

  return {
    async load() {
      const [logs, c] = await Promise.all([db.readAllLogs(), db.logCounts()]);
      counts = c;
      const spaces = new Map<string, Y.Doc>();
      for (const [space, updates] of logs) {
        const doc = new Y.Doc();
        doc.transact(() => {
          for (const u of updates) Y.applyUpdate(doc, u);
        }, STORAGE_ORIGIN);
        spaces.set(space, doc);
      }
      return spaces;
    },
    attach(ws, onChange) {
      const local = new LocalStore(ws, db, { snapshotDelayMs: 400 }, counts);
      store = local;
      const unsubscribe = ws.subscribe((change) => onChange(change.local));
      // Other pages' updates arrive here (and fire the subscription above); ours go to them.
      const link = connectBroadcast(ws);
      return () => {
        unsubscribe();
        link.close();
        void local.destroy();
        if (store === local) store = undefined;
      };
    },
    async flush() {
      const local = store;
      await local?.flush();
      // The next new tab's first paint reads this: written in a task after the commit, never delaying it.
      if (local) setTimeout(() => void local.snapshot().catch(() => {}), 0);
    },
    async replaceWith(ws, doc) {
      writeDocument(ws, doc);
      await store?.flush();
      await store?.snapshot();
    },
    async backups() {
      const rows = await db.listBackups();
      return rows
        .filter((r) => r.id !== undefined)
        .map((r) => ({ id: String(r.id), at: r.at, reason: r.reason }))
        .reverse();
    },
    async restoreBackup(_ws, id) {
      const row = (await db.listBackups()).find((r) => String(r.id) === id);
      if (!row) throw new Error(`no backup ${id}`);
      await store?.flush().catch(() => {});
      await db.clear();
      const updates = (row.data.updates ?? []) as UpdateRow[];
      await db.append(updates.map((u) => ({ space: u.space, update: u.update instanceof Uint8Array ? u.update : new Uint8Array(u.update as ArrayBuffer) })));
      for (const s of (row.data.snapshots ?? []) as { key: string; document: CandorDocument; at: string }[]) await db.saveSnapshot(s.key, s.document, s.at);
    },
    close() {
      db.close();
    },
  };
}
