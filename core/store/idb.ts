/**
 * Browser persistence: the only module that touches IndexedDB (through `idb`).
 *
 * Database `candor`:
 * - `updates`   — every space's Yjs update log: `{ space, update, at, bytes }`, auto-increment keys
 *                 (so the log keeps its order), index `space`. Compacted per space into one merged update.
 * - `snapshots` — the materialised document per person, with its time, for an instant first paint.
 * - `meta`      — small key → value settings.
 * - `backups`   — copies of stored data taken before a migration that changes it.
 *
 * Rules kept here: nothing but IndexedDB requests is awaited inside a transaction (parsing,
 * materialising and merging happen before or synchronously); a write is reported saved only after
 * its transaction's `done`; a quota failure becomes a {@link CandorStorageError} and loses nothing
 * already stored (the failed batch stays queued in memory).
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import * as Y from 'yjs';
import type { CandorDocument } from '../model/index.ts';
import { CandorStorageError, toStorageError } from './errors.ts';
import { STORAGE_ORIGIN, BROADCAST_ORIGIN } from './origins.ts';
import type { SpaceId } from './space.ts';
import { Workspace, type WorkspaceChange } from './workspace.ts';
import { connectBroadcast, type BroadcastLink } from './broadcast.ts';

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

type Db = IDBPDatabase<CandorDB>;
type UpgradeTx = IDBPTransaction<CandorDB, StoreNames<CandorDB>[], 'versionchange'>;

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
const DATA_STORES = ['updates', 'snapshots', 'meta'] as const;
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

async function backupBeforeMigration(tx: UpgradeTx, from: number, step: Migration): Promise<void> {
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

/** An open Candor database. Every write resolves only after its transaction commits. */
export class CandorDatabase {
  #closed = false;
  constructor(
    readonly db: Db,
    readonly name: string,
  ) {}

  /** True once closed (by us, by another tab's upgrade, or by the browser). */
  get closed(): boolean {
    return this.#closed;
  }

  /** @internal */
  markClosed(): void {
    this.#closed = true;
  }

  get version(): number {
    return this.db.version;
  }

