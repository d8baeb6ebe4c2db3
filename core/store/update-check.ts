/**
 * The server's gate: before an update from a client is applied, stored or relayed, read what it
 * would do to a space and hold every record it adds, changes or removes to the record rule for the
 * person who sent it. One inadmissible record, or any break of the space layout, refuses the whole
 * update. Cost is linear in the update's size (each struct it names is looked up once in the space's
 * struct store), so a 110 kB update is checked in milliseconds however large the space.
 *
 * What the layout allows (see records.ts):
 * - root types: one per collection, `tombstones` and `meta`; nothing else;
 * - a field-level collection's entries are `Y.Map`s (one per record) whose entries are plain JSON;
 * - a write-once collection's entries are JSON strings;
 * - `tombstones` entries are `{ at, by }`; `meta` takes only `layout` = {@link SPACE_LAYOUT}.
 * Anything nested below a record's fields is refused.
 *
 * Concurrency note: a changed record is checked as the space holds it now with the update's new
 * values on top. If one of those values loses to a concurrent one already stored, the stored value
 * stays, which was itself admitted; `materialise` holds every reader to the rule in any case.
 */
import * as Y from 'yjs';
import { sameJson, type CollectionName, type RecordOf } from '../model/index.ts';
import { Directory } from '../rules/directory.ts';
import { admissible, authorField, isWriterOf, mayRemove, objectiveOfTarget, type RecordLookup } from '../rules/rule.ts';
import type { SpaceId } from '../rules/spaces.ts';
import { APPEND_ONLY, FIELD_LEVEL, META, SPACE_LAYOUT, TOMBSTONES, collectionMap, decodeEntry, readRecord } from './records.ts';
import { validateRecord } from './materialise.ts';

/** One record an accepted update adds, changes or removes (for the history). */
export interface RecordChange {
  collection: CollectionName;
  id: string;
  kind: 'add' | 'change' | 'remove';
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** For changes: the fields whose value differs. */
  fields?: string[];
}

export type UpdateVerdict = { ok: true; changes: RecordChange[] } | { ok: false; reason: string };

export interface CheckUpdateOptions {
  space: SpaceId;
  /** The person who sent it. */
  writer: string;
  dir: Directory;
  /**
   * Where else a record id lives (other spaces), for id shadowing: a new record may not take an id a
   * record elsewhere has, unless the writer could write that record there (moving it).
   */
  elsewhere?: (collection: CollectionName, id: string) => { space: SpaceId; record: Record<string, unknown> }[];
  /** Most records a space may hold (none when absent). */
  maxRecords?: number;
}

const COLLECTION_NAMES: ReadonlySet<string> = new Set([...FIELD_LEVEL, ...APPEND_ONLY]);
const ROOTS: ReadonlySet<string> = new Set([...COLLECTION_NAMES, TOMBSTONES, META]);

class Refusal extends Error {}
const refuse = (message: string): never => {
  throw new Refusal(message);
};
const q = (s: string) => JSON.stringify(s);

type AnyItem = Y.Item;
type Loc =
  | { level: 'root-entry'; root: string; key: string | null }
  | { level: 'field'; root: string; record: AnyItem; key: string }
  | { level: 'dead' };

/**
 * Checks an update from `writer` against the space `doc` holds now. Never throws; never changes `doc`.
 */
export function checkUpdate(doc: Y.Doc, update: Uint8Array, options: CheckUpdateOptions): UpdateVerdict {
  try {
    return { ok: true, changes: new UpdateCheck(doc, update, options).run() };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, reason: e.message };
    return { ok: false, reason: `the update cannot be read (${(e as Error).message})` };
  }
}

class UpdateCheck {
  private readonly store: Y.Doc['store'];
  private readonly structs: (Y.Item | Y.GC | Y.Skip)[];
  private readonly ds: { clients: Map<number, { clock: number; len: number }[]> };
  /** New items (not yet in the space), by client, in clock order. */
  private readonly fresh = new Map<number, Y.Item[]>();
  private readonly locs = new Map<AnyItem, Loc>();

  constructor(
    private readonly doc: Y.Doc,
    update: Uint8Array,
    private readonly options: CheckUpdateOptions,
  ) {
    this.store = doc.store;
    const decoded = Y.decodeUpdate(update) as unknown as { structs: (Y.Item | Y.GC | Y.Skip)[]; ds: UpdateCheck['ds'] };
    this.structs = decoded.structs;
    this.ds = decoded.ds;
  }

