/** The database adapter: `CandorDatabase` (the only code that reads and writes IndexedDB's stores) and `openCandorDB` (opening, upgrading, blocked and version-change handling). */
import { openDB } from 'idb';
import * as Y from 'yjs';
import type { CandorDocument } from '../../model/index.ts';
import { CandorStorageError, toStorageError } from '../errors.ts';
import type { SpaceId } from '../space.ts';
import { DB_NAME, DB_VERSION, MIGRATIONS, backupBeforeMigration, type BackupRow, type CandorDB, type Db, type OpenOptions, type SnapshotRow, type UpdateRow, type UpgradeTx } from './schema.ts';

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

