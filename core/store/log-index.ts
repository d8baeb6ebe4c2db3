/**
 * Where each write-once record sits, for {@link Workspace.importRecord}: per space and collection, the
 * first entry of each id in its log. Looking one id up in a log means a pass over it; an import writes
 * thousands of check-ins and must ask, for each, whether any space already holds it — with this index
 * that stays linear in the size of the workspace instead of quadratic.
 *
 * The index is only ever trusted while it is exact: every transaction that touches a log bumps that
 * log's version (an `afterTransaction` listener, so updates from peers, storage and other commands count
 * too), and an index built at another version is rebuilt. The importer, which knows what its own
 * transaction wrote, carries its index across that one bump ({@link trackLogWrite}).
 * No IndexedDB here: Node and browsers alike.
 */
import * as Y from 'yjs';
import type { CollectionName } from '../model/index.ts';
import { APPEND_ONLY, collectionLog, decodeEntry } from './space.ts';

interface LogIndex {
  version: number;
  /** id → the first entry with that id, decoded (tombstones are not applied here). */
  entries: Map<string, Record<string, unknown>>;
}

const versions = new WeakMap<Y.Doc, Map<CollectionName, number>>();
const indexes = new WeakMap<Y.Doc, Map<CollectionName, LogIndex>>();

function versionsOf(doc: Y.Doc): Map<CollectionName, number> {
  let found = versions.get(doc);
  if (found) return found;
  const created = new Map<CollectionName, number>();
  // The root arrays are looked up once, here, outside any transaction.
  const logs = [...APPEND_ONLY].map((c) => [c, collectionLog(doc, c)] as const);
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    for (const [collection, log] of logs) if (tr.changed.has(log as never)) created.set(collection, (created.get(collection) ?? 0) + 1);
  });
  versions.set(doc, created);
  found = created;
  return found;
}

/** How many transactions have changed this log since the index started watching the space. */
function logVersion(doc: Y.Doc, collection: CollectionName): number {
  return versionsOf(doc).get(collection) ?? 0;
}

/** The entries of a write-once collection in one space, by id (built on first use, rebuilt when stale). */
export function logIndex(doc: Y.Doc, collection: CollectionName): ReadonlyMap<string, Record<string, unknown>> {
  const version = logVersion(doc, collection);
  let perDoc = indexes.get(doc);
  if (!perDoc) indexes.set(doc, (perDoc = new Map()));
  const current = perDoc.get(collection);
  if (current && current.version === version) return current.entries;
  const entries = new Map<string, Record<string, unknown>>();
  for (const value of collectionLog(doc, collection)) {
    const entry = decodeEntry(value);
    const id = entry?.id;
    if (typeof id === 'string' && !entries.has(id)) entries.set(id, entry!);
  }
  perDoc.set(collection, { version, entries });
  return entries;
}

/**
 * Runs `write` (one transaction on `doc`) and keeps the log's index exact by applying `delta`, which
 * says what that transaction did to the log. When anything else changed the log too, or the write
 * touched it more than once, the index is dropped and rebuilt on next use.
 */
export function trackLogWrite(doc: Y.Doc, collection: CollectionName, write: () => void, delta: (entries: Map<string, Record<string, unknown>>) => void): void {
  const before = logVersion(doc, collection);
  const index = indexes.get(doc)?.get(collection);
  write();
  if (!index) return;
  const after = logVersion(doc, collection);
  if (after === before) return;
  if (index.version === before && after === before + 1) {
    delta(index.entries);
    index.version = after;
  } else {
    indexes.get(doc)!.delete(collection);
  }
}

export { sameJson } from '../model/index.ts';
