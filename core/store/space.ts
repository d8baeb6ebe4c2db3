/**
 * Spaces: one Yjs document per writer policy (`company`, `team:<id>`, `person:<id>`, and the
 * local-only `private:<personId>`), and how a set of them materialises to one Candor document.
 *
 * Layout of a space (version {@link SPACE_LAYOUT}):
 * - one top-level `Y.Map` per collection (`objectives`, `keyResults`, …), record id → record;
 * - records people edit field by field (people, teams, cycles, objectives, key results) are nested
 *   `Y.Map`s, field → plain JSON value, so two people editing different fields at once both win;
 * - records that are written once (check-ins, comments, kudos, reflections) are plain objects,
 *   which Yjs stores compactly and which materialise fast (a check-in is never edited, only replaced);
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

/** Collections whose records are nested Y.Maps (edited field by field). */
export const FIELD_LEVEL: ReadonlySet<CollectionName> = new Set<CollectionName>(['people', 'teams', 'cycles', 'objectives', 'keyResults']);

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

/** The top-level map of a collection in a space. */
export function collectionMap(doc: Y.Doc, collection: CollectionName): Y.Map<unknown> {
  return doc.getMap(collection);
}

export function tombstoneKey(collection: CollectionName, id: string): string {
  return `${collection}/${id}`;
}

/** Whether a record id was deleted in this space. */
export function isTombstoned(doc: Y.Doc, collection: CollectionName, id: string): boolean {
  return doc.getMap(TOMBSTONES).has(tombstoneKey(collection, id));
}

/** A stored record value as plain JSON (nested Y.Maps become objects). */
function plain(value: unknown): unknown {
  return value instanceof Y.Map ? value.toJSON() : value;
}

/** Drops `undefined` values: Yjs stores JSON, and an absent optional field must stay absent. */
function defined(record: object): [string, unknown][] {
  return Object.entries(record).filter(([, v]) => v !== undefined);
}

/** The record with this id in this space, as stored (not validated); `undefined` when absent or deleted. */
export function readRecord<C extends CollectionName>(doc: Y.Doc, collection: C, id: string): Record<string, unknown> | undefined {
  const value = collectionMap(doc, collection).get(id);
  if (value === undefined || isTombstoned(doc, collection, id)) return undefined;
  const out = plain(value);
  return out !== null && typeof out === 'object' ? (out as Record<string, unknown>) : undefined;
}

/** Whether this space holds a live record with this id. */
export function hasRecord(doc: Y.Doc, collection: CollectionName, id: string): boolean {
  return collectionMap(doc, collection).has(id) && !isTombstoned(doc, collection, id);
}

function ensureLayout(doc: Y.Doc): void {
  const meta = doc.getMap(META);
  if (meta.get('layout') !== SPACE_LAYOUT) meta.set('layout', SPACE_LAYOUT);
}

/**
 * Writes a whole record (replacing any record with its id). Call inside a transaction
 * (`doc.transact(() => …, origin)`) to make it one update. A tombstone for the id in this
 * space is lifted: writing is a deliberate re-creation (e.g. moving a record back).
 */
export function writeRecord<C extends CollectionName>(doc: Y.Doc, collection: C, record: RecordOf<C> | Record<string, unknown>): void {
  const id = (record as { id: string }).id;
  doc.transact(() => {
    ensureLayout(doc);
    const map = collectionMap(doc, collection);
    if (FIELD_LEVEL.has(collection)) {
      const fields = new Y.Map<unknown>();
      for (const [k, v] of defined(record)) fields.set(k, v);
      map.set(id, fields);
    } else {
      map.set(id, Object.fromEntries(defined(record)));
    }
    const tombstones = doc.getMap(TOMBSTONES);
    const key = tombstoneKey(collection, id);
    if (tombstones.has(key)) tombstones.delete(key);
  });
}

/**
 * Changes some fields of a stored record: only the fields given are touched, so a concurrent edit
 * of another field survives. A field set to `undefined` is removed. Returns false when absent.
 */
export function patchRecord(doc: Y.Doc, collection: CollectionName, id: string, patch: Record<string, unknown>): boolean {
  const map = collectionMap(doc, collection);
  const current = map.get(id);
  if (current === undefined || isTombstoned(doc, collection, id)) return false;
  doc.transact(() => {
    if (current instanceof Y.Map) {
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) current.delete(k);
        else if (!sameJson(current.get(k), v)) current.set(k, v);
      }
    } else {
      const next: Record<string, unknown> = { ...(current as object) };
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) delete next[k];
        else next[k] = v;
      }
      writeRecord(doc, collection, next as RecordOf<typeof collection>);
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
  doc.transact(() => {
    ensureLayout(doc);
    collectionMap(doc, collection).delete(id);
    doc.getMap(TOMBSTONES).set(tombstoneKey(collection, id), { at, by });
  });
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
        const map = collectionMap(ydoc, collection);
        const fieldLevel = FIELD_LEVEL.has(collection);
        for (const record of records) {
          const id = (record as { id: string }).id;
          if (fieldLevel) {
            const fields = new Y.Map<unknown>();
            for (const [k, v] of defined(record)) fields.set(k, v);
            map.set(id, fields);
          } else {
            map.set(id, Object.fromEntries(defined(record)));
          }
        }
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
/** Validated write-once records, keyed by the stored object (Yjs hands back the same object until it is replaced). */
const recordCache = new WeakMap<object, { ok: true; value: unknown } | { ok: false; issues: FormatIssue[] }>();

