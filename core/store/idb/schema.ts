/** The Candor database's schema and its migrations (each with a sentence, integer versions; a step that rewrites data is preceded by a backup). */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { CandorDocument } from '../../model/index.ts';
import type { SpaceId } from '../space.ts';

export const DB_NAME = 'candor';

export interface UpdateRow {
  space: SpaceId;
  update: Uint8Array;
  /** When it was written (ms since epoch). */
  at: number;
  /** Its size in bytes. */
  bytes: number;
}

export interface SnapshotRow {
  /** The person whose workspace it is. */
  key: string;
  document: CandorDocument;
  /** When it was taken (ISO). */
  at: string;
}

export interface BackupRow {
  id?: number;
  at: string;
  reason: string;
  fromVersion: number;
  toVersion: number;
  /** Every row of every data store, by store name, as it was before the migration. */
  data: Record<string, unknown[]>;
}

export interface CandorDB extends DBSchema {
  updates: { key: number; value: UpdateRow; indexes: { space: string } };
  snapshots: { key: string; value: SnapshotRow };
  meta: { key: string; value: unknown };
  backups: { key: number; value: BackupRow };
}

export type Db = IDBPDatabase<CandorDB>;
export type UpgradeTx = IDBPTransaction<CandorDB, StoreNames<CandorDB>[], 'versionchange'>;

/** One schema step. Versions only go up; each step is pure (it only reads and writes the database it is given). */
export interface Migration {
  version: number;
  /** What the step does, in one sentence. */
  description: string;
  /** Whether it rewrites stored rows (then a backup of the data is kept first). */
  changesData: boolean;
  upgrade(db: Db, tx: UpgradeTx): Promise<void> | void;
}

/** Stores that hold data worth backing up before a migration changes it. */
export const DATA_STORES = ['updates', 'snapshots', 'meta'] as const;
/** How many backups to keep; older ones are dropped when a new one is taken. */
export const BACKUPS_KEPT = 3;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'Creates the per-space Yjs update log (`updates`, auto-increment keys, indexed by `space`) and the `meta` key-value store.',
    changesData: false,
    upgrade(db) {
      const updates = db.createObjectStore('updates', { autoIncrement: true });
      updates.createIndex('space', 'space');
      db.createObjectStore('meta');
    },
  },
  {
    version: 2,
    description: 'Adds `snapshots` (the materialised document per person, for an instant first paint) and `backups` (data kept before a migration rewrites it).',
    changesData: false,
    upgrade(db) {
      db.createObjectStore('snapshots', { keyPath: 'key' });
      db.createObjectStore('backups', { keyPath: 'id', autoIncrement: true });
    },
  },
  {
    version: 3,
    description: 'Stamps every update-log entry with `at` (when it was written; older entries get the migration time) and `bytes` (its size), which compaction and diagnostics read.',
    changesData: true,
    async upgrade(_db, tx) {
      const now = Date.now();
      let cursor = await tx.objectStore('updates').openCursor();
      while (cursor) {
        const row = cursor.value as Partial<UpdateRow> & { space: SpaceId; update: Uint8Array | ArrayBuffer };
        const update = row.update instanceof Uint8Array ? row.update : new Uint8Array(row.update);
        await cursor.update({ space: row.space, update, at: row.at ?? now, bytes: update.byteLength });
        cursor = await cursor.continue();
      }
    },
  },
];

/** The schema version this build opens. */
export const DB_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export async function backupBeforeMigration(tx: UpgradeTx, from: number, step: Migration): Promise<void> {
  const names = tx.objectStoreNames;
  if (!names.contains('backups')) return;
  const data: Record<string, unknown[]> = {};
  for (const name of DATA_STORES) if (names.contains(name)) data[name] = await tx.objectStore(name).getAll();
  if (Object.values(data).every((rows) => rows.length === 0)) return;
  const backups = tx.objectStore('backups');
  await backups.add({ at: new Date().toISOString(), reason: `before migration ${step.version}: ${step.description}`, fromVersion: from, toVersion: step.version, data });
  const keys = await backups.getAllKeys();
  for (const key of keys.slice(0, Math.max(0, keys.length - BACKUPS_KEPT))) await backups.delete(key);
}

export interface OpenOptions {
  name?: string;
  /** Open at this schema version (tests of migrations); default {@link DB_VERSION}. */
  version?: number;
  /** The schema steps to run (tests of failing migrations); default {@link MIGRATIONS}. */
  migrations?: readonly Migration[];
  /** Another tab holds an older version open and has not closed it yet: tell the person to close it. */
  onBlocked?: (info: { currentVersion: number; wantedVersion: number | null }) => void;
  /** Give up waiting for blocking tabs after this many ms (rejects with a `blocked` CandorStorageError). Default: wait. */
  blockedTimeoutMs?: number;
  /** This connection was closed because another tab is upgrading the database: reload to continue. */
  onVersionChange?: (info: { currentVersion: number; wantedVersion: number | null }) => void;
  /** The browser closed the connection abnormally (e.g. the database was deleted in settings). */
  onTerminated?: () => void;
}

