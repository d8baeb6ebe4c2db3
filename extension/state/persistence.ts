// Storage of the workspace's spaces, on core/store's IndexedDB layer (the only code that touches
// IndexedDB): update logs, the snapshot for first paint, backups kept before migrations. Nothing here
// writes records: the Workspace's commands do (workspace-backend.ts), and this keeps what they wrote.
import * as Y from 'yjs';
import { openCandorDB, LocalStore, type CandorDatabase, type UpdateRow } from '../../core/store/idb.ts';
import { STORAGE_ORIGIN } from '../../core/store/origins.ts';
import { connectBroadcast } from '../../core/store/broadcast.ts';
import { materialise } from '../../core/store/space.ts';
import type { Workspace } from '../../core/store/workspace.ts';
import type { CandorDocument } from '../../core/model/index.ts';
import type { BackupInfo } from './backend.ts';

export interface Persistence {
  /** Every stored space. */
  load(): Promise<Map<string, Y.Doc>>;
  /** Forgets what is stored of one space (after everything queued is written). */
  dropSpace(space: string): Promise<void>;
  /**
   * Persists every update of the workspace (and its snapshot), applies updates other pages write,
   * and calls `onChange` after any change (`local`: made by this page). Returns the detach function.
   */
  attach(ws: Workspace, onChange: (local: boolean) => void): () => void;
  /** Resolves when every write so far is committed (the snapshot follows in a task of its own). */
  flush(): Promise<void>;
  /** Writes the first-paint snapshot now. */
  snapshot(): Promise<void>;
  backups(): Promise<BackupInfo[]>;
  /** The document a backup holds: its spaces' updates, materialised. */
  backupDocument(id: string): Promise<CandorDocument>;
  close(): void;
}

export interface PersistenceOptions {
  /** The IndexedDB database (`candor`, or `candor-demo` for the demo organisation). */
  database?: string;
  /** The BroadcastChannel the pages of this workspace share (never the same for two databases). */
  channel?: string;
}

export async function openPersistence(options: PersistenceOptions = {}): Promise<Persistence> {
  const db: CandorDatabase = await openCandorDB({ blockedTimeoutMs: 10_000, ...(options.database ? { name: options.database } : {}) });
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
    async dropSpace(space) {
      await store?.flush().catch(() => undefined);
      await db.dropSpace(space);
    },
    attach(ws, onChange) {
      const local = new LocalStore(ws, db, { snapshotDelayMs: 400 }, counts);
      store = local;
      const unsubscribe = ws.subscribe((change) => onChange(change.local));
      // Other pages' updates arrive here (and fire the subscription above); ours go to them.
      const link = connectBroadcast(ws, options.channel ? { name: options.channel } : {});
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
    async snapshot() {
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
    async backupDocument(id) {
      const row = (await db.listBackups()).find((r) => String(r.id) === id);
      if (!row) throw new Error(`no backup ${id}`);
      const spaces = new Map<string, Y.Doc>();
      for (const u of (row.data.updates ?? []) as UpdateRow[]) {
        let doc = spaces.get(u.space);
        if (!doc) spaces.set(u.space, (doc = new Y.Doc()));
        Y.applyUpdate(doc, u.update instanceof Uint8Array ? u.update : new Uint8Array(u.update as ArrayBuffer));
      }
      return materialise(spaces, { at: row.at }).document;
    },
    close() {
      db.close();
    },
  };
}