function cacheFor(doc: Y.Doc): SpaceCache {
  let entry = spaceCache.get(doc);
  if (!entry) {
    const created: SpaceCache = { dirty: true, records: emptyRecords(), issues: [] };
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.changed.size > 0 || tr.deleteSet.clients.size > 0) created.dirty = true;
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

function validate(collection: CollectionName, input: unknown): { ok: true; value: unknown } | { ok: false; issues: FormatIssue[] } {
  const parsed = z.safeParse(RECORD_SCHEMAS[collection] as z.ZodMiniType, input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: fromZodIssues(parsed.error.issues, input) };
}

/** Time-ordered collections sort by `at`, then id; the others by id: the same order on every replica. */
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byTime = (a: { id: string; at: string }, b: { id: string; at: string }) =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : byId(a, b);
const TIMED: ReadonlySet<CollectionName> = new Set<CollectionName>(['checkIns', 'comments', 'kudos', 'reflections']);

function materialiseSpace(space: SpaceId, doc: Y.Doc): SpaceCache {
  const cache = cacheFor(doc);
  if (!cache.dirty) return cache;
  const records = emptyRecords();
  const issues: SpaceIssue[] = [];
  const layout = doc.getMap(META).get('layout');
  if (typeof layout === 'number' && layout > SPACE_LAYOUT) {
    issues.push({
      space,
      path: '',
      message: `space "${space}" was written by a newer Candor (layout ${layout}; this one reads ${SPACE_LAYOUT}); update Candor to see it`,
      severity: 'error',
    });
    cache.records = records;
    cache.issues = issues;
    cache.dirty = false;
    return cache;
  }
  const tombstones = doc.getMap(TOMBSTONES);
  const hasTombstones = tombstones.size > 0;
  for (const collection of COLLECTIONS) {
    const out = records[collection] as unknown[];
    const fieldLevel = FIELD_LEVEL.has(collection);
    collectionMap(doc, collection).forEach((value, key) => {
      if (hasTombstones && tombstones.has(tombstoneKey(collection, key))) return;
      let result: { ok: true; value: unknown } | { ok: false; issues: FormatIssue[] };
      if (!fieldLevel && value !== null && typeof value === 'object' && !(value instanceof Y.AbstractType)) {
        const cached = recordCache.get(value);
        if (cached) result = cached;
        else recordCache.set(value, (result = validate(collection, value)));
      } else {
        result = validate(collection, plain(value));
      }
      const at = `${collection}[${quote(key)}]`;
      if (!result.ok) {
        for (const issue of result.issues) {
          issues.push({ ...issue, space, collection, id: key, path: issue.path ? `${at}.${issue.path}` : at });
        }
        return;
      }
      if ((result.value as { id: string }).id !== key) {
        issues.push({ space, collection, id: key, path: `${at}.id`, message: `the record's id "${(result.value as { id: string }).id}" does not match its key`, severity: 'error' });
        return;
      }
      out.push(result.value);
    });
    if (TIMED.has(collection)) (out as { id: string; at: string }[]).sort(byTime);
    else (out as { id: string }[]).sort(byId);
  }
  cache.records = records;
  cache.issues = issues;
  cache.dirty = false;
  return cache;
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
 * re-materialising after one check-in costs little more than concatenating arrays.
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
  for (const collection of COLLECTIONS) {
    const lists = parts.map(([, part]) => part.records[collection] as { id: string }[]).filter((l) => l.length > 0);
    if (lists.length === 0) continue;
    if (lists.length === 1) {
      (document[collection] as unknown[]) = lists[0]!.slice();
      continue;
    }
    const seen = new Map<string, SpaceId>();
    const out: { id: string }[] = [];
    for (const [space, part] of parts) {
      for (const record of part.records[collection] as { id: string }[]) {
        const first = seen.get(record.id);
        if (first !== undefined) {
          issues.push({
            space,
            collection,
            id: record.id,
            path: `${collection}[${quote(record.id)}]`,
            message: `the same id is also in space "${first}"; this copy is ignored`,
            severity: 'warning',
          });
          continue;
        }
        seen.set(record.id, space);
        out.push(record);
      }
    }
    // No global re-sort: spaces come in id order and records in a space are sorted, so the order is
    // the same on every replica, and the check-ins of one key result (which share a space) are in time order.
    (document[collection] as unknown[]) = out;
  }
  return { document, issues };
}

/** Every live record id of a collection in one space. */
export function recordIds(doc: Y.Doc, collection: CollectionName): string[] {
  const out: string[] = [];
  const tombstones = doc.getMap(TOMBSTONES);
  collectionMap(doc, collection).forEach((_, key) => {
    if (!tombstones.has(tombstoneKey(collection, key))) out.push(key);
  });
  return out;
}