  close(): void {
    if (!this.#closed) this.db.close();
    this.#closed = true;
  }

  private guard(doing: string): void {
    if (this.#closed) throw new CandorStorageError(`Could not ${doing}: the local database is closed (another tab may have upgraded Candor). Reload this page.`, 'closed');
  }

  /** Appends updates to the log in one transaction; resolves after it commits. */
  async append(entries: readonly { space: SpaceId; update: Uint8Array }[]): Promise<void> {
    if (entries.length === 0) return;
    this.guard('save');
    try {
      const tx = this.db.transaction('updates', 'readwrite');
      const store = tx.store;
      const at = Date.now();
      try {
        for (const e of entries) void store.add({ space: e.space, update: e.update, at, bytes: e.update.byteLength }).catch(() => {});
      } catch (e) {
        tx.abort();
        await tx.done.catch(() => {});
        throw e;
      }
      await tx.done;
    } catch (e) {
      throw toStorageError(e, 'save your change');
    }
  }

  /** Every update of one space, in the order written. */
  async readLog(space: SpaceId): Promise<Uint8Array[]> {
    this.guard('load');
    try {
      const rows = await this.db.getAllFromIndex('updates', 'space', space);
      return rows.map((r) => r.update);
    } catch (e) {
      throw toStorageError(e, 'load');
    }
  }

  /** Every space's update log, in the order written. */
  async readAllLogs(): Promise<Map<SpaceId, Uint8Array[]>> {
    this.guard('load');
    try {
      const rows = await this.db.getAll('updates');
      const out = new Map<SpaceId, Uint8Array[]>();
      for (const r of rows) {
        const list = out.get(r.space);
        if (list) list.push(r.update);
        else out.set(r.space, [r.update]);
      }
      return out;
    } catch (e) {
      throw toStorageError(e, 'load');
    }
  }

  /** How many log entries each space has. */
  async logCounts(): Promise<Map<SpaceId, number>> {
    this.guard('load');
    const out = new Map<SpaceId, number>();
    let cursor = await this.db.transaction('updates').store.index('space').openKeyCursor();
    while (cursor) {
      out.set(cursor.key, (out.get(cursor.key) ?? 0) + 1);
      cursor = await cursor.continue();
    }
    return out;
  }

  /**
   * Replaces a space's log by one merged update, in one transaction: a tab appending meanwhile
   * waits for it, and a failure leaves the log as it was.
   */
  async compact(space: SpaceId): Promise<{ before: number; after: number; bytes: number }> {
    this.guard('compact');
    try {
      const tx = this.db.transaction('updates', 'readwrite');
      const index = tx.store.index('space');
      const [keys, rows] = await Promise.all([index.getAllKeys(space), index.getAll(space)]);
      if (rows.length <= 1) {
        await tx.done;
        return { before: rows.length, after: rows.length, bytes: rows[0]?.bytes ?? 0 };
      }
      // Synchronous work inside the transaction is fine; awaiting anything but IndexedDB is not.
      const merged = Y.mergeUpdates(rows.map((r) => r.update));
      for (const key of keys) void tx.store.delete(key).catch(() => {});
      void tx.store.add({ space, update: merged, at: Date.now(), bytes: merged.byteLength }).catch(() => {});
      await tx.done;
      return { before: rows.length, after: 1, bytes: merged.byteLength };
    } catch (e) {
      throw toStorageError(e, 'compact the local log');
    }
  }

  async saveSnapshot(key: string, document: CandorDocument, at: string = new Date().toISOString()): Promise<void> {
    this.guard('save the snapshot');
    try {
      const tx = this.db.transaction('snapshots', 'readwrite');
      void tx.store.put({ key, document, at }).catch(() => {});
      await tx.done;
    } catch (e) {
      throw toStorageError(e, 'save the snapshot');
    }
  }

  async loadSnapshot(key: string): Promise<SnapshotRow | undefined> {
    this.guard('load the snapshot');
    try {
      return await this.db.get('snapshots', key);
    } catch (e) {
      throw toStorageError(e, 'load the snapshot');
    }
  }

  async getMeta<T = unknown>(key: string): Promise<T | undefined> {
    this.guard('load');
    return (await this.db.get('meta', key)) as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.guard('save');
    try {
      const tx = this.db.transaction('meta', 'readwrite');
      void tx.store.put(value, key).catch(() => {});
      await tx.done;
    } catch (e) {
      throw toStorageError(e, 'save a setting');
    }
  }

  async listBackups(): Promise<BackupRow[]> {
    this.guard('load');
    return this.db.getAll('backups');
  }

  /** Removes one space's log (the server refused what it held; it is reloaded from the server). */
  async dropSpace(space: SpaceId): Promise<void> {
    this.guard('drop a space');
    try {
      const tx = this.db.transaction('updates', 'readwrite');
      const keys = await tx.store.index('space').getAllKeys(space);
      for (const key of keys) void tx.store.delete(key).catch(() => {});
      await tx.done;
    } catch (e) {
      throw toStorageError(e, 'reload a space from the server');
    }
  }

  /** Removes every space's log, snapshots and settings (backups stay). */
  async clear(): Promise<void> {
    this.guard('clear');
    const tx = this.db.transaction(['updates', 'snapshots', 'meta'], 'readwrite');
    void Promise.all([tx.objectStore('updates').clear(), tx.objectStore('snapshots').clear(), tx.objectStore('meta').clear()]).catch(() => {});
    await tx.done;
  }
}

/**
 * Opens (creating or migrating) the Candor database. Migrations run in order inside the upgrade
 * transaction; a failing step aborts the whole upgrade, leaving the old data as it was.
 * A connection closes itself when another tab needs to upgrade, and says so through `onVersionChange`.
 */
export async function openCandorDB(options: OpenOptions = {}): Promise<CandorDatabase> {
  const name = options.name ?? DB_NAME;
  const all = options.migrations ?? MIGRATIONS;
  const version = options.version ?? all[all.length - 1]!.version;
  const steps = all.filter((m) => m.version <= version);
  let handle: CandorDatabase | undefined;
  let gaveUp = false;
  const opening = openDB<CandorDB>(name, version, {
    upgrade(db, oldVersion, _newVersion, tx) {
      // A failed upgrade surfaces as the open request's error; the transaction's own rejection is expected.
      tx.done.catch(() => {});
      const run = async () => {
        for (const step of steps) {
          if (step.version <= oldVersion) continue;
          if (step.changesData && oldVersion > 0) await backupBeforeMigration(tx, oldVersion, step);
          await step.upgrade(db, tx);
        }
      };
      run().catch((e) => {
        console.error('Candor: a database migration failed; the upgrade is rolled back', e);
        try {
          tx.abort();
        } catch {
          /* already finished */
        }
      });
    },
    blocked(currentVersion, wantedVersion) {
      options.onBlocked?.({ currentVersion, wantedVersion });
    },
    blocking(currentVersion, wantedVersion) {
      // Close at once so the other tab's upgrade never waits on us, then tell the app.
      handle?.close();
      options.onVersionChange?.({ currentVersion, wantedVersion });
    },
    terminated() {
      handle?.markClosed();
      options.onTerminated?.();
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout =
    options.blockedTimeoutMs === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            gaveUp = true;
            reject(new CandorStorageError('Candor is open in another tab with an older version. Close the other Candor tabs (or reload them) to continue.', 'blocked'));
          }, options.blockedTimeoutMs);
        });
  // If we stop waiting, close the connection when it finally opens so it never blocks anyone.
  opening.then((db) => gaveUp && db.close()).catch(() => {});
  try {
    const db = await (timeout ? Promise.race([opening, timeout]) : opening);
    handle = new CandorDatabase(db, name);
    return handle;
  } catch (e) {
    throw toStorageError(e, 'open the local database');
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Workspace ⇄ database

/** Lets the page paint and handle input between slices of long work (not throttled in background tabs, unlike setTimeout). */
function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}

/** Builds a workspace from every space stored in the database (updates tagged {@link STORAGE_ORIGIN}). */
export async function loadWorkspace(db: CandorDatabase, options: { me: string }): Promise<Workspace> {
  const workspace = new Workspace({ me: options.me });
  await loadInto(db, workspace);
  return workspace;
}

/**
 * Applies every stored space to an existing workspace (tagged {@link STORAGE_ORIGIN}, so it is not
 * written back or broadcast). Yjs merges in any order, so a page can connect its BroadcastChannel
 * first and load second without missing an update another page makes in between. All reads finish
 * before any applying starts, and the applying yields to the page every ~30 ms so a big workspace
 * does not freeze the first paint.
 */
export async function loadInto(db: CandorDatabase, workspace: Workspace): Promise<void> {
  const logs = await db.readAllLogs();
  let slice = performance.now();
  for (const [space, updates] of logs) {
    const doc = workspace.space(space);
    doc.transact(() => {
      for (const u of updates) Y.applyUpdate(doc, u);
    }, STORAGE_ORIGIN);
    if (performance.now() - slice > 30) {
      await yieldToPage();
      slice = performance.now();
    }
  }
}

/** Writes every space of a workspace to the database as one update each (e.g. after seeding or an import). */
export async function saveWorkspace(db: CandorDatabase, workspace: Workspace): Promise<void> {
  await db.append([...workspace.spaces].map(([space, doc]) => ({ space, update: Y.encodeStateAsUpdate(doc) })));
}

export type SaveStatus = 'saved' | 'saving' | 'error';

export interface PersistOptions {
  /** Compact a space's log once it has more entries than this. Default 100. */
  compactAfter?: number;
  /** Write the materialised snapshot this long after the last change (ms); `false` to never do it. Default 1500. */
  snapshotDelayMs?: number | false;
}

/**
 * Keeps a workspace's spaces in IndexedDB: each local update (mutations, and updates from a server)
 * is appended to its space's log; updates loaded from storage or received from another page are
 * not written again. `status` turns `saved` only after the transaction commits.
 */
export class LocalStore {
  #status: SaveStatus = 'saved';
  #error: CandorStorageError | undefined;
  #queue: { space: SpaceId; update: Uint8Array }[] = [];
  #chain: Promise<void> = Promise.resolve();
  #scheduled = false;
  #counts = new Map<SpaceId, number>();
  #compacting = new Set<SpaceId>();
  #listeners = new Set<(status: SaveStatus, error?: CandorStorageError) => void>();
  #unsubscribe: () => void;
  #snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  #destroyed = false;
  readonly compactAfter: number;
  readonly snapshotDelayMs: number | false;
  /** How many log entries have been committed by this store. */
  committed = 0;

  constructor(
    readonly workspace: Workspace,
    readonly db: CandorDatabase,
    options: PersistOptions = {},
    counts?: Map<SpaceId, number>,
  ) {
    this.compactAfter = options.compactAfter ?? 100;
    this.snapshotDelayMs = options.snapshotDelayMs ?? 1500;
    if (counts) this.#counts = counts;
    this.#unsubscribe = workspace.subscribe((change) => this.#onChange(change));
  }

  get status(): SaveStatus {
    return this.#status;
  }

  /** The last storage error, while `status` is `error`. */
  get error(): CandorStorageError | undefined {
    return this.#error;
  }

  /** Calls `fn` on every status change. Returns the unsubscribe function. */
  onStatus(fn: (status: SaveStatus, error?: CandorStorageError) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #setStatus(status: SaveStatus, error?: CandorStorageError): void {
    this.#status = status;
    this.#error = error;
    for (const fn of [...this.#listeners]) fn(status, error);
  }

  #onChange(change: WorkspaceChange): void {
    if (change.origin === STORAGE_ORIGIN || change.origin === BROADCAST_ORIGIN || this.#destroyed) return;
    this.#queue.push({ space: change.space, update: change.update });
    if (this.#status !== 'saving') this.#setStatus('saving');
    if (!this.#scheduled) {
      this.#scheduled = true;
      // Updates made in the same task are written in one transaction.
      queueMicrotask(() => {
        this.#scheduled = false;
        void this.flush().catch(() => {});
      });
    }
    this.#scheduleSnapshot();
  }

  /** Writes everything queued so far; resolves once it is committed, rejects with a CandorStorageError. */
  flush(): Promise<void> {
    const p = this.#chain.then(() => this.#writeQueued());
    this.#chain = p.catch(() => {});
    return p;
  }

  async #writeQueued(): Promise<void> {
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    try {
      await this.db.append(batch);
    } catch (e) {
      // Keep the batch (in order, ahead of anything newer) for the next attempt: nothing is lost.
      this.#queue = [...batch, ...this.#queue];
      const error = toStorageError(e, 'save your change');
      this.#setStatus('error', error);
      throw error;
    }
    this.committed += batch.length;
    const touched = new Set<SpaceId>();
    for (const { space } of batch) {
      this.#counts.set(space, (this.#counts.get(space) ?? 0) + 1);
      touched.add(space);
    }
    if (this.#queue.length === 0) this.#setStatus('saved');
    for (const space of touched) if ((this.#counts.get(space) ?? 0) > this.compactAfter) void this.#compact(space);
  }

  async #compact(space: SpaceId): Promise<void> {
    if (this.#compacting.has(space) || this.db.closed) return;
    this.#compacting.add(space);
    try {
      const { after } = await this.db.compact(space);
      this.#counts.set(space, after);
    } catch {
      // Compaction is an optimisation: the log is intact when it fails, and the next save retries.
    } finally {
      this.#compacting.delete(space);
    }
  }

  #scheduleSnapshot(): void {
    if (this.snapshotDelayMs === false) return;
    clearTimeout(this.#snapshotTimer);
    // A big workspace's snapshot costs real time (cloning the document): wait at least ten times what
    // the last one took, so snapshots never take more than a tenth of the time while someone works.
    const delay = Math.max(this.snapshotDelayMs, 10 * this.#lastSnapshotMs);
    this.#snapshotTimer = setTimeout(() => void this.snapshot().catch(() => {}), delay);
  }

  #lastSnapshotMs = 0;

  /** Writes the materialised document now (first paint reads it before Yjs loads). */
  async snapshot(): Promise<void> {
    clearTimeout(this.#snapshotTimer);
    const started = performance.now();
    // Materialise first, outside any transaction.
    const document = this.workspace.document;
    await this.db.saveSnapshot(this.workspace.me, document, document.generatedAt);
    this.#lastSnapshotMs = performance.now() - started;
  }

  /** Stops persisting (queued updates are flushed first). */
  async destroy(): Promise<void> {
    this.#destroyed = true;
    clearTimeout(this.#snapshotTimer);
    this.#unsubscribe();
    await this.flush().catch(() => {});
  }
}

/** Starts persisting a workspace to the database; see {@link LocalStore}. */
export function persistWorkspace(workspace: Workspace, db: CandorDatabase, options?: PersistOptions): LocalStore {
  return new LocalStore(workspace, db, options);
}

/**
 * Opens the database, loads the person's workspace from it and starts persisting: what a page
 * does at start. The snapshot (for first paint) is returned too; read it before calling this when
 * painting matters, with {@link CandorDatabase.loadSnapshot}.
 */
export async function openLocalWorkspace(
  options: OpenOptions & PersistOptions & { me: string; /** Join the pages of this origin (channel name, default `candor`); default true. */ broadcast?: boolean | string },
): Promise<{ db: CandorDatabase; workspace: Workspace; store: LocalStore; broadcast: BroadcastLink | undefined }> {
  const db = await openCandorDB(options);
  const workspace = new Workspace({ me: options.me });
  // Listen to the other pages before reading the log, so nothing they write in between is missed.
  const broadcast = options.broadcast === false ? undefined : connectBroadcast(workspace, typeof options.broadcast === 'string' ? { name: options.broadcast } : {});
  const counts = await db.logCounts();
  const store = new LocalStore(workspace, db, options, counts);
  await loadInto(db, workspace);
  return { db, workspace, store, broadcast };
}
