/**
 * Reading and writing records in one space (a Y.Doc). Layout of a space (version {@link SPACE_LAYOUT}):
 * - one top-level `Y.Map` per collection (`objectives`, `keyResults`, …), record id → record;
 * - records people edit field by field (people, teams, cycles, objectives, key results) are nested
 *   `Y.Map`s, field → plain JSON value, so two people editing different fields at once both win;
 * - records that are written once (check-ins, comments, kudos, reflections) are JSON strings in a
 *   top-level `Y.Array` per collection: concurrent appends never conflict, consecutive appends share
 *   one Yjs item, and Yjs decodes one string several times faster than an object's fields (loading
 *   500k check-ins takes about a third of the CPU time of one map entry of fields per check-in).
 *   A check-in is never edited in place, only replaced. Readers also accept plain objects there;
 * - a `tombstones` map, `collection/id` → `{ at, by }`: a deleted record stays deleted even when an
 *   old peer (or an old import) writes the same id again;
 * - a `meta` map holding the layout version (and, in `company`, the organisation and its admins,
 *   written by the server only).
 *
 * No IndexedDB here: this runs in Node (server, CLI) and in browsers alike.
 */
import * as Y from 'yjs';
import { sameJson, type CollectionName, type RecordOf } from '../model/index.ts';

/** The layout version this build writes into a space's `meta` map. Versions only go up. */
export const SPACE_LAYOUT = 1;

/** Collections whose records are nested Y.Maps in a top-level Y.Map (edited field by field). */
export const FIELD_LEVEL: ReadonlySet<CollectionName> = new Set<CollectionName>(['people', 'teams', 'cycles', 'objectives', 'keyResults']);
/** Collections whose records are written once, kept as plain objects in a top-level Y.Array. */
export const APPEND_ONLY: ReadonlySet<CollectionName> = new Set<CollectionName>(['checkIns', 'comments', 'kudos', 'reflections']);

export const TOMBSTONES = 'tombstones';
export const META = 'meta';

// ---------------------------------------------------------------------------------------------
// Reading and writing records in one space

/** The top-level map of a field-level collection (people, teams, cycles, objectives, key results). */
export function collectionMap(doc: Y.Doc, collection: CollectionName): Y.Map<unknown> {
  return doc.getMap(collection);
}

/** The top-level array of an append-only collection (check-ins, comments, kudos, reflections); entries are JSON strings. */
export function collectionLog(doc: Y.Doc, collection: CollectionName): Y.Array<unknown> {
  return doc.getArray(collection);
}

/** How an append-only record is stored: its JSON text. */
export function encodeEntry(record: object): string {
  return JSON.stringify(record); // drops undefined fields by itself
}

/** An append-only entry as a plain object (JSON text or an object), or `undefined` when it is neither. */
export function decodeEntry(value: unknown): Record<string, unknown> | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Every entry of an append-only collection, decoded (undefined for an unreadable one), in order. */
export function* logEntries(doc: Y.Doc, collection: CollectionName): Generator<Record<string, unknown> | undefined> {
  for (const value of collectionLog(doc, collection)) yield decodeEntry(value);
}

export function tombstoneKey(collection: CollectionName, id: string): string {
  return `${collection}/${id}`;
}

/** Whether a record id was deleted in this space. */
export function isTombstoned(doc: Y.Doc, collection: CollectionName, id: string): boolean {
  return doc.getMap(TOMBSTONES).has(tombstoneKey(collection, id));
}

