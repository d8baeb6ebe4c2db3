/**
 * Materialising: how a set of spaces becomes one Candor document. Every record is validated against
 * the model's schema and then held to the record rule (core/rules): it must belong in the space it
 * sits in, its author must be allowed to write it there, and it must be within the size limits.
 * Records that fail are skipped and reported (`SpaceIssue`, with a `code`), never shown; a record or
 * a space that cannot be read is set aside with a report, never fatal. The same function runs in the
 * extension, the server and the CLI.
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
  type RecordOf,
  type Target,
} from '../model/index.ts';
import { APPEND_ONLY, META, SPACE_LAYOUT, TOMBSTONES, collectionLog, collectionMap, decodeEntry, tombstoneKey } from './records.ts';
import { Directory } from '../rules/directory.ts';
import { admissible, authorField, isWriterOf, objectiveOfTarget, type RecordLookup } from '../rules/rule.ts';
import type { SpaceId } from '../rules/spaces.ts';

/** Why a record was left out: not valid, not admissible where it sits, a duplicate, or its space unreadable. */
export type SpaceIssueCode = 'invalid' | 'inadmissible' | 'duplicate' | 'space';

/** An issue found while materialising, located by space, collection and record id. */
export interface SpaceIssue extends FormatIssue {
  space: SpaceId;
  collection?: CollectionName;
  id?: string;
  code?: SpaceIssueCode;
}

type Records = { [C in CollectionName]: RecordOf<C>[] };
type Rec = { id: string };

interface SpaceCache {
  dirty: boolean;
  signature: string | undefined;
  records: Records;
  issues: SpaceIssue[];
  /** Admitted records by id, built on first use (cross-space tie-breaks, server lookups). */
  index: Partial<Record<CollectionName, Map<string, Rec>>>;
}

/** Per-space results, recomputed only for spaces that changed (or whose directory changed) since the last materialise. */
const spaceCache = new WeakMap<Y.Doc, SpaceCache>();
type Validated = { ok: true; value: unknown } | { ok: false; issues: FormatIssue[] };
/** Validated write-once records, keyed by the stored object (Yjs hands back the same object until it is replaced). */
const recordCache = new WeakMap<object, Validated>();
/** Validated field-level records, keyed by their Y.Map; an entry is dropped when a field of that map changes. */
const fieldCache = new WeakMap<Y.Map<unknown>, Validated>();
/** The directory read from a `company` space, until that space changes. */
const directoryCache = new WeakMap<Y.Doc, { dirty: boolean; dir: Directory }>();

function onChange(doc: Y.Doc, fn: (tr: Y.Transaction) => void): void {
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    if (tr.changed.size === 0 && tr.deleteSet.clients.size === 0) return;
    fn(tr);
  });
}

function cacheFor(doc: Y.Doc): SpaceCache {
  let entry = spaceCache.get(doc);
  if (!entry) {
    const created: SpaceCache = { dirty: true, signature: undefined, records: emptyRecords(), issues: [], index: {} };
    onChange(doc, (tr) => {
      created.dirty = true;
      for (const type of tr.changed.keys()) if (type instanceof Y.Map) fieldCache.delete(type);
    });
    spaceCache.set(doc, created);
    entry = created;
  }
  return entry;
}

