/**
 * Spaces: one Yjs document per writer policy (`company`, `team:<id>`, `person:<id>`, and the
 * local-only `private:<personId>`), and how a set of them materialises to one Candor document.
 *
 * Layout of a space (version {@link SPACE_LAYOUT}):
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
 * - a `meta` map holding the layout version.
 *
 * No IndexedDB here: this runs in Node (server, CLI) and in browsers alike.
 */
import * as Y from 'yjs';
import * as z from 'zod/mini';
import {
  COLLECTIONS,
  RECORD_SCHEMAS,
  ZInstant,
  emptyDocument,
  fromZodIssues,
  type CandorDocument,
  type CollectionName,
  type FormatIssue,
  type Objective,
  type KeyResult,
  type RecordOf,
  CandorMutationError,
} from '../model/index.ts';

/** `company` | `team:<id>` | `person:<id>` | `private:<personId>` (local-only, never synced). */
export type SpaceId = string;
export type SpaceKind = 'company' | 'team' | 'person' | 'private';

/** The layout version this build writes into a space's `meta` map. Versions only go up. */
export const SPACE_LAYOUT = 1;

/** Collections whose records are nested Y.Maps in a top-level Y.Map (edited field by field). */
export const FIELD_LEVEL: ReadonlySet<CollectionName> = new Set<CollectionName>(['people', 'teams', 'cycles', 'objectives', 'keyResults']);
/** Collections whose records are written once, kept as plain objects in a top-level Y.Array. */
export const APPEND_ONLY: ReadonlySet<CollectionName> = new Set<CollectionName>(['checkIns', 'comments', 'kudos', 'reflections']);

export const TOMBSTONES = 'tombstones';
export const META = 'meta';

/** Reads a space id; `null` when it is not one. */
export function parseSpaceId(id: string): { kind: SpaceKind; id?: string } | null {
  if (id === 'company') return { kind: 'company' };
  const colon = id.indexOf(':');
  if (colon < 0) return null;
  const kind = id.slice(0, colon);
  const rest = id.slice(colon + 1);
  if (!rest || rest.trim() !== rest) return null;
  if (kind === 'team' || kind === 'person' || kind === 'private') return { kind, id: rest };
  return null;
}

export const companySpace = (): SpaceId => 'company';
export const teamSpace = (teamId: string): SpaceId => `team:${teamId}`;
export const personSpace = (personId: string): SpaceId => `person:${personId}`;
export const privateSpace = (personId: string): SpaceId => `private:${personId}`;
/** A private space lives only on this device: never sent to a server. */
export const isLocalOnly = (space: SpaceId): boolean => space.startsWith('private:');

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

