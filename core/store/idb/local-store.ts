/** A workspace and the database: loading spaces into it, and `LocalStore`, which persists every change (saved only after `tx.done`). */
import * as Y from 'yjs';
import { CandorStorageError, toStorageError } from '../errors.ts';
import { STORAGE_ORIGIN, BROADCAST_ORIGIN } from '../origins.ts';
import type { SpaceId } from '../space.ts';
import { Workspace, type WorkspaceChange } from '../workspace.ts';
import type { CandorDatabase } from './database.ts';

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

