// Reads the materialised snapshot that core/store's LocalStore writes (store `snapshots`, key = person
// id, in the active workspace's database: `candor`, or `candor-demo` for the demo organisation) with the
// bare IndexedDB API, read-only, so the first paint and the worker need neither Yjs nor zod nor the
// store's migration code. It never creates or upgrades a database: when it does not exist yet, opening
// is aborted and the answer is null. test/extension/snapshot.test.ts checks it reads what LocalStore.snapshot() writes.
import type { CandorDocument } from '../../core/model/index.ts';
import { DATABASES } from './workspaces.ts';

/** Must match core/store/idb.ts (the `snapshots` store). */
const STORE = 'snapshots';

function openExisting(factory: IDBFactory, name: string): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(name);
    } catch {
      resolve(null);
      return;
    }
    // Only fires when the database does not exist: do not create it (the store's migrations must).
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => db.close(); // never block the store's upgrade
      resolve(db);
    };
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
  });
}

/** The stored materialised snapshot of `me`'s workspace in `database`; null before there is one. */
export async function readSnapshot(me: string, database: string = DATABASES.mine, factory: IDBFactory = indexedDB): Promise<CandorDocument | null> {
  const db = await openExisting(factory, database);
  if (!db) return null;
  try {
    if (!db.objectStoreNames.contains(STORE)) return null;
    return await new Promise<CandorDocument | null>((resolve, reject) => {
      const request = db.transaction(STORE, 'readonly').objectStore(STORE).get(me);
      request.onsuccess = () => resolve((request.result as { document?: CandorDocument } | undefined)?.document ?? null);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

declare global {
  interface Window {
    /** Started by /boot.js while the page was parsed (new tab, popup). */
    candorSnapshot?: Promise<{ me: string; database?: string; document: CandorDocument } | null>;
  }
}

/** The snapshot the boot script already started reading, or a fresh read. */
export async function snapshotOf(me: string, database: string = DATABASES.mine): Promise<CandorDocument | null> {
  const early = typeof window === 'undefined' ? null : await window.candorSnapshot?.catch(() => null);
  if (early && early.me === me && (early.database ?? DATABASES.mine) === database) return early.document;
  return readSnapshot(me, database).catch(() => null);
}