/** Drops `undefined` values: Yjs stores JSON, and an absent optional field must stay absent. */
function defined(record: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Whether an append-only entry has this id. JSON text that does not even contain the quoted id is
 * skipped without parsing, so looking one record up in a space of thousands stays cheap.
 */
function entryHasId(value: unknown, id: string, quoted: string): boolean {
  if (typeof value === 'string' && !value.includes(quoted)) return false;
  return decodeEntry(value)?.id === id;
}

/** Positions of the entries with this id in an append-only log. */
function logIndexes(log: Y.Array<unknown>, id: string): number[] {
  const out: number[] = [];
  const quoted = JSON.stringify(id);
  let i = 0;
  for (const value of log) {
    if (entryHasId(value, id, quoted)) out.push(i);
    i++;
  }
  return out;
}

const logIds = new WeakMap<Y.Array<unknown>, Map<string, Set<unknown>>>();

/**
 * The entries of an append-only log by record id, built once (one pass) and then kept up to date by
 * observing the log, so looking one record up in a space of 100k check-ins costs a map lookup.
 */
function logIndex(log: Y.Array<unknown>): Map<string, Set<unknown>> {
  let index = logIds.get(log);
  if (index) return index;
  const built = new Map<string, Set<unknown>>();
  const add = (value: unknown) => {
    const id = decodeEntry(value)?.id;
    if (typeof id !== 'string') return;
    let set = built.get(id);
    if (!set) built.set(id, (set = new Set()));
    set.add(value);
  };
  for (const value of log) add(value);
  log.observe((event) => {
    for (const item of event.changes.deleted) {
      for (const value of item.content.getContent()) {
        const id = decodeEntry(value)?.id;
        if (typeof id !== 'string') continue;
        const set = built.get(id);
        set?.delete(value);
        if (set && set.size === 0) built.delete(id);
      }
    }
    for (const item of event.changes.added) for (const value of item.content.getContent()) add(value);
  });
  logIds.set(log, built);
  index = built;
  return index;
}

/** The record with this id in this space, as stored (not validated); `undefined` when absent or deleted. */
export function readRecord(doc: Y.Doc, collection: CollectionName, id: string): Record<string, unknown> | undefined {
  if (isTombstoned(doc, collection, id)) return undefined;
  if (APPEND_ONLY.has(collection)) {
    const log = collectionLog(doc, collection);
    // Inside a transaction that changed this log the index has not heard of it yet (observers run at its end): read the log.
    const open = (doc as unknown as { _transaction: Y.Transaction | null })._transaction;
    if (open && open.changed.has(log as never)) {
      const quoted = JSON.stringify(id);
      for (const value of log) if (entryHasId(value, id, quoted)) return decodeEntry(value);
      return undefined;
    }
    const found = logIndex(log).get(id);
    if (!found) return undefined;
    for (const value of found) return decodeEntry(value);
    return undefined;
  }
  const value = collectionMap(doc, collection).get(id);
  const out = value instanceof Y.Map ? value.toJSON() : value;
  return out !== null && typeof out === 'object' ? (out as Record<string, unknown>) : undefined;
}

/** Whether this space holds a live record with this id. */
export function hasRecord(doc: Y.Doc, collection: CollectionName, id: string): boolean {
  if (APPEND_ONLY.has(collection)) return readRecord(doc, collection, id) !== undefined;
  return collectionMap(doc, collection).has(id) && !isTombstoned(doc, collection, id);
}

export function ensureLayout(doc: Y.Doc): void {
  const meta = doc.getMap(META);
  if (meta.get('layout') !== SPACE_LAYOUT) meta.set('layout', SPACE_LAYOUT);
}

export function fieldMap(record: Record<string, unknown>): Y.Map<unknown> {
  const fields = new Y.Map<unknown>();
  for (const k of Object.keys(record)) {
    const v = record[k];
    if (v !== undefined) fields.set(k, v);
  }
  return fields;
}

/**
 * Writes a whole record, replacing any record with its id. Call inside a transaction
 * (`doc.transact(() => …, origin)`) to make several writes one update. A tombstone for the id in
 * this space is lifted: writing is a deliberate re-creation (e.g. moving a record back).
 */
export function writeRecord<C extends CollectionName>(doc: Y.Doc, collection: C, record: RecordOf<C> | Record<string, unknown>): void {
  const id = (record as { id: string }).id;
  const value = defined(record);
  doc.transact(() => {
    ensureLayout(doc);
    if (APPEND_ONLY.has(collection)) {
      const log = collectionLog(doc, collection);
      const at = logIndexes(log, id);
      for (let i = at.length - 1; i >= 0; i--) log.delete(at[i]!, 1);
      const entry = encodeEntry(value);
      if (at.length) log.insert(at[0]!, [entry]);
      else log.push([entry]);
    } else {
      collectionMap(doc, collection).set(id, fieldMap(value));
    }
    const tombstones = doc.getMap(TOMBSTONES);
    const key = tombstoneKey(collection, id);
    if (tombstones.has(key)) tombstones.delete(key);
  });
}

/** Appends many write-once records at once (one Yjs item for the lot). Ids must be new. */
export function appendRecords(doc: Y.Doc, collection: CollectionName, records: readonly object[]): void {
  if (!APPEND_ONLY.has(collection)) throw new Error(`${collection} is not an append-only collection`);
  doc.transact(() => {
    ensureLayout(doc);
    collectionLog(doc, collection).push(records.map(encodeEntry));
  });
}

/**
 * Changes some fields of a stored record: only the fields given are touched, so a concurrent edit
 * of another field survives. A field set to `undefined` is removed. Returns false when absent.
 */
export function patchRecord(doc: Y.Doc, collection: CollectionName, id: string, patch: Record<string, unknown>): boolean {
  if (isTombstoned(doc, collection, id)) return false;
  if (APPEND_ONLY.has(collection)) {
    const current = readRecord(doc, collection, id);
    if (!current) return false;
    const next: Record<string, unknown> = { ...current, ...patch };
    writeRecord(doc, collection, next);
    return true;
  }
  const current = collectionMap(doc, collection).get(id);
  if (!(current instanceof Y.Map)) {
    if (current === null || typeof current !== 'object') return false;
    writeRecord(doc, collection, { ...(current as object), ...patch });
    return true;
  }
  doc.transact(() => {
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) current.delete(k);
      else if (!sameJson(current.get(k), v)) current.set(k, v);
    }
  });
  return true;
}