  private state(client: number): number {
    return Y.getState(this.store, client);
  }

  /** An item by id: one of the update's new items, or one the space holds; undefined when neither has it. */
  private find(id: Y.ID): AnyItem | Y.GC | undefined {
    if (id.clock < this.state(id.client)) {
      const structs = this.store.clients.get(id.client)!;
      return structs[Y.findIndexSS(structs as never, id.clock)] as AnyItem | Y.GC;
    }
    const list = this.fresh.get(id.client);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const it = list[mid]!;
      if (it.id.clock + it.length <= id.clock) lo = mid + 1;
      else if (it.id.clock > id.clock) hi = mid - 1;
      else return it;
    }
    return undefined;
  }

  private isFresh(item: AnyItem): boolean {
    return item.id.clock + item.length > this.state(item.id.client);
  }

  /**
   * Where an item sits: an entry of a root type, a field of a record, or nowhere (its neighbours were
   * collected). An item written next to another takes that one's parent: the chain of neighbours is
   * followed without recursion (a long list written over many sessions is a long chain); only the
   * parent chain recurses, and a space nests at most two levels below its root types.
   */
  private locate(item: AnyItem, depth = 0): Loc {
    if (depth > 4) refuse('the update nests data deeper than a space allows (records hold plain fields)');
    const known = this.locs.get(item);
    if (known) return known;
    const chain: AnyItem[] = [];
    const seen = new Set<AnyItem>();
    let cur: AnyItem = item;
    let loc: Loc;
    for (;;) {
      const k = this.locs.get(cur);
      if (k) {
        loc = k;
        break;
      }
      if (seen.has(cur)) refuse('the update refers to itself in a loop');
      seen.add(cur);
      if (!this.isFresh(cur)) {
        loc = this.locateStored(cur, depth);
        break;
      }
      if (cur.parent !== null) {
        if (typeof cur.parent === 'string') loc = { level: 'root-entry', root: cur.parent, key: cur.parentSub };
        else {
          const p = this.find(cur.parent as unknown as Y.ID);
          if (!p) refuse('the update depends on changes this server does not have; reload and try again');
          loc = p instanceof Y.GC ? { level: 'dead' } : this.childOf(p as AnyItem, cur.parentSub, depth + 1);
        }
        break;
      }
      chain.push(cur);
      const neighbourId = cur.origin ?? cur.rightOrigin;
      if (!neighbourId) {
        loc = { level: 'dead' };
        break;
      }
      const neighbour = this.find(neighbourId);
      if (!neighbour) refuse('the update depends on changes this server does not have; reload and try again');
      if (neighbour instanceof Y.GC) {
        loc = { level: 'dead' };
        break;
      }
      cur = neighbour as AnyItem;
    }
    this.locs.set(cur, loc);
    for (const c of chain) this.locs.set(c, loc);
    return loc;
  }

  /** Where a child of `parent` sits: only a record (a Y.Map entry of a field-level collection) may have children. */
  private childOf(parent: AnyItem, key: string | null, depth: number): Loc {
    const p = this.locate(parent, depth);
    if (p.level === 'dead') return p;
    if (p.level === 'field') refuse(`"${p.root}" record ${q(recordKey(p.record))}: field ${q(p.key)} holds nested data; fields hold plain values`);
    const at = p as { root: string; key: string | null };
    if (!FIELD_LEVEL.has(at.root as CollectionName) || !(parent.content instanceof Y.ContentType)) {
      refuse(`"${at.root}": nothing may be nested inside its entries`);
    }
    if (key === null) refuse(`"${at.root}" record ${q(at.key ?? '')}: a record holds named fields, not a list`);
    return { level: 'field', root: at.root, record: parent, key: key! };
  }

  private locateStored(item: AnyItem, depth: number): Loc {
    const parent = item.parent as unknown as Y.AbstractType<unknown> | null;
    if (!parent) return { level: 'dead' };
    const owner = parent._item;
    if (!owner) return { level: 'root-entry', root: Y.findRootTypeKey(parent), key: item.parentSub };
    return this.childOf(owner, item.parentSub, depth + 1);
  }

  run(): RecordChange[] {
    const { space, writer, dir } = this.options;
    // 1. Which structs are new (the space lacks them); a gap means the update depends on missing changes.
    for (const s of this.structs) {
      if (s instanceof Y.Skip) continue;
      const have = this.state(s.id.client);
      if (s.id.clock + s.length <= have) continue;
      if (s.id.clock > have && !this.fresh.has(s.id.client)) refuse('the update depends on changes this server does not have; reload and try again');
      if (s instanceof Y.GC) continue;
      let list = this.fresh.get(s.id.client);
      if (!list) this.fresh.set(s.id.client, (list = []));
      list.push(s as Y.Item);
    }
    const deleted = this.deletedRanges();
    const isDeletedHere = (item: AnyItem, offset = 0) => deleted(item.id.client, item.id.clock + offset);

    // 2. Classify every new item; gather what each does to records.
    const recordItems = new Map<string, AnyItem[]>(); // "collection/key" → new record maps
    const fieldItems = new Map<AnyItem, Map<string, AnyItem>>(); // record item → field → newest value item
    const appended: { collection: CollectionName; value: unknown }[] = [];
    const tombstonesSet = new Map<string, unknown>();
    let metaWrites = 0;
    for (const list of this.fresh.values()) {
      for (const item of list) {
        const loc = this.locate(item);
        if (loc.level === 'dead') continue;
        const gone = item.content instanceof Y.ContentDeleted;
        const offset = Math.max(0, this.state(item.id.client) - item.id.clock);
        if (loc.level === 'field') {
          if (!gone && !(item.content instanceof Y.ContentAny && item.content.arr.length === 1)) refuse(`"${loc.root}" record ${q(recordKey(loc.record))}: field ${q(loc.key)} must hold a plain value`);
          if (gone || isDeletedHere(item)) continue;
          let fields = fieldItems.get(loc.record);
          if (!fields) fieldItems.set(loc.record, (fields = new Map()));
          const prev = fields.get(loc.key);
          if (!prev || prev.id.clock < item.id.clock) fields.set(loc.key, item);
          continue;
        }
        const { root, key } = loc;
        if (!ROOTS.has(root)) refuse(`unknown part "${root}" of a space; a space holds ${[...COLLECTION_NAMES].join(', ')}, tombstones and meta`);
        if (root === META) {
          if (gone) continue;
          const value = item.content instanceof Y.ContentAny ? item.content.arr[0] : undefined;
          if (key !== 'layout' || value !== SPACE_LAYOUT) refuse(`meta: only the server writes a space's settings (${q(key ?? '')} = ${JSON.stringify(value)} refused)`);
          metaWrites++;
          continue;
        }
        if (root === TOMBSTONES) {
          if (key === null) refuse('tombstones: entries are named collection/id');
          if (gone || isDeletedHere(item)) continue;
          if (!(item.content instanceof Y.ContentAny) || item.content.arr.length !== 1) refuse(`tombstones[${q(key!)}]: must be { at, by }`);
          tombstonesSet.set(key!, (item.content as Y.ContentAny).arr[0]);
          continue;
        }
        const collection = root as CollectionName;
        if (FIELD_LEVEL.has(collection)) {
          if (key === null) refuse(`${collection}: records are kept by id, not in a list`);
          if (gone) continue;
          if (!(item.content instanceof Y.ContentType) || !(item.content.type instanceof Y.Map)) refuse(`${collection}[${q(key!)}]: a record must be a map of fields`);
          if (isDeletedHere(item)) continue;
          const k = `${collection}/${key}`;
          const list2 = recordItems.get(k);
          if (list2) list2.push(item);
          else recordItems.set(k, [item]);
          continue;
        }
        // write-once: JSON text entries in a list
        if (key !== null) refuse(`${collection}: entries are a list of records`);
        if (gone) continue;
        if (!(item.content instanceof Y.ContentAny)) refuse(`${collection}: entries must be JSON text`);
        const arr = (item.content as Y.ContentAny).arr;
        for (let i = offset; i < arr.length; i++) {
          if (isDeletedHere(item, i)) continue;
          if (typeof arr[i] !== 'string') refuse(`${collection}: entries must be JSON text`);
          appended.push({ collection, value: arr[i] });
        }
      }
    }

    // 3. What the update deletes among the records the space holds.
    const removedRecordItems = new Map<string, AnyItem>(); // "collection/key" → stored record map deleted
    const removedFields = new Map<AnyItem, Set<string>>();
    const removedEntries: { collection: CollectionName; value: unknown }[] = [];
    const liftedTombstones = new Set<string>();
    this.forEachDeletedStored((item, from, to) => {
      const loc = this.locate(item);
      if (loc.level === 'dead') return;
      if (loc.level === 'field') {
        let set = removedFields.get(loc.record);
        if (!set) removedFields.set(loc.record, (set = new Set()));
        set.add(loc.key);
        return;
      }
      const { root, key } = loc;
      if (root === META) {
        if (!metaWrites) refuse('meta: only the server changes a space\'s settings');
        return;
      }
      if (root === TOMBSTONES) {
        if (key !== null) liftedTombstones.add(key);
        return;
      }
      if (!ROOTS.has(root)) return; // a stored part the rule does not read (an old layout's): nobody sees it
      const collection = root as CollectionName;
      if (FIELD_LEVEL.has(collection)) {
        if (key !== null) removedRecordItems.set(`${collection}/${key}`, item);
        return;
      }
      if (item.content instanceof Y.ContentAny) {
        for (let i = from; i < to; i++) removedEntries.push({ collection, value: item.content.arr[i] });
      }
    });

    // 4. The records before and after.
    const changes: RecordChange[] = [];
    const after = new Map<string, Record<string, unknown> | null>(); // "collection/id" → record after (null: removed)
    const before = new Map<string, Record<string, unknown> | undefined>();
    const keyOf = (c: CollectionName, id: string) => `${c}/${id}`;
    const stored = (collection: CollectionName, id: string) => {
      const k = keyOf(collection, id);
      if (!before.has(k)) before.set(k, this.storedRecord(collection, id));
      return before.get(k);
    };

    // field-level: whole records written anew
    for (const [k, items] of recordItems) {
      const [collection, ...rest] = k.split('/') as [CollectionName, ...string[]];
      const id = rest.join('/');
      const winner = items.reduce((a, b) => (a.id.clock >= b.id.clock ? a : b));
      const fields: Record<string, unknown> = {};
      for (const [field, valueItem] of fieldItems.get(winner) ?? []) fields[field] = (valueItem.content as Y.ContentAny).arr[0];
      stored(collection, id);
      after.set(k, fields);
    }
    // field-level: fields of stored records changed or removed
    const touchedRecords = new Set<AnyItem>([...fieldItems.keys(), ...removedFields.keys()]);
    for (const recordItem of touchedRecords) {
      if (this.isFresh(recordItem)) continue; // handled above
      if (recordItem.deleted) continue; // a record already gone: nobody reads its fields
      const loc = this.locate(recordItem) as { root: string; key: string | null };
      const collection = loc.root as CollectionName;
      const id = loc.key!;
      const k = keyOf(collection, id);
      if (after.has(k) || removedRecordItems.get(k) === recordItem) continue;
      const current = stored(collection, id) ?? this.rawStored(collection, id) ?? {};
      const next: Record<string, unknown> = { ...current };
      for (const field of removedFields.get(recordItem) ?? []) delete next[field];
      for (const [field, valueItem] of fieldItems.get(recordItem) ?? []) next[field] = (valueItem.content as Y.ContentAny).arr[0];
      after.set(k, next);
    }
    for (const [k] of removedRecordItems) if (!after.has(k)) {
      const [collection, ...rest] = k.split('/') as [CollectionName, ...string[]];
      stored(collection, rest.join('/'));
      after.set(k, null);
    }
    // write-once entries
    const addedOnce = new Map<string, Record<string, unknown>>();
    for (const { collection, value } of appended) {
      const record = decodeEntry(value);
      if (!record || typeof record.id !== 'string') refuse(`${collection}: an entry is not a readable record`);
      const k = keyOf(collection, record!.id as string);
      if (addedOnce.has(k)) refuse(`${collection}[${q(record!.id as string)}]: written twice in one update`);
      addedOnce.set(k, record!);
    }
    const removedOnce = new Map<string, Record<string, unknown>>();
    for (const { collection, value } of removedEntries) {
      const record = decodeEntry(value);
      if (!record || typeof record.id !== 'string') continue; // an unreadable entry going away harms nobody
      removedOnce.set(keyOf(collection, record.id as string), record);
    }
    for (const [k, record] of removedOnce) {
      before.set(k, record);
      after.set(k, addedOnce.get(k) ?? null);
    }
    for (const [k, record] of addedOnce) {
      if (after.has(k)) continue;
      const [collection] = k.split('/') as [CollectionName];
      const live = stored(collection, record.id as string);
      if (live) refuse(`${collection}[${q(record.id as string)}]: a record with this id is already here; write-once records are corrected by their author, never shadowed`);
      after.set(k, record);
    }
    // tombstones
    for (const [key, value] of tombstonesSet) {
      const slash = key.indexOf('/');
      const collection = key.slice(0, slash) as CollectionName;
      const id = key.slice(slash + 1);
      if (!COLLECTION_NAMES.has(collection) || !id) refuse(`tombstones[${q(key)}]: not a collection/id`);
      const by = value && typeof value === 'object' ? (value as { by?: unknown }).by : undefined;
      if (by !== writer) refuse(`tombstones[${q(key)}].by: "${String(by)}" is not you ("${writer}")`);
      const k = keyOf(collection, id);
      const existing = stored(collection, id) ?? (after.get(k) || undefined);
      if (existing && !after.has(k)) after.set(k, null);
      else if (after.get(k)) after.set(k, null);
    }
    for (const key of liftedTombstones) {
      if (tombstonesSet.has(key)) continue;
      const slash = key.indexOf('/');
      const collection = key.slice(0, slash) as CollectionName;
      const id = key.slice(slash + 1);
      const recreated = after.get(keyOf(collection, id));
      const field = COLLECTION_NAMES.has(collection) ? authorField(collection) : undefined;
      const own = field && recreated && recreated[field] === writer;
      if (!own && !isWriterOf(dir, writer, space)) refuse(`tombstones[${q(key)}]: only this space's writers bring a deleted record back`);
    }

    // 5. Hold each to the rule, against the space as it would be.
    const here = this.lookup(after);
    let added = 0;
    for (const [k, next] of after) {
      const slash = k.indexOf('/');
      const collection = k.slice(0, slash) as CollectionName;
      const id = k.slice(slash + 1);
      const prev = before.get(k);
      const at = `${collection}[${q(id)}]`;
      if (next === null) {
        if (!prev) continue;
        const verdict = mayRemove(collection, prev, { space, dir, writer, parentGone: this.parentGone(collection, prev, here) });
        if (!verdict.ok) refuse(`${at}${verdict.path ? '.' + verdict.path : ''}: ${verdict.message}`);
        changes.push({ collection, id, kind: 'remove', before: prev });
        continue;
      }
      if (prev && sameJson(prev, next)) continue;
      const valid = validateRecord(collection, next);
      if (!valid.ok) {
        const issue = valid.issues[0]!;
        refuse(`${at}${issue.path ? '.' + issue.path : ''}: ${issue.message}`);
      }
      const record = (valid as { value: RecordOf<CollectionName> }).value;
      if (record.id !== id) refuse(`${at}.id: the record's id "${record.id}" does not match its key`);
      if (prev && authorField(collection) && prev[authorField(collection)!] !== writer) {
        refuse(`${at}.${authorField(collection)}: only its author ("${String(prev[authorField(collection)!])}") may correct it`);
      }
      // A write-once record by someone else may arrive only as a move: the same record, from a space
      // the writer writes (an objective moving to its new owner's space takes its check-ins along).
      const field = authorField(collection);
      const moved =
        !prev &&
        field !== undefined &&
        next[field] !== writer &&
        (this.options.elsewhere?.(collection, id) ?? []).some((o) => o.space !== space && isWriterOf(dir, writer, o.space) && sameJson(o.record, record));
      const verdict = admissible(collection, record, moved ? { space, dir, here } : { space, dir, here, writer });
      if (!verdict.ok) refuse(`${at}${verdict.path ? '.' + verdict.path : ''}: ${verdict.message}`);
      if (!prev) {
        added++;
        for (const other of this.options.elsewhere?.(collection, id) ?? []) {
          if (other.space === space) continue;
          const mine = field ? other.record[field] === writer || (moved && sameJson(other.record, record)) : isWriterOf(dir, writer, other.space);
          if (!mine) refuse(`${at}.id: "${id}" is the id of a record in "${other.space}"; pick a new id`);
        }
        changes.push({ collection, id, kind: 'add', after: next });
      } else {
        const fields = [...new Set([...Object.keys(prev), ...Object.keys(next)])].filter((f) => !sameJson(prev[f], next[f]));
        changes.push({ collection, id, kind: 'change', before: prev, after: next, fields });
      }
    }
    if (added && this.options.maxRecords !== undefined && this.countRecords() + added > this.options.maxRecords) {
      refuse(`this space holds ${this.countRecords()} records, and this server keeps at most ${this.options.maxRecords} in one space`);
    }
    return changes;
  }

  /** A stored record as readers would see it (validated), or undefined. */
  private storedRecord(collection: CollectionName, id: string): Record<string, unknown> | undefined {
    const raw = readRecord(this.doc, collection, id);
    if (!raw) return undefined;
    const valid = validateRecord(collection, raw);
    return valid.ok ? (valid.value as Record<string, unknown>) : raw;
  }

  /** A stored record even when tombstoned or invalid (the base a field change applies to). */
  private rawStored(collection: CollectionName, id: string): Record<string, unknown> | undefined {
    const value = collectionMap(this.doc, collection).get(id);
    return value instanceof Y.Map ? (value.toJSON() as Record<string, unknown>) : undefined;
  }

  /** Lookups over the space as it would be after the update. */
  private lookup(after: Map<string, Record<string, unknown> | null>): RecordLookup {
    const get = (collection: CollectionName, id: string) => {
      const k = `${collection}/${id}`;
      if (after.has(k)) return after.get(k) ?? undefined;
      return this.storedRecord(collection, id);
    };
    return {
      objective: (id) => get('objectives', id) as RecordOf<'objectives'> | undefined,
      keyResult: (id) => get('keyResults', id) as RecordOf<'keyResults'> | undefined,
      checkIn: (id) => get('checkIns', id) as RecordOf<'checkIns'> | undefined,
      reflection: (id) => get('reflections', id) as RecordOf<'reflections'> | undefined,
    };
  }

  /** Whether what a write-once record hangs off is gone (after the update), so its removal is a cascade. */
  private parentGone(collection: CollectionName, record: Record<string, unknown>, here: RecordLookup): boolean {
    switch (collection) {
      case 'checkIns':
        return !here.keyResult(record.keyResultId as string);
      case 'reflections':
        return !here.objective(record.objectiveId as string);
      case 'comments':
      case 'kudos': {
        const target = record.target as { kind: string; id: string };
        if (target?.kind === 'person' || target?.kind === 'team') return false;
        const objectiveId = objectiveOfTarget(target as never, here);
        return objectiveId === undefined || !here.objective(objectiveId);
      }
      default:
        return false;
    }
  }

  private countRecords(): number {
    let n = 0;
    for (const c of COLLECTION_NAMES) {
      const type = this.doc.share.get(c) as unknown as { _map: Map<string, AnyItem>; _length: number } | undefined;
      if (!type) continue;
      n += FIELD_LEVEL.has(c as CollectionName) ? type._map.size : type._length;
    }
    return n;
  }

  /** Whether (client, clock) is in the update's delete set. */
  private deletedRanges(): (client: number, clock: number) => boolean {
    const ds = this.ds.clients;
    return (client, clock) => {
      const ranges = ds.get(client);
      if (!ranges) return false;
      let lo = 0;
      let hi = ranges.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const r = ranges[mid]!;
        if (r.clock + r.len <= clock) lo = mid + 1;
        else if (r.clock > clock) hi = mid - 1;
        else return true;
      }
      return false;
    };
  }

  /** Calls `fn` for each stored, live item the update deletes, with the deleted part's offsets. */
  private forEachDeletedStored(fn: (item: AnyItem, from: number, to: number) => void): void {
    for (const [client, ranges] of this.ds.clients) {
      const structs = this.store.clients.get(client);
      if (!structs || structs.length === 0) continue;
      const have = this.state(client);
      for (const { clock, len } of ranges) {
        if (clock >= have) continue;
        const end = Math.min(clock + len, have);
        let i = Y.findIndexSS(structs as never, clock);
        for (; i < structs.length; i++) {
          const s = structs[i]!;
          if (s.id.clock >= end) break;
          if (!(s instanceof Y.Item) || s.deleted) continue;
          const from = Math.max(0, clock - s.id.clock);
          const to = Math.min(s.length, end - s.id.clock);
          fn(s, from, to);
        }
      }
    }
  }
}

function recordKey(item: AnyItem): string {
  return item.parentSub ?? '?';
}