/** The directory the `company` space describes (cached until it changes); personal when there is none. */
export function directoryOf(spaces: Iterable<[SpaceId, Y.Doc]> | Map<SpaceId, Y.Doc>): Directory {
  const company = spaces instanceof Map ? spaces.get('company') : [...spaces].find(([id]) => id === 'company')?.[1];
  if (!company) return Directory.personal();
  let entry = directoryCache.get(company);
  if (!entry) {
    const created = { dirty: true, dir: Directory.personal() };
    onChange(company, () => (created.dirty = true));
    directoryCache.set(company, created);
    entry = created;
  }
  if (entry.dirty) {
    const next = Directory.fromCompanySpace(company);
    // Keep the old object while nothing the rule reads changed, so callers may compare by identity.
    if (next.signature !== entry.dir.signature) entry.dir = next;
    entry.dirty = false;
  }
  return entry.dir;
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

/** Validates one record against its schema (the same verdict `materialise` reaches), for callers outside it. */
export function validateRecord<C extends CollectionName>(collection: C, input: unknown): { ok: true; value: RecordOf<C> } | { ok: false; issues: FormatIssue[] } {
  return validate(collection, input) as { ok: true; value: RecordOf<C> } | { ok: false; issues: FormatIssue[] };
}

const CHECK_IN_KEYS = new Set(['id', 'keyResultId', 'authorId', 'at', 'value', 'milestonesDone', 'done', 'confidence', 'note', 'blockers']);
const INSTANT = (ZInstant as unknown as { _zod: { pattern: RegExp } })._zod.pattern;
const isId = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= 200 && v.trim() === v;
const isNote = (v: unknown): boolean => v === undefined || (typeof v === 'string' && v.length <= 5000);
/** Milestone lists this short keep a fast-path check-in well inside the record size limit. */
const FAST_MILESTONES = 100;

/**
 * A conservative fast path for the bulk of a workspace (500k check-ins): true only for a check-in
 * that `ZCheckIn` accepts *unchanged* (no unknown fields, nothing to trim or default) and that is
 * well within the record size limit. Anything else goes through zod. A property test holds the two
 * to agreement.
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
  if (r.milestonesDone !== undefined && !(Array.isArray(r.milestonesDone) && r.milestonesDone.length <= FAST_MILESTONES && r.milestonesDone.every(isId))) return false;
  return isNote(r.note) && isNote(r.blockers);
}

/** Time-ordered collections sort by `at`, then id; the others by id: the same order on every replica. */
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byTime = (a: { id: string; at: string }, b: { id: string; at: string }) =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : byId(a, b);

/** The order the rule needs: what a record refers to is admitted before it. */
const RULE_ORDER: readonly CollectionName[] = ['people', 'teams', 'cycles', 'objectives', 'keyResults', 'checkIns', 'reflections', 'comments', 'kudos'];

/** Reads every record of one space: validated, tombstones applied, duplicates within the space dropped. */
function readSpace(space: SpaceId, doc: Y.Doc, dir: Directory, issues: SpaceIssue[]): Records {
  const records = emptyRecords();
  const tombstones = doc.getMap(TOMBSTONES);
  const hasTombstones = tombstones.size > 0;
  const report = (collection: CollectionName, key: string, found: readonly FormatIssue[], code: SpaceIssueCode) => {
    const at = `${collection}[${quote(key)}]`;
    for (const issue of found) issues.push({ ...issue, space, collection, id: key, code, path: issue.path ? `${at}.${issue.path}` : at });
  };
  /** A tombstone counts when its writer may remove the record (the space's writers, or a write-once record's author). */
  const buried = (collection: CollectionName, key: string, record?: Record<string, unknown>): boolean => {
    if (!hasTombstones) return false;
    const t = tombstones.get(tombstoneKey(collection, key)) as { by?: unknown } | undefined;
    if (t === undefined) return false;
    if (!dir.governed) return true;
    const by = t && typeof t === 'object' ? t.by : undefined;
    if (typeof by !== 'string') return false;
    const field = authorField(collection);
    if (field && record && record[field] === by) return true;
    return isWriterOf(dir, by, space);
  };
  for (const collection of COLLECTIONS) {
    const out = records[collection] as Rec[];
    if (APPEND_ONLY.has(collection)) {
      const seen = new Set<string>();
      let index = 0;
      for (const stored of collectionLog(doc, collection)) {
        const position = index++;
        const value = decodeEntry(stored);
        const key = typeof value?.id === 'string' ? value.id : `#${position}`;
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
        if (buried(collection, key, value)) continue;
        if (!result.ok) {
          report(collection, key, result.issues, 'invalid');
          continue;
        }
        if (seen.has(key)) {
          report(collection, key, [{ path: '', message: 'the same id appears twice in this space; the later copy is ignored', severity: 'warning' }], 'duplicate');
          continue;
        }
        seen.add(key);
        out.push(result.value as Rec);
      }
      (out as { id: string; at: string }[]).sort(byTime);
    } else {
      collectionMap(doc, collection).forEach((value, key) => {
        let result = value instanceof Y.Map ? fieldCache.get(value) : undefined;
        if (!result) {
          try {
            result = validate(collection, value instanceof Y.Map ? value.toJSON() : value);
          } catch (e) {
            // A record nested too deep to read (written before the server checked updates): left out, alone.
            result = { ok: false, issues: [{ path: '', message: `cannot be read (${(e as Error).message})`, severity: 'error' }] };
          }
          if (value instanceof Y.Map) fieldCache.set(value, result);
        }
        if (buried(collection, key)) return;
        if (!result.ok) return report(collection, key, result.issues, 'invalid');
        const id = (result.value as Rec).id;
        if (id !== key) return report(collection, key, [{ path: 'id', message: `the record's id "${id}" does not match its key`, severity: 'error' }], 'invalid');
        out.push(result.value as Rec);
      });
      out.sort(byId);
    }
  }
  return records;
}

/** Keeps only the records the rule admits in this space; reports the others. */
function admit(space: SpaceId, valid: Records, dir: Directory, issues: SpaceIssue[]): Records {
  const out = emptyRecords();
  const maps: Partial<Record<CollectionName, Map<string, Rec>>> = {};
  const mapOf = (c: CollectionName) => (maps[c] ??= new Map((out[c] as Rec[]).map((r) => [r.id, r])));
  const here: RecordLookup = {
    objective: (id) => mapOf('objectives').get(id) as RecordOf<'objectives'> | undefined,
    keyResult: (id) => mapOf('keyResults').get(id) as RecordOf<'keyResults'> | undefined,
    checkIn: (id) => mapOf('checkIns').get(id) as RecordOf<'checkIns'> | undefined,
    reflection: (id) => mapOf('reflections').get(id) as RecordOf<'reflections'> | undefined,
  };
  /** Whether an author is one of this space's writers, asked once per author (500k check-ins, a few authors). */
  const writers = new Map<string, boolean>();
  const isWriter = (person: string) => {
    let w = writers.get(person);
    if (w === undefined) writers.set(person, (w = isWriterOf(dir, person, space)));
    return w;
  };
  for (const collection of RULE_ORDER) {
    const list = valid[collection] as Rec[];
    const kept: Rec[] = [];
    for (const record of list) {
      if (collection === 'checkIns' && isPlainValidCheckIn(record)) {
        // The fast path: a plain check-in is within the size limits by its shape.
        const c = record as RecordOf<'checkIns'>;
        if (here.keyResult(c.keyResultId) && isWriter(c.authorId)) {
          kept.push(record);
          continue;
        }
      }
      const verdict = admissible(collection, record as RecordOf<typeof collection>, { space, dir, here, sizeChecked: collection === 'checkIns' && isPlainValidCheckIn(record) });
      if (verdict.ok) {
        kept.push(record);
        continue;
      }
      const at = `${collection}[${quote(record.id)}]`;
      issues.push({ space, collection, id: record.id, code: 'inadmissible', severity: 'error', message: verdict.message, path: verdict.path ? `${at}.${verdict.path}` : at });
    }
    (out[collection] as Rec[]) = kept.length === list.length ? list : kept;
    delete maps[collection];
  }
  return out;
}

function materialiseSpace(space: SpaceId, doc: Y.Doc, dir: Directory): SpaceCache {
  const cache = cacheFor(doc);
  if (!cache.dirty && cache.signature === dir.signature) return cache;
  const issues: SpaceIssue[] = [];
  let records = emptyRecords();
  const layout = doc.getMap(META).get('layout');
  if (typeof layout === 'number' && layout > SPACE_LAYOUT) {
    issues.push({
      space,
      code: 'space',
      path: '',
      message: `space "${space}" was written by a newer Candor (layout ${layout}; this one reads ${SPACE_LAYOUT}); update Candor to see it`,
      severity: 'error',
    });
  } else {
    try {
      records = admit(space, readSpace(space, doc, dir, issues), dir, issues);
    } catch (e) {
      // A space that cannot be read (a bug, or data no check caught) is set aside, never fatal for the others.
      records = emptyRecords();
      issues.push({ space, code: 'space', path: '', severity: 'error', message: `space "${space}" could not be read and is left out: ${(e as Error).message}` });
    }
  }
  cache.records = records;
  cache.issues = issues;
  cache.index = {};
  cache.dirty = false;
  cache.signature = dir.signature;
  return cache;
}

function indexOf(cache: SpaceCache, collection: CollectionName): Map<string, Rec> {
  return (cache.index[collection] ??= new Map((cache.records[collection] as Rec[]).map((r) => [r.id, r])));
}

/** One space's admitted records (validated, held to the rule), cached until the space or its directory changes. Read-only. */
export function materialiseOne(space: SpaceId, doc: Y.Doc, dir: Directory): { records: Records; issues: SpaceIssue[]; find: <C extends CollectionName>(collection: C, id: string) => RecordOf<C> | undefined } {
  const cache = materialiseSpace(space, doc, dir);
  return { records: cache.records, issues: cache.issues, find: (collection, id) => indexOf(cache, collection).get(id) as never };
}

export interface MaterialiseOptions {
  /** `generatedAt` of the document; default now. */
  at?: string;
  /** Who is in the organisation; default: what the `company` space among `spaces` says (personal when none). */
  directory?: Directory;
}

/**
 * Reads every record of every space into one Candor document, keeping only what the record rule
 * admits (see core/rules): invalid and inadmissible records are reported in `issues` (with their
 * space, path and `code`) and skipped; they never fail the whole. A record id found in two spaces is
 * kept once: of two objectives the newer (`updatedAt`), and for what hangs off an objective the copy
 * beside the objective kept; otherwise the first space in id order. Spaces that have not changed
 * since the last call are reused, so re-materialising after one check-in costs little more than
 * concatenating the check-in arrays; collections where nothing changed share their array with the
 * previous document. The returned records are shared with that cache: treat them as read-only.
 */
export function materialise(
  spaces: Iterable<[SpaceId, Y.Doc]> | Map<SpaceId, Y.Doc>,
  options: MaterialiseOptions = {},
): { document: CandorDocument; issues: SpaceIssue[] } {
  const entries = [...spaces].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const dir = options.directory ?? directoryOf(entries);
  const document = emptyDocument(options.at);
  const issues: SpaceIssue[] = [];
  const parts = entries.map(([space, doc]) => [space, materialiseSpace(space, doc, dir)] as const);
  for (const [, part] of parts) issues.push(...part.issues);
  // A Map of spaces (a workspace's) keeps its merge state, so after one check-in only that space's ids are re-indexed.
  let merges = spaces instanceof Map ? mergeStates.get(spaces) : undefined;
  if (!merges) {
    merges = new Map();
    if (spaces instanceof Map) mergeStates.set(spaces, merges);
  }
  const caches = new Map<SpaceId, SpaceCache>(parts);
  const objectiveWinner = new Map<string, SpaceId>();
  for (const collection of COLLECTIONS) {
    let state = merges.get(collection);
    if (!state) merges.set(collection, (state = { parts: new Map(), owners: new Map(), shared: 0 }));
    (document[collection] as unknown[]) = mergeCollection(
      state,
      parts.map(([space, part]) => [space, part.records[collection] as Rec[]] as const),
      collection,
      issues,
      (id, candidates) => pick(collection, id, candidates, caches, objectiveWinner),
    );
  }
  return { document, issues };
}

/** Which of several spaces holding an id keeps it (see {@link materialise}). */
function pick(
  collection: CollectionName,
  id: string,
  candidates: readonly SpaceId[],
  caches: Map<SpaceId, SpaceCache>,
  objectiveWinner: Map<string, SpaceId>,
): SpaceId {
  if (collection === 'objectives') {
    let best = candidates[0]!;
    let bestAt = '';
    for (const space of candidates) {
      const o = indexOf(caches.get(space)!, 'objectives').get(id) as RecordOf<'objectives'> | undefined;
      if (o && o.updatedAt > bestAt) {
        best = space;
        bestAt = o.updatedAt;
      }
    }
    objectiveWinner.set(id, best);
    return best;
  }
  for (const space of candidates) {
    const cache = caches.get(space)!;
    const record = indexOf(cache, collection).get(id) as Record<string, unknown> | undefined;
    if (!record) continue;
    const lookup: RecordLookup = {
      objective: (x) => indexOf(cache, 'objectives').get(x) as RecordOf<'objectives'> | undefined,
      keyResult: (x) => indexOf(cache, 'keyResults').get(x) as RecordOf<'keyResults'> | undefined,
      checkIn: (x) => indexOf(cache, 'checkIns').get(x) as RecordOf<'checkIns'> | undefined,
      reflection: (x) => indexOf(cache, 'reflections').get(x) as RecordOf<'reflections'> | undefined,
    };
    let objectiveId: string | undefined;
    if (collection === 'keyResults' || collection === 'reflections') objectiveId = record.objectiveId as string;
    else if (collection === 'checkIns') objectiveId = lookup.keyResult(record.keyResultId as string)?.objectiveId;
    else if (collection === 'comments' || collection === 'kudos') objectiveId = objectiveOfTarget(record.target as Target, lookup);
    if (objectiveId === undefined) continue;
    // Beside the copy of its objective that was kept (or the only copy there is).
    const winner = objectiveWinner.get(objectiveId);
    if (winner === space || (winner === undefined && lookup.objective(objectiveId))) return space;
  }
  return candidates[0]!;
}

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

function mergeCollection(
  state: MergeState,
  parts: readonly (readonly [SpaceId, readonly Rec[]])[],
  collection: CollectionName,
  issues: SpaceIssue[],
  choose: (id: string, candidates: readonly SpaceId[]) => SpaceId,
): Rec[] {
  if (state.last && state.shared === 0 && parts.length === state.parts.size && parts.every(([space, records]) => state.parts.get(space) === records)) {
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
  const chosen = new Map<string, SpaceId>();
  // Spaces come in id order and records in a space are sorted, so the order is the same on every replica;
  // the check-ins of one key result share its space and so stay in time order.
  for (const [space, records] of parts) {
    for (const record of records) {
      if (state.shared > 0) {
        const owners = state.owners.get(record.id)!;
        if (typeof owners !== 'string') {
          let keep = chosen.get(record.id);
          if (keep === undefined) chosen.set(record.id, (keep = choose(record.id, owners)));
          if (keep !== space) {
            found.push({
              space,
              collection,
              id: record.id,
              code: 'duplicate',
              path: `${collection}[${quote(record.id)}]`,
              message: `the same id is also in space "${keep}"; this copy is ignored`,
              severity: 'warning',
            });
            continue;
          }
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

/** How many records were left out, by reason, and the first few reasons: for a status line or a log. */
export function summariseSkipped(issues: readonly SpaceIssue[]): { total: number; byCode: Partial<Record<SpaceIssueCode, number>>; examples: string[] } {
  const byCode: Partial<Record<SpaceIssueCode, number>> = {};
  let total = 0;
  const examples: string[] = [];
  const counted = new Set<string>();
  for (const issue of issues) {
    if (issue.severity !== 'error' && issue.code !== 'duplicate') continue;
    const key = `${issue.space}\u0000${issue.collection ?? ''}\u0000${issue.id ?? issue.path}`;
    if (counted.has(key)) continue;
    counted.add(key);
    total++;
    const code = issue.code ?? 'invalid';
    byCode[code] = (byCode[code] ?? 0) + 1;
    if (examples.length < 3) examples.push(`${issue.space}: ${issue.path} ${issue.message}`);
  }
  return { total, byCode, examples };
}