/** Deletes a record and leaves a tombstone so an old peer re-sending it cannot bring it back. */
export function deleteRecord(doc: Y.Doc, collection: CollectionName, id: string, by: string, at: string = new Date().toISOString()): void {
  deleteRecords(doc, collection, [id], by, at);
}

/** Deletes many records of one collection (one pass over an append-only log) with tombstones. */
export function deleteRecords(doc: Y.Doc, collection: CollectionName, ids: Iterable<string>, by: string, at: string = new Date().toISOString()): void {
  const wanted = new Set(ids);
  if (wanted.size === 0) return;
  doc.transact(() => {
    ensureLayout(doc);
    if (APPEND_ONLY.has(collection)) {
      const log = collectionLog(doc, collection);
      const hits: number[] = [];
      let i = 0;
      for (const value of log) {
        const id = decodeEntry(value)?.id;
        if (typeof id === 'string' && wanted.has(id)) hits.push(i);
        i++;
      }
      // Delete runs of neighbours in one call, from the end so earlier positions stay valid.
      for (let end = hits.length - 1; end >= 0; ) {
        let start = end;
        while (start > 0 && hits[start - 1] === hits[start]! - 1) start--;
        log.delete(hits[start]!, end - start + 1);
        end = start - 1;
      }
    } else {
      const map = collectionMap(doc, collection);
      for (const id of wanted) map.delete(id);
    }
    const tombstones = doc.getMap(TOMBSTONES);
    for (const id of wanted) tombstones.set(tombstoneKey(collection, id), { at, by });
  });
}

/** Every live record id of a collection in one space. */
export function recordIds(doc: Y.Doc, collection: CollectionName): string[] {
  const tombstones = doc.getMap(TOMBSTONES);
  const out: string[] = [];
  const keep = (id: unknown) => {
    if (typeof id === 'string' && !tombstones.has(tombstoneKey(collection, id))) out.push(id);
  };
  if (APPEND_ONLY.has(collection)) for (const entry of logEntries(doc, collection)) keep(entry?.id);
  else collectionMap(doc, collection).forEach((_, key) => keep(key));
  return out;
}