/** The record with this id in this space, as stored (not validated); `undefined` when absent or deleted. */
export function readRecord(doc: Y.Doc, collection: CollectionName, id: string): Record<string, unknown> | undefined {
  if (isTombstoned(doc, collection, id)) return undefined;
  if (APPEND_ONLY.has(collection)) {
    const quoted = JSON.stringify(id);
    for (const value of collectionLog(doc, collection)) if (entryHasId(value, id, quoted)) return decodeEntry(value);
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

function ensureLayout(doc: Y.Doc): void {
  const meta = doc.getMap(META);
  if (meta.get('layout') !== SPACE_LAYOUT) meta.set('layout', SPACE_LAYOUT);
}

function fieldMap(record: Record<string, unknown>): Y.Map<unknown> {
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

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
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

// ---------------------------------------------------------------------------------------------
// Routing: which space a record lives in

/** What routing needs to know about records that are not the one being routed. */
export interface RoutingContext {
  /** The person this workspace belongs to: private objectives go to `private:<me>`. */
  me?: string;
  /** Finds an objective by id (for key results and private reflections). */
  objective?: (id: string) => Pick<Objective, 'owner' | 'visibility'> | undefined;
  /** Finds a key result by id (for check-ins). */
  keyResult?: (id: string) => Pick<KeyResult, 'objectiveId'> | undefined;
}

function spaceOfObjective(o: Pick<Objective, 'owner' | 'visibility'>, ctx: RoutingContext): SpaceId {
  if (o.visibility === 'private') {
    const who = ctx.me ?? (o.owner.kind === 'person' ? o.owner.id : undefined);
    if (!who) throw new CandorMutationError('a private objective needs a person to keep it', 'visibility');
    return privateSpace(who);
  }
  if (o.owner.kind === 'person') return personSpace(o.owner.id);
  if (o.owner.kind === 'team') return teamSpace(o.owner.id);
  return companySpace();
}

function objectiveSpaceById(objectiveId: string, ctx: RoutingContext, path: string): SpaceId {
  const o = ctx.objective?.(objectiveId);
  if (!o) throw new CandorMutationError(`no objective with id "${objectiveId}"`, path);
  return spaceOfObjective(o, ctx);
}

/**
 * The space a record belongs in: an objective → its owner's space (private → `private:<me>`);
 * a key result or check-in → its objective's space; comments and kudos → their author's person
 * space; a reflection → its author's person space, or the objective's private space when the
 * objective is private; people, teams, cycles → `company`.
 * Throws a {@link CandorMutationError} when a record it depends on cannot be found.
 */
export function spaceOfRecord<C extends CollectionName>(collection: C, record: RecordOf<C>, ctx: RoutingContext = {}): SpaceId {
  switch (collection) {
    case 'people':
    case 'teams':
    case 'cycles':
      return companySpace();
    case 'objectives':
      return spaceOfObjective(record as Objective, ctx);
    case 'keyResults':
      return objectiveSpaceById((record as KeyResult).objectiveId, ctx, 'objectiveId');
    case 'checkIns': {
      const keyResultId = (record as RecordOf<'checkIns'>).keyResultId;
      const kr = ctx.keyResult?.(keyResultId);
      if (!kr) throw new CandorMutationError(`no key result with id "${keyResultId}"`, 'keyResultId');
      return objectiveSpaceById(kr.objectiveId, ctx, 'keyResultId');
    }
    case 'comments':
      return personSpace((record as RecordOf<'comments'>).authorId);
    case 'kudos':
      return personSpace((record as RecordOf<'kudos'>).fromId);
    case 'reflections': {
      const r = record as RecordOf<'reflections'>;
      const o = ctx.objective?.(r.objectiveId);
      if (o?.visibility === 'private') return spaceOfObjective(o, ctx);
      return personSpace(r.authorId);
    }
    default:
      throw new CandorMutationError(`unknown collection "${String(collection)}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding spaces from a document

export const SEED_ORIGIN = Symbol.for('candor:seed');

/**
 * Splits a Candor document into spaces by {@link spaceOfRecord} (sample organisation, import).
 * Records whose objective or key result is missing go to `company`, where materialise will
 * show them (and integrity checks will name them).
 */
export function documentToSpaces(doc: CandorDocument, options: { me?: string } = {}): Map<SpaceId, Y.Doc> {
  const objectives = new Map(doc.objectives.map((o) => [o.id, o]));
  const keyResults = new Map(doc.keyResults.map((k) => [k.id, k]));
  const ctx: RoutingContext = { me: options.me, objective: (id) => objectives.get(id), keyResult: (id) => keyResults.get(id) };
  const grouped = new Map<SpaceId, Partial<Record<CollectionName, object[]>>>();
  for (const collection of COLLECTIONS) {
    for (const record of doc[collection] as RecordOf<typeof collection>[]) {
      let space: SpaceId;
      try {
        space = spaceOfRecord(collection, record, ctx);
      } catch {
        space = companySpace();
      }
      let group = grouped.get(space);
      if (!group) grouped.set(space, (group = {}));
      (group[collection] ??= []).push(record);
    }
  }
  const spaces = new Map<SpaceId, Y.Doc>();
  for (const space of [...grouped.keys()].sort()) {
    const ydoc = new Y.Doc();
    const group = grouped.get(space)!;
    ydoc.transact(() => {
      ensureLayout(ydoc);
      for (const collection of COLLECTIONS) {
        const records = group[collection];
        if (!records) continue;
        if (APPEND_ONLY.has(collection)) {
          collectionLog(ydoc, collection).push(records.map(encodeEntry));
          continue;
        }
        const map = collectionMap(ydoc, collection);
        for (const record of records) map.set((record as { id: string }).id, fieldMap(record as Record<string, unknown>));
      }
    }, SEED_ORIGIN);
    spaces.set(space, ydoc);
  }
  return spaces;
}

// ---------------------------------------------------------------------------------------------
// Materialising

/** An issue found while materialising, located by space, collection and record id. */
export interface SpaceIssue extends FormatIssue {
  space: SpaceId;
  collection?: CollectionName;
  id?: string;
}

type Records = { [C in CollectionName]: RecordOf<C>[] };

interface SpaceCache {
  dirty: boolean;
  records: Records;
  issues: SpaceIssue[];
}

/** Per-space results, recomputed only for spaces that changed since the last materialise. */
const spaceCache = new WeakMap<Y.Doc, SpaceCache>();
type Validated = { ok: true; value: unknown } | { ok: false; issues: FormatIssue[] };
/** Validated write-once records, keyed by the stored object (Yjs hands back the same object until it is replaced). */
const recordCache = new WeakMap<object, Validated>();
/** Validated field-level records, keyed by their Y.Map; an entry is dropped when a field of that map changes. */
const fieldCache = new WeakMap<Y.Map<unknown>, Validated>();

function cacheFor(doc: Y.Doc): SpaceCache {
  let entry = spaceCache.get(doc);
  if (!entry) {
    const created: SpaceCache = { dirty: true, records: emptyRecords(), issues: [] };
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.changed.size === 0 && tr.deleteSet.clients.size === 0) return;
      created.dirty = true;
      for (const type of tr.changed.keys()) if (type instanceof Y.Map) fieldCache.delete(type);
    });
    spaceCache.set(doc, created);
    entry = created;
  }
  return entry;
}

function emptyRecords(): Records {
  return { people: [], teams: [], cycles: [], objectives: [], keyResults: [], checkIns: [], comments: [], kudos: [], reflections: [] };
}

const quote = (id: string) => JSON.stringify(id);

function validate(collection: CollectionName, input: unknown): Validated {
  if (collection === 'checkIns' && isPlainValidCheckIn(input)) return { ok: true, value: input };
  const parsed = z.safeParse(RECORD_SCHEMAS[collection] as z.ZodMiniType, input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: fromZodIssues(parsed.error.issues, input) };
}

const CHECK_IN_KEYS = new Set(['id', 'keyResultId', 'authorId', 'at', 'value', 'milestonesDone', 'done', 'confidence', 'note', 'blockers']);
const INSTANT = (ZInstant as unknown as { _zod: { pattern: RegExp } })._zod.pattern;
const isId = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= 200 && v.trim() === v;
const isNote = (v: unknown): boolean => v === undefined || (typeof v === 'string' && v.length <= 5000);

/**
 * A conservative fast path for the bulk of a workspace (500k check-ins): true only for a check-in
 * that `ZCheckIn` accepts *unchanged* (no unknown fields, nothing to trim or default). Anything
 * else goes through zod. A property test holds the two to agreement.
 */
export function isPlainValidCheckIn(input: unknown): boolean {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return false;
  const r = input as Record<string, unknown>;
  for (const key in r) if (!CHECK_IN_KEYS.has(key)) return false;
  if (!isId(r.id) || !isId(r.keyResultId) || !isId(r.authorId)) return false;
  if (typeof r.at !== 'string' || !INSTANT.test(r.at)) return false;
  if (typeof r.confidence !== 'number' || !(r.confidence >= 0 && r.confidence <= 1)) return false;
  if (r.value !== undefined && (typeof r.value !== 'number' || !Number.isFinite(r.value))) return false;
  if (r.done !== undefined && typeof r.done !== 'boolean') return false;
  if (r.milestonesDone !== undefined && !(Array.isArray(r.milestonesDone) && r.milestonesDone.every(isId))) return false;
  return isNote(r.note) && isNote(r.blockers);
}

/** Time-ordered collections sort by `at`, then id; the others by id: the same order on every replica. */
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byTime = (a: { id: string; at: string }, b: { id: string; at: string }) =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : byId(a, b);

function materialiseSpace(space: SpaceId, doc: Y.Doc): SpaceCache {
  const cache = cacheFor(doc);
  if (!cache.dirty) return cache;
  const records = emptyRecords();
  const issues: SpaceIssue[] = [];
  const done = () => {
    cache.records = records;
    cache.issues = issues;
    cache.dirty = false;
    return cache;
  };
  const layout = doc.getMap(META).get('layout');
  if (typeof layout === 'number' && layout > SPACE_LAYOUT) {
    issues.push({
      space,
      path: '',
      message: `space "${space}" was written by a newer Candor (layout ${layout}; this one reads ${SPACE_LAYOUT}); update Candor to see it`,
      severity: 'error',
    });
    return done();
  }
  const tombstones = doc.getMap(TOMBSTONES);
  const hasTombstones = tombstones.size > 0;
  const report = (collection: CollectionName, key: string, found: readonly FormatIssue[]) => {
    const at = `${collection}[${quote(key)}]`;
    for (const issue of found) issues.push({ ...issue, space, collection, id: key, path: issue.path ? `${at}.${issue.path}` : at });
  };
  for (const collection of COLLECTIONS) {
    const out = records[collection] as { id: string }[];
    if (APPEND_ONLY.has(collection)) {
      const seen = new Set<string>();
      let index = 0;
      for (const stored of collectionLog(doc, collection)) {
        const position = index++;
        const value = decodeEntry(stored);
        const key = typeof value?.id === 'string' ? value.id : `#${position}`;
        if (hasTombstones && tombstones.has(tombstoneKey(collection, key))) continue;
        let result: Validated | undefined;
        if (value === undefined) {
          result = { ok: false, issues: [{ path: '', message: 'is not a readable record (expected a JSON object)', severity: 'error' }] };
        } else {
          // Objects stored as such are cached by identity; JSON text is parsed afresh, so validate it too.
          result = typeof stored === 'object' ? recordCache.get(value) : undefined;
          if (!result) {
            result = validate(collection, value);
            if (typeof stored === 'object') recordCache.set(value, result);
          }
        }
        if (!result.ok) {
          report(collection, key, result.issues);
          continue;
        }
        if (seen.has(key)) {
          report(collection, key, [{ path: '', message: 'the same id appears twice in this space; the later copy is ignored', severity: 'warning' }]);
          continue;
        }
        seen.add(key);
        out.push(result.value as { id: string });
      }
      (out as { id: string; at: string }[]).sort(byTime);
    } else {
      collectionMap(doc, collection).forEach((value, key) => {
        if (hasTombstones && tombstones.has(tombstoneKey(collection, key))) return;
        let result = value instanceof Y.Map ? fieldCache.get(value) : undefined;
        if (!result) {
          result = validate(collection, value instanceof Y.Map ? value.toJSON() : value);
          if (value instanceof Y.Map) fieldCache.set(value, result);
        }
        if (!result.ok) return report(collection, key, result.issues);
        const id = (result.value as { id: string }).id;
        if (id !== key) return report(collection, key, [{ path: 'id', message: `the record's id "${id}" does not match its key`, severity: 'error' }]);
        out.push(result.value as { id: string });
      });
      out.sort(byId);
    }
  }
  return done();
}

export interface MaterialiseOptions {
  /** `generatedAt` of the document; default now. */
  at?: string;
}

/**
 * Reads every record of every space, validating each with the model's schema, into one Candor
 * document. An invalid record is reported in `issues` (with its space and path) and skipped; it
 * never fails the whole. A record id found in two spaces is kept once (the first space in id
 * order) and reported. Spaces that have not changed since the last call are reused, so
 * re-materialising after one check-in costs little more than concatenating the check-in arrays;
 * collections where nothing changed share their array with the previous document.
 * The returned records are shared with that cache: treat them as read-only.
 */
export function materialise(
  spaces: Iterable<[SpaceId, Y.Doc]> | Map<SpaceId, Y.Doc>,
  options: MaterialiseOptions = {},
): { document: CandorDocument; issues: SpaceIssue[] } {
  const entries = [...spaces].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const document = emptyDocument(options.at);
  const issues: SpaceIssue[] = [];
  const parts = entries.map(([space, doc]) => [space, materialiseSpace(space, doc)] as const);
  for (const [, part] of parts) issues.push(...part.issues);
  // A Map of spaces (a workspace's) keeps its merge state, so after one check-in only that space's ids are re-indexed.
  let merges = spaces instanceof Map ? mergeStates.get(spaces) : undefined;
  if (!merges) {
    merges = new Map();
    if (spaces instanceof Map) mergeStates.set(spaces, merges);
  }
  for (const collection of COLLECTIONS) {
    let state = merges.get(collection);
    if (!state) merges.set(collection, (state = { parts: new Map(), owners: new Map(), shared: 0 }));
    (document[collection] as unknown[]) = mergeCollection(
      state,
      parts.map(([space, part]) => [space, part.records[collection] as Rec[]] as const),
      collection,
      issues,
    );
  }
  return { document, issues };
}

type Rec = { id: string };
/** Which spaces hold each id of a collection, kept up to date part by part. */
interface MergeState {
  parts: Map<SpaceId, readonly Rec[]>;
  /** The space holding an id, or the sorted spaces when several do (rare: no array per id otherwise). */
  owners: Map<string, SpaceId | SpaceId[]>;
  /** How many ids are held by more than one space. */
  shared: number;
  /** The last merged list and its duplicate warnings, reused while no part changes. */
  last?: { out: Rec[]; issues: SpaceIssue[] };
}
const mergeStates = new WeakMap<object, Map<CollectionName, MergeState>>();

const firstOwner = (owners: SpaceId | SpaceId[]): SpaceId => (typeof owners === 'string' ? owners : owners[0]!);

function mergeCollection(state: MergeState, parts: readonly (readonly [SpaceId, readonly Rec[]])[], collection: CollectionName, issues: SpaceIssue[]): Rec[] {
  if (state.last && parts.length === state.parts.size && parts.every(([space, records]) => state.parts.get(space) === records)) {
    issues.push(...state.last.issues);
    return state.last.out;
  }
  const found: SpaceIssue[] = [];
  const current = new Map(parts);
  for (const [space, old] of state.parts) {
    if (current.get(space) === old) continue;
    for (const { id } of old) {
      const owners = state.owners.get(id);
      if (owners === undefined) continue;
      if (typeof owners === 'string') {
        if (owners === space) state.owners.delete(id);
        continue;
      }
      const i = owners.indexOf(space);
      if (i < 0) continue;
      owners.splice(i, 1);
      if (owners.length === 1) {
        state.shared--;
        state.owners.set(id, owners[0]!);
      }
    }
    state.parts.delete(space);
  }
  let total = 0;
  for (const [space, records] of parts) {
    total += records.length;
    if (state.parts.get(space) === records) continue;
    for (const { id } of records) {
      const owners = state.owners.get(id);
      if (owners === undefined) state.owners.set(id, space);
      else if (typeof owners === 'string') {
        state.owners.set(id, [owners, space].sort());
        state.shared++;
      } else {
        owners.push(space);
        owners.sort();
      }
    }
    state.parts.set(space, records);
  }
  const out: Rec[] = new Array(total);
  let n = 0;
  // Spaces come in id order and records in a space are sorted, so the order is the same on every replica;
  // the check-ins of one key result share its space and so stay in time order.
  for (const [space, records] of parts) {
    for (const record of records) {
      if (state.shared > 0) {
        const first = firstOwner(state.owners.get(record.id)!);
        if (first !== space) {
          found.push({
            space,
            collection,
            id: record.id,
            path: `${collection}[${quote(record.id)}]`,
            message: `the same id is also in space "${first}"; this copy is ignored`,
            severity: 'warning',
          });
          continue;
        }
      }
      out[n++] = record;
    }
  }
  out.length = n;
  state.last = { out, issues: found };
  issues.push(...found);
  return out;
}
