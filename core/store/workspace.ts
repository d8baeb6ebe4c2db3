/**
 * A workspace: the spaces one person sees, with a typed mutation API. Every mutation validates the
 * whole record it is about to write (zod, via the model) and every reference it makes *before*
 * writing; then it writes in one Yjs transaction per space, tagged with a {@link MutationOrigin}.
 * No IndexedDB here (see idb.ts): this runs in Node and in browsers.
 */
import * as Y from 'yjs';
import * as z from 'zod/mini';
import {
  RECORD_SCHEMAS,
  MAX_ALIGNMENT_DEPTH,
  CandorFormatError,
  CandorMutationError,
  findAlignmentCycle,
  fromZodIssues,
  type CandorDocument,
  type CheckIn,
  type CollectionName,
  type Comment,
  type Cycle,
  type KeyResult,
  type Kudos,
  type Metric,
  type Objective,
  type Owner,
  type Person,
  type RecordOf,
  type Reflection,
  type Target,
  type Team,
} from '../model/index.ts';
import {
  APPEND_ONLY,
  appendRecords,
  logEntries,
  collectionMap,
  deleteRecords,
  hasRecord,
  isTombstoned,
  materialise,
  patchRecord,
  parseSpaceId,
  privateSpace,
  readRecord,
  recordIds,
  spaceOfRecord,
  tombstoneKey,
  TOMBSTONES,
  writeRecord,
  type RoutingContext,
  type SpaceId,
  type SpaceIssue,
} from './space.ts';
import { directoryOf, validateRecord } from './materialise.ts';
import { admissible, type RecordLookup } from '../rules/rule.ts';
import type { Directory } from '../rules/directory.ts';
import { logIndex, sameJson, trackLogWrite } from './log-index.ts';

/** The origin of every transaction a workspace mutation makes: which action, by which workspace. */
export class MutationOrigin {
  constructor(
    readonly action: string,
    readonly workspace: Workspace,
  ) {}
}

/** What subscribers hear: one Yjs update applied to one space, and where it came from. */
export interface WorkspaceChange {
  space: SpaceId;
  update: Uint8Array;
  origin: unknown;
  /** True when the update came from a mutation of this workspace. */
  local: boolean;
}

export interface WorkspaceOptions {
  /** The person whose workspace this is: the author of what it writes. */
  me: string;
  /** Spaces to start from (e.g. loaded from IndexedDB or seeded with {@link documentToSpaces}). */
  spaces?: Map<SpaceId, Y.Doc>;
  /** Clock, for tests. */
  now?: () => Date;
  /** Id generator, for tests; default `crypto.randomUUID()`. */
  newId?: () => string;
}

export type CycleInput = { id?: string; name: string; start: string; end: string } & Record<string, unknown>;
export type CyclePatch = Partial<Pick<Cycle, 'name' | 'start' | 'end'>> & Record<string, unknown>;

export interface KeyResultInput {
  title: string;
  metric: Metric;
  ownerId?: string;
  weight?: number;
  order?: number;
  [extra: string]: unknown;
}
export type KeyResultPatch = Partial<Omit<KeyResultInput, 'objectiveId'>>;

export interface ObjectiveInput {
  cycleId: string;
  title: string;
  description?: string;
  /** Default: the workspace's person. */
  owner?: Owner;
  parentId?: string;
  type?: Objective['type'];
  visibility?: Objective['visibility'];
  state?: Objective['state'];
  rollup?: Objective['rollup'];
  order?: number;
  /** Key results created with the objective, in the same transaction. */
  keyResults?: KeyResultInput[];
  [extra: string]: unknown;
}
export type ObjectivePatch = Partial<Omit<ObjectiveInput, 'keyResults' | 'parentId'>>;

export interface CheckInInput {
  /** Numeric metrics (increase, decrease, maintain). */
  value?: number;
  /** Milestones metrics: the ids of the milestones done. */
  milestonesDone?: string[];
  /** Boolean metrics. */
  done?: boolean;
  confidence: number;
  note?: string;
  blockers?: string;
  /** Default now. */
  at?: string;
}

export interface KudosInput {
  target: Target;
  toIds: string[];
  message?: string;
}

export interface ReflectionInput {
  score: number;
  wentWell?: string;
  learned?: string;
  nextTime?: string;
}

const TARGET_COLLECTION: Record<Target['kind'], CollectionName> = {
  objective: 'objectives',
  keyResult: 'keyResults',
  checkIn: 'checkIns',
  reflection: 'reflections',
  person: 'people',
  team: 'teams',
};

const SINGULAR: Record<CollectionName, string> = {
  people: 'person',
  teams: 'team',
  cycles: 'cycle',
  objectives: 'objective',
  keyResults: 'key result',
  checkIns: 'check-in',
  comments: 'comment',
  kudos: 'kudos',
  reflections: 'reflection',
};

const NUMERIC = new Set(['increase', 'decrease', 'maintain-above', 'maintain-below']);

function defaultId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  // Insecure contexts have getRandomValues but not randomUUID: build a version 4 UUID by hand.
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** What {@link Workspace.importRecord} did with a record. */
export type ImportOutcome = 'created' | 'changed' | 'moved' | 'unchanged';

export interface ImportedRecord<C extends CollectionName> {
  /** The record as stored. */
  record: RecordOf<C>;
  outcome: ImportOutcome;
  /** Key results and check-ins that moved along with it, out of the spaces its old copies were in. */
  carried: { keyResults: string[]; checkIns: string[] };
}

/** Validates a whole record against its schema; throws a CandorFormatError naming fields (`metric.target`). */
function check<C extends CollectionName>(collection: C, record: unknown): RecordOf<C> {
  const parsed = z.safeParse(RECORD_SCHEMAS[collection] as unknown as z.ZodMiniType<RecordOf<C>>, record);
  if (parsed.success) return parsed.data;
  throw new CandorFormatError(fromZodIssues(parsed.error.issues, record), `invalid ${SINGULAR[collection]}: `);
}

const strip = (record: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
  return out;
};

interface Located<C extends CollectionName> {
  space: SpaceId;
  doc: Y.Doc;
  record: RecordOf<C>;
}

/**
 * The set of spaces one person sees, materialised to one Candor document and changed through a
 * typed, validated mutation API.
 */
export class Workspace {
  readonly me: string;
  /** Every space of this workspace, by id. Add spaces with {@link addSpace}. */
  readonly spaces: Map<SpaceId, Y.Doc>;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly listeners = new Set<(change: WorkspaceChange) => void>();
  private readonly detach = new Map<SpaceId, () => void>();
  private cached: { document: CandorDocument; issues: SpaceIssue[] } | undefined;
  private order: SpaceId[] | undefined;

  constructor(options: WorkspaceOptions) {
    if (!options.me) throw new CandorMutationError('a workspace needs the id of its person', 'me');
    this.me = options.me;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? defaultId;
    this.spaces = new Map();
    for (const [id, doc] of options.spaces ?? []) this.addSpace(id, doc);
  }

  // -------------------------------------------------------------------------------------------
  // Spaces, reading, notifications

  /** Adds a space (a new empty one when no doc is given); returns its doc. An existing space is returned as is. */
  addSpace(id: SpaceId, doc: Y.Doc = new Y.Doc()): Y.Doc {
    const existing = this.spaces.get(id);
    if (existing) return existing;
    if (!parseSpaceId(id)) throw new CandorMutationError(`"${id}" is not a space id (company, team:<id>, person:<id> or private:<id>)`, 'space');
    this.spaces.set(id, doc);
    this.order = undefined;
    const onUpdate = (update: Uint8Array, origin: unknown) => {
      this.cached = undefined;
      const change: WorkspaceChange = { space: id, update, origin, local: origin instanceof MutationOrigin && origin.workspace === this };
      for (const fn of [...this.listeners]) fn(change);
    };
    doc.on('update', onUpdate);
    this.detach.set(id, () => doc.off('update', onUpdate));
    this.cached = undefined;
    return doc;
  }

  /** The doc of a space, created when missing. */
  space(id: SpaceId): Y.Doc {
    return this.spaces.get(id) ?? this.addSpace(id);
  }

  /** Stops following a space (its doc is left as is). */
  removeSpace(id: SpaceId): void {
    this.detach.get(id)?.();
    this.detach.delete(id);
    if (this.spaces.delete(id)) this.cached = undefined;
    this.order = undefined;
  }

  /** Applies a Yjs update (from a peer, a server or storage) to a space, tagged with `origin`. */
  applyUpdate(space: SpaceId, update: Uint8Array, origin?: unknown): void {
    Y.applyUpdate(this.space(space), update, origin);
  }

  /** The materialised Candor document; computed on first read after a change, then cached. Read-only. */
  get document(): CandorDocument {
    return (this.cached ??= materialise(this.spaces, { at: this.now().toISOString() })).document;
  }

  /** Records that could not be read, by space and path (see {@link materialise}). */
  get issues(): SpaceIssue[] {
    return (this.cached ??= materialise(this.spaces, { at: this.now().toISOString() })).issues;
  }

  /** Calls `fn` after every update to any space (local or remote). Returns the unsubscribe function. */
  subscribe(fn: (change: WorkspaceChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Stops listening to every space. */
  destroy(): void {
    for (const off of this.detach.values()) off();
    this.detach.clear();
    this.listeners.clear();
  }

  /** Finds a live record by id in any space (spaces in id order). */
  find<C extends CollectionName>(collection: C, id: string): Located<C> | undefined {
    for (const space of (this.order ??= [...this.spaces.keys()].sort())) {
      const doc = this.spaces.get(space)!;
      if (!hasRecord(doc, collection, id)) continue;
      const record = readRecord(doc, collection, id);
      if (record) return { space, doc, record: record as RecordOf<C> };
    }
    return undefined;
  }

  private need<C extends CollectionName>(collection: C, id: string, path: string): Located<C> {
    if (typeof id !== 'string' || !id) throw new CandorMutationError(`expected the id of a ${SINGULAR[collection]}`, path);
    const found = this.find(collection, id);
    if (!found) throw new CandorMutationError(`no ${SINGULAR[collection]} with id "${id}"`, path);
    return found;
  }

  private routing(): RoutingContext {
    return {
      me: this.me,
      objective: (id) => this.find('objectives', id)?.record,
      keyResult: (id) => this.find('keyResults', id)?.record,
      checkIn: (id) => this.find('checkIns', id)?.record,
      reflection: (id) => this.find('reflections', id)?.record,
    };
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  /** Who is in the organisation, as the company space says (personal when there is no server). */
  get directory(): Directory {
    return directoryOf(this.spaces);
  }

  /**
   * Holds a record this workspace is about to write to the record rule (core/rules), with this
   * workspace's person as the writer: what the server would refuse is refused here first, with the
   * same words. `pending` are records written in the same mutation (an objective's new key results).
   */
  private guard<C extends CollectionName>(collection: C, record: RecordOf<C>, space: SpaceId, pending: readonly [CollectionName, { id: string }][] = [], claimed = false): void {
    const doc = this.spaces.get(space);
    const extra = new Map(pending.map(([c, r]) => [`${c}/${r.id}`, r] as const));
    const get = (c: CollectionName, id: string) => {
      const p = extra.get(`${c}/${id}`);
      if (p) return p;
      const raw = doc ? readRecord(doc, c, id) : undefined;
      if (!raw) return undefined;
      const valid = validateRecord(c, raw);
      return valid.ok ? valid.value : undefined;
    };
    const here: RecordLookup = {
      objective: (id) => get('objectives', id) as Objective | undefined,
      keyResult: (id) => get('keyResults', id) as KeyResult | undefined,
      checkIn: (id) => get('checkIns', id) as CheckIn | undefined,
      reflection: (id) => get('reflections', id) as Reflection | undefined,
    };
    const verdict = admissible(collection, record, { space, dir: this.directory, here, ...(claimed ? {} : { writer: this.me }) });
    if (!verdict.ok) throw new CandorMutationError(verdict.message, verdict.path, 'rule');
  }

  private transact(doc: Y.Doc, action: string, fn: () => void): void {
    doc.transact(fn, new MutationOrigin(action, this));
  }

  private freshId(collection: CollectionName, wanted?: unknown): string {
    if (wanted === undefined) return this.newId();
    if (typeof wanted !== 'string' || !wanted.trim()) throw new CandorMutationError('expected a non-empty id', 'id');
    if (this.find(collection, wanted)) throw new CandorMutationError(`a ${SINGULAR[collection]} with id "${wanted}" already exists`, 'id');
    return wanted;
  }

  // -------------------------------------------------------------------------------------------
  // Cycles

  /** Creates a cycle (e.g. `createCycle(presetCycle('quarter', today))`, whose id is stable). */
  createCycle(input: CycleInput): Cycle {
    const id = this.freshId('cycles', input.id);
    const record = check('cycles', strip({ ...input, id, createdBy: this.me }));
    this.guard('cycles', record, 'company');
    const doc = this.space('company');
    this.transact(doc, 'createCycle', () => writeRecord(doc, 'cycles', record));
    return record;
  }

  editCycle(id: string, patch: CyclePatch): Cycle {
    const found = this.need('cycles', id, 'id');
    const { record, changes } = this.patched('cycles', found.record, patch);
    this.guard('cycles', record, found.space);
    this.transact(found.doc, 'editCycle', () => patchRecord(found.doc, 'cycles', id, changes));
    return record;
  }

  /** Closes a cycle and every objective in it that is not closed yet. */
  closeCycle(id: string): Cycle {
    const found = this.need('cycles', id, 'id');
    const at = this.stamp();
    const { record, changes } = this.patched('cycles', found.record, { closedAt: at });
    const open = this.document.objectives.filter((o) => o.cycleId === id && o.state !== 'closed');
    this.transact(found.doc, 'closeCycle', () => patchRecord(found.doc, 'cycles', id, changes));
    for (const o of open) {
      const where = this.find('objectives', o.id);
      if (where) this.transact(where.doc, 'closeCycle', () => patchRecord(where.doc, 'objectives', o.id, { state: 'closed', updatedAt: at }));
    }
    return record;
  }

  // -------------------------------------------------------------------------------------------
  // Objectives and key results

  createObjective(input: ObjectiveInput): { objective: Objective; keyResults: KeyResult[] } {
    const { keyResults: krInputs = [], ...rest } = input;
    const id = this.freshId('objectives', rest.id);
    const at = this.stamp();
    const objective = check('objectives', strip({ ...rest, id, owner: rest.owner ?? { kind: 'person', id: this.me }, createdAt: at, updatedAt: at, createdBy: this.me }));
    this.need('cycles', objective.cycleId, 'cycleId');
    if (objective.parentId !== undefined) this.checkAlignment(id, objective.parentId);
    const keyResults = krInputs.map((kr, i) => {
      try {
        return this.buildKeyResult(id, kr, i);
      } catch (e) {
        if (e instanceof CandorFormatError) throw new CandorFormatError(e.issues.map((x) => ({ ...x, path: `keyResults[${i}]${x.path ? '.' + x.path : ''}` })), 'invalid key result: ');
        throw e;
      }
    });
    const space = spaceOfRecord('objectives', objective, this.routing());
    this.guard('objectives', objective, space);
    keyResults.forEach((kr) => this.guard('keyResults', kr, space, [['objectives', objective]]));
    const doc = this.space(space);
    this.transact(doc, 'createObjective', () => {
      writeRecord(doc, 'objectives', objective);
      for (const kr of keyResults) writeRecord(doc, 'keyResults', kr);
    });
    return { objective, keyResults };
  }

  /**
   * Changes fields of an objective. Changing its owner or visibility moves it (with its key results
   * and check-ins) to the space it now belongs in. Use {@link align} to change `parentId`.
   */
  editObjective(id: string, patch: ObjectivePatch): Objective {
    if ('parentId' in patch) throw new CandorMutationError('use align() to change what an objective supports', 'parentId');
    if ('id' in patch || 'createdAt' in patch) throw new CandorMutationError('cannot be changed', 'id' in patch ? 'id' : 'createdAt');
    const found = this.need('objectives', id, 'id');
    const { record, changes } = this.patched('objectives', found.record, { ...patch, updatedAt: this.stamp() });
    if (changes.cycleId !== undefined) this.need('cycles', record.cycleId, 'cycleId');
    const target = spaceOfRecord('objectives', record, this.routing());
    if (target === found.space) {
      this.guard('objectives', record, found.space);
      this.transact(found.doc, 'editObjective', () => patchRecord(found.doc, 'objectives', id, changes));
    } else {
      this.moveObjective(found, record, target);
    }
    return record;
  }

  closeObjective(id: string): Objective {
    return this.editObjective(id, { state: 'closed' });
  }

  /**
   * Moves an objective to the space it now belongs in, with everything that lives beside it: its key
   * results, their check-ins, its reflections, and what is said about any of them. Records written by
   * others move as they are (the server admits an identical copy from a space the mover writes); one that
   * the rule would not admit in the new space stops the move, named, before anything is written.
   */
  private moveObjective(from: Located<'objectives'>, record: Objective, target: SpaceId): void {
    const to = this.space(target);
    const krIds = recordIds(from.doc, 'keyResults').filter((k) => readRecord(from.doc, 'keyResults', k)?.objectiveId === record.id);
    const krSet = new Set(krIds);
    const krs = krIds.map((k) => readRecord(from.doc, 'keyResults', k)!);
    const live = (collection: CollectionName, keep: (r: Record<string, unknown>) => boolean) =>
      [...logEntries(from.doc, collection)].filter(
        (c): c is Record<string, unknown> => !!c && typeof c.id === 'string' && keep(c) && !isTombstoned(from.doc, collection, c.id as string),
      );
    const checkIns = live('checkIns', (c) => krSet.has(c.keyResultId as string));
    const reflections = live('reflections', (r) => r.objectiveId === record.id);
    const about = new Set<string>([`objective/${record.id}`, ...krIds.map((k) => `keyResult/${k}`), ...checkIns.map((c) => `checkIn/${c.id}`), ...reflections.map((r) => `reflection/${r.id}`)]);
    const said = (c: Record<string, unknown>) => {
      const t = c.target as { kind?: string; id?: string } | undefined;
      return !!t && about.has(`${t.kind}/${t.id}`);
    };
    const comments = live('comments', said);
    const kudos = live('kudos', said);
    const pending: [CollectionName, { id: string }][] = [['objectives', record], ...krs.map((k) => ['keyResults', k] as [CollectionName, { id: string }]), ...checkIns.map((c) => ['checkIns', c] as [CollectionName, { id: string }]), ...reflections.map((r) => ['reflections', r] as [CollectionName, { id: string }])];
    this.guard('objectives', record, target);
    for (const kr of krs) this.guard('keyResults', kr as KeyResult, target, pending);
    const onceGroups = [['checkIns', checkIns], ['reflections', reflections], ['comments', comments], ['kudos', kudos]] as const;
    for (const [collection, list] of onceGroups) {
      for (const r of list) {
        const valid = validateRecord(collection, r);
        if (!valid.ok) continue; // an unreadable record is not shown anywhere; it stays behind
        try {
          this.guard(collection, valid.value, target, pending, true);
        } catch (e) {
          if (e instanceof CandorMutationError) throw new CandorMutationError(`${SINGULAR[collection]} "${String(r.id)}" cannot move with it: ${e.message}`, e.path);
          throw e;
        }
      }
    }
    this.transact(to, 'editObjective', () => {
      writeRecord(to, 'objectives', record);
      for (const kr of krs) writeRecord(to, 'keyResults', kr);
      const tombstones = to.getMap(TOMBSTONES);
      for (const [collection, list] of onceGroups) {
        for (const c of list) tombstones.delete(tombstoneKey(collection, c.id as string));
        if (list.length) appendRecords(to, collection, list);
      }
    });
    const at = this.stamp();
    this.transact(from.doc, 'editObjective', () => {
      for (const [collection, list] of onceGroups) deleteRecords(from.doc, collection, list.map((c) => c.id as string), this.me, at);
      deleteRecords(from.doc, 'keyResults', krIds, this.me, at);
      deleteRecords(from.doc, 'objectives', [record.id], this.me, at);
    });
  }

  private buildKeyResult(objectiveId: string, input: KeyResultInput, fallbackOrder: number): KeyResult {
    const id = this.freshId('keyResults', input.id);
    const kr = check('keyResults', strip({ order: fallbackOrder, ...input, id, objectiveId, createdBy: this.me }));
    if (kr.ownerId !== undefined && this.knowsPeople() && !this.find('people', kr.ownerId)) {
      throw new CandorMutationError(`no person with id "${kr.ownerId}"`, 'ownerId');
    }
    return kr;
  }

  private knowsPeople(): boolean {
    for (const doc of this.spaces.values()) if (collectionMap(doc, 'people').size > 0) return true;
    return false;
  }

  /** Adds a key result to an objective, after its siblings unless `order` is given. */
  addKeyResult(objectiveId: string, input: KeyResultInput): KeyResult {
    const objective = this.need('objectives', objectiveId, 'objectiveId');
    const siblings = this.keyResultsOf(objective);
    const next = siblings.reduce((m, k) => Math.max(m, Number(k.order ?? 0) + 1), 0);
    const kr = this.buildKeyResult(objectiveId, input, next);
    this.guard('keyResults', kr, objective.space);
    this.transact(objective.doc, 'addKeyResult', () => writeRecord(objective.doc, 'keyResults', kr));
    return kr;
  }

  editKeyResult(id: string, patch: KeyResultPatch): KeyResult {
    if ('id' in patch || 'objectiveId' in patch) throw new CandorMutationError('cannot be changed', 'id' in patch ? 'id' : 'objectiveId');
    const found = this.need('keyResults', id, 'id');
    const { record, changes } = this.patched('keyResults', found.record, patch);
    if (changes.ownerId !== undefined && this.knowsPeople() && !this.find('people', record.ownerId!)) {
      throw new CandorMutationError(`no person with id "${record.ownerId}"`, 'ownerId');
    }
    this.guard('keyResults', record, found.space);
    this.transact(found.doc, 'editKeyResult', () => patchRecord(found.doc, 'keyResults', id, changes));
    return record;
  }

  /** Sets the order of an objective's key results; `orderedIds` must name each of them once. */
  reorderKeyResults(objectiveId: string, orderedIds: string[]): void {
    const objective = this.need('objectives', objectiveId, 'objectiveId');
    const current = new Set(this.keyResultsOf(objective).map((k) => k.id));
    const given = new Set(orderedIds);
    if (given.size !== orderedIds.length) throw new CandorMutationError('a key result is listed twice', 'orderedIds');
    orderedIds.forEach((id, i) => {
      if (!current.has(id)) throw new CandorMutationError(`"${id}" is not a key result of objective "${objectiveId}"`, `orderedIds[${i}]`);
    });
    const missing = [...current].filter((id) => !given.has(id));
    if (missing.length) throw new CandorMutationError(`missing key result${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`, 'orderedIds');
    this.transact(objective.doc, 'reorderKeyResults', () => {
      orderedIds.forEach((id, order) => patchRecord(objective.doc, 'keyResults', id, { order }));
    });
  }

  private keyResultsOf(objective: Located<'objectives'>): KeyResult[] {
    const out: KeyResult[] = [];
    for (const id of recordIds(objective.doc, 'keyResults')) {
      const kr = readRecord(objective.doc, 'keyResults', id);
      if (kr?.objectiveId === objective.record.id) out.push(kr as KeyResult);
    }
    return out;
  }

  /** Aligns an objective to the one it supports (`null` to detach). Refuses cycles and chains deeper than MAX_ALIGNMENT_DEPTH. */
  align(objectiveId: string, parentId: string | null): Objective {
    const found = this.need('objectives', objectiveId, 'objectiveId');
    if (parentId !== null) this.checkAlignment(objectiveId, parentId);
    const updatedAt = this.stamp();
    const record = check('objectives', strip({ ...found.record, parentId: parentId ?? undefined, updatedAt }));
    this.guard('objectives', record, found.space);
    this.transact(found.doc, 'align', () => patchRecord(found.doc, 'objectives', objectiveId, { parentId: parentId ?? undefined, updatedAt }));
    return record;
  }

  private checkAlignment(objectiveId: string, parentId: string): void {
    if (parentId === objectiveId) throw new CandorMutationError('an objective cannot support itself', 'parentId');
    this.need('objectives', parentId, 'parentId');
    const parentOf = (id: string) => (id === objectiveId ? parentId : (this.find('objectives', id)?.record.parentId as string | undefined));
    const loop = findAlignmentCycle(parentOf, objectiveId);
    if (loop) throw new CandorMutationError(`would make an alignment cycle: ${loop.join(' → ')}`, 'parentId');
    let above = 0;
    for (let cur: string | undefined = parentId; cur !== undefined; cur = parentOf(cur)) above++;
    const below = this.heightBelow(objectiveId);
    if (above + below > MAX_ALIGNMENT_DEPTH) {
      throw new CandorMutationError(`alignment would be deeper than ${MAX_ALIGNMENT_DEPTH} levels`, 'parentId');
    }
  }

  /** How many levels of aligned objectives hang below this one (0 for a leaf). */
  private heightBelow(objectiveId: string): number {
    const children = new Map<string, string[]>();
    for (const o of this.document.objectives) {
      if (o.parentId === undefined) continue;
      const list = children.get(o.parentId);
      if (list) list.push(o.id);
      else children.set(o.parentId, [o.id]);
    }
    const depthOf = (id: string, guard: number): number => {
      if (guard > MAX_ALIGNMENT_DEPTH + 1) return guard;
      let best = 0;
      for (const child of children.get(id) ?? []) best = Math.max(best, 1 + depthOf(child, guard + 1));
      return best;
    };
    return depthOf(objectiveId, 0);
  }

  // -------------------------------------------------------------------------------------------
  // Check-ins, comments, kudos, reflections

  /**
   * Records progress on a key result. The value must fit the metric: `value` for numeric metrics,
   * `milestonesDone` (ids of its milestones) for milestones, `done` for boolean.
   */
  checkIn(keyResultId: string, input: CheckInInput): CheckIn {
    const kr = this.need('keyResults', keyResultId, 'keyResultId');
    const objective = this.find('objectives', kr.record.objectiveId);
    if (objective?.record.state === 'closed') {
      throw new CandorMutationError(`objective "${objective.record.title}" is closed; reopen it to check in`, 'keyResultId');
    }
    const metric = (kr.record as KeyResult).metric;
    const record = check('checkIns', strip({ ...input, id: this.newId(), keyResultId, authorId: this.me, at: input.at ?? this.stamp() }));
    this.checkValueFits(metric, record);
    this.guard('checkIns', record, kr.space);
    this.transact(kr.doc, 'checkIn', () => appendRecords(kr.doc, 'checkIns', [record]));
    return record;
  }

  private checkValueFits(metric: Metric, c: CheckIn): void {
    if (NUMERIC.has(metric.kind)) {
      if (c.value === undefined) throw new CandorMutationError(`a ${metric.kind} key result is checked in with a number`, 'value');
      if (c.milestonesDone !== undefined) throw new CandorMutationError(`a ${metric.kind} key result has no milestones`, 'milestonesDone');
      if (c.done !== undefined) throw new CandorMutationError(`a ${metric.kind} key result is checked in with a value, not done`, 'done');
    } else if (metric.kind === 'milestones') {
      if (c.milestonesDone === undefined) throw new CandorMutationError('a milestones key result is checked in with the milestones done', 'milestonesDone');
      if (c.value !== undefined) throw new CandorMutationError('a milestones key result is checked in with milestones, not a value', 'value');
      if (c.done !== undefined) throw new CandorMutationError('a milestones key result is checked in with milestones, not done', 'done');
      const known = new Set(metric.items.map((m) => m.id));
      const seen = new Set<string>();
      c.milestonesDone.forEach((id, i) => {
        if (!known.has(id)) throw new CandorMutationError(`no milestone with id "${id}" in this key result`, `milestonesDone[${i}]`);
        if (seen.has(id)) throw new CandorMutationError(`milestone "${id}" is listed twice`, `milestonesDone[${i}]`);
        seen.add(id);
      });
    } else if (metric.kind === 'boolean') {
      if (c.done === undefined) throw new CandorMutationError('a done/not-done key result is checked in with done: true or false', 'done');
      if (c.value !== undefined) throw new CandorMutationError('a done/not-done key result takes done, not a value', 'value');
      if (c.milestonesDone !== undefined) throw new CandorMutationError('a done/not-done key result has no milestones', 'milestonesDone');
    }
  }

  private needTarget(target: Target): void {
    if (target === null || typeof target !== 'object') throw new CandorMutationError('expected a target { kind, id }', 'target');
    const collection = TARGET_COLLECTION[target.kind];
    if (!collection) throw new CandorMutationError(`unknown target kind "${String(target.kind)}"`, 'target.kind');
    this.need(collection, target.id, 'target.id');
  }

  comment(target: Target, text: string): Comment {
    const record = check('comments', { id: this.newId(), target, authorId: this.me, at: this.stamp(), text });
    this.needTarget(record.target);
    const space = spaceOfRecord('comments', record, this.routing());
    this.guard('comments', record, space);
    const doc = this.space(space);
    this.transact(doc, 'comment', () => appendRecords(doc, 'comments', [record]));
    return record;
  }

  giveKudos(input: KudosInput): Kudos {
    const record = check('kudos', strip({ id: this.newId(), target: input.target, fromId: this.me, toIds: input.toIds, at: this.stamp(), message: input.message }));
    this.needTarget(record.target);
    record.toIds.forEach((id, i) => this.need('people', id, `toIds[${i}]`));
    const space = spaceOfRecord('kudos', record, this.routing());
    this.guard('kudos', record, space);
    const doc = this.space(space);
    this.transact(doc, 'giveKudos', () => appendRecords(doc, 'kudos', [record]));
    return record;
  }

  reflect(objectiveId: string, input: ReflectionInput): Reflection {
    const record = check('reflections', strip({ ...input, id: this.newId(), objectiveId, authorId: this.me, at: this.stamp() }));
    this.need('objectives', objectiveId, 'objectiveId');
    const space = spaceOfRecord('reflections', record, this.routing());
    this.guard('reflections', record, space);
    const doc = this.space(space);
    this.transact(doc, 'reflect', () => appendRecords(doc, 'reflections', [record]));
    return record;
  }

  // -------------------------------------------------------------------------------------------
  // People and teams

  /** Creates or updates a person (in the company space); only changed fields are written. */
  upsertPerson(person: Person | (Partial<Person> & { id: string; name: string })): Person {
    return this.upsert('people', person as Record<string, unknown>, 'upsertPerson') as Person;
  }

  /** Creates or updates a team (in the company space); only changed fields are written. */
  upsertTeam(team: Team | (Partial<Team> & { id: string; name: string })): Team {
    const record = this.upsert('teams', team as Record<string, unknown>, 'upsertTeam', (t) => {
      if (t.parentId !== undefined) {
        if (t.parentId === t.id) throw new CandorMutationError('a team cannot be its own parent', 'parentId');
        this.need('teams', t.parentId, 'parentId');
        const parentOf = (id: string) => (id === t.id ? t.parentId : (this.find('teams', id)?.record.parentId as string | undefined));
        const loop = findAlignmentCycle(parentOf, t.id);
        if (loop) throw new CandorMutationError(`teams would nest in a loop: ${loop.join(' → ')}`, 'parentId');
      }
    });
    return record as Team;
  }

  private upsert<C extends 'people' | 'teams'>(collection: C, input: Record<string, unknown>, action: string, extra?: (r: RecordOf<C>) => void): RecordOf<C> {
    if (typeof input?.id !== 'string' || !input.id) throw new CandorMutationError('expected an id', 'id');
    const found = this.find(collection, input.id);
    const doc = this.space('company');
    if (found) {
      const { record, changes } = this.patched(collection, found.record, input);
      extra?.(record);
      this.guard(collection, record, found.space);
      this.transact(found.doc, action, () => patchRecord(found.doc, collection, record.id, changes));
      return record;
    }
    const record = check(collection, strip(input));
    extra?.(record);
    this.guard(collection, record, 'company');
    this.transact(doc, action, () => writeRecord(doc, collection, record));
    return record;
  }

  // -------------------------------------------------------------------------------------------
  // Deleting

  /**
   * Deletes a record, leaving a tombstone so no peer can bring it back. Deleting an objective
   * deletes its key results, their check-ins and its reflections; deleting a key result deletes its
   * check-ins. A cycle that still has objectives is not deleted.
   */
  delete(collection: CollectionName, id: string): void {
    if (!(collection in RECORD_SCHEMAS)) throw new CandorMutationError(`unknown collection "${collection}"`, 'collection');
    const found = this.need(collection, id, 'id');
    const at = this.stamp();
    if (collection === 'cycles') {
      const using = this.document.objectives.filter((o) => o.cycleId === id);
      if (using.length) throw new CandorMutationError(`the cycle still has ${using.length} objective${using.length > 1 ? 's' : ''}; delete or move them first`, 'id');
    }
    if (collection === 'objectives') {
      for (const [space, doc] of this.spaces) {
        const krIds = recordIds(doc, 'keyResults').filter((k) => readRecord(doc, 'keyResults', k)?.objectiveId === id);
        const krSet = new Set(krIds);
        const checkIns = krSet.size ? this.logIds(doc, 'checkIns', (c) => krSet.has(c.keyResultId as string)) : [];
        const reflections = this.logIds(doc, 'reflections', (r) => r.objectiveId === id);
        const here = space === found.space;
        if (!here && !krIds.length && !reflections.length) continue;
        this.transact(doc, 'delete', () => {
          deleteRecords(doc, 'checkIns', checkIns, this.me, at);
          deleteRecords(doc, 'keyResults', krIds, this.me, at);
          deleteRecords(doc, 'reflections', reflections, this.me, at);
          if (here) deleteRecords(doc, 'objectives', [id], this.me, at);
        });
      }
      return;
    }
    this.transact(found.doc, 'delete', () => {
      if (collection === 'keyResults') deleteRecords(found.doc, 'checkIns', this.logIds(found.doc, 'checkIns', (c) => c.keyResultId === id), this.me, at);
      deleteRecords(found.doc, collection, [id], this.me, at);
    });
  }

  private logIds(doc: Y.Doc, collection: CollectionName, keep: (r: Record<string, unknown>) => boolean): string[] {
    if (!APPEND_ONLY.has(collection)) return [];
    const out: string[] = [];
    for (const r of logEntries(doc, collection)) if (r && keep(r) && typeof r.id === 'string') out.push(r.id);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Records as given: import, the sample organisation, restore (see apply.ts)

  /**
   * Writes one record exactly as given — its id, timestamps and author fields kept — where import, the
   * sample organisation and restore need it (`applyDocument` in apply.ts brings a workspace to a whole
   * document with it). Like every command it first validates the whole record (zod) and the references
   * it sets or changes — a key result's objective and owner, a check-in's key result and that its value
   * fits the metric, what a comment or kudos is about and who receives kudos, a reflection's objective,
   * an objective's cycle and alignment (no loops, not too deep), a team's parent — and throws a
   * CandorFormatError or CandorMutationError without writing anything.
   *
   * The record goes to the space it belongs in ({@link spaceOfRecord}). A live copy of it in any other
   * space (its owner or visibility changed, or an older Candor left two) is removed there, tombstoned,
   * and what hangs off it moves along: an objective's key results and their check-ins, a key result's
   * check-ins. So the workspace never holds two copies. A record already stored as given is not written.
   * Unlike {@link checkIn}, a check-in on a closed objective is accepted: imported history stays history.
   */
  importRecord<C extends CollectionName>(collection: C, input: RecordOf<C>): ImportedRecord<C> {
    if (!(collection in RECORD_SCHEMAS)) throw new CandorMutationError(`unknown collection "${collection}"`, 'collection');
    const record = check(collection, input);
    const id = (record as { id: string }).id;
    const target = spaceOfRecord(collection, record, this.routing());
    const copies = this.copiesOf(collection, id);
    const here = copies.find((c) => c.space === target);
    const elsewhere = copies.filter((c) => c !== here);
    const carried = { keyResults: [] as string[], checkIns: [] as string[] };
    if (here && !elsewhere.length && this.storedAs(collection, here.record, record)) return { record, outcome: 'unchanged', carried };
    this.checkImported(collection, record, here?.record ?? elsewhere[0]?.record);
    // The record rule: on a team server's spaces an import writes as me (others' records are refused,
    // as the server would); a personal workspace holds whatever its person imports, where it belongs.
    this.guard(collection, record, target, [], !this.directory.governed);

    const doc = this.space(target);
    const at = this.stamp();
    const fields = record as unknown as Record<string, unknown>;
    if (APPEND_ONLY.has(collection)) {
      // A new id is appended (no pass over the log); only a replaced or once-deleted id needs writeRecord's pass.
      const inLog = logIndex(doc, collection).has(id);
      trackLogWrite(
        doc,
        collection,
        () =>
          this.transact(doc, 'importRecord', () => {
            if (inLog) writeRecord(doc, collection, fields);
            else {
              appendRecords(doc, collection, [fields]);
              // Deliberately re-created (e.g. moved back): lift the tombstone, as writeRecord does.
              const tombstones = doc.getMap(TOMBSTONES);
              if (tombstones.has(tombstoneKey(collection, id))) tombstones.delete(tombstoneKey(collection, id));
            }
          }),
        (entries) => entries.set(id, fields),
      );
      for (const from of elsewhere) {
        trackLogWrite(from.doc, collection, () => this.transact(from.doc, 'importRecord', () => deleteRecords(from.doc, collection, [id], this.me, at)), (entries) => entries.delete(id));
      }
    } else {
      const moving = elsewhere.map((from) => ({ from, ...this.dependentsOf(collection, id, from.doc) }));
      const liveHere = new Set(moving.length ? this.liveIds(doc, 'checkIns') : []);
      this.transact(doc, 'importRecord', () => {
        if (here) patchRecord(doc, collection, id, this.changedFields(here.record, fields));
        else writeRecord(doc, collection, fields);
        const tombstones = doc.getMap(TOMBSTONES);
        for (const { keyResults, checkIns } of moving) {
          for (const kr of keyResults) {
            if (hasRecord(doc, 'keyResults', kr.id as string)) continue;
            writeRecord(doc, 'keyResults', kr);
            carried.keyResults.push(kr.id as string);
          }
          const fresh = checkIns.filter((c) => !liveHere.has(c.id as string));
          for (const c of fresh) {
            tombstones.delete(tombstoneKey('checkIns', c.id as string));
            liveHere.add(c.id as string);
            carried.checkIns.push(c.id as string);
          }
          if (fresh.length) appendRecords(doc, 'checkIns', fresh);
        }
      });
      for (const { from, keyResults, checkIns } of moving) {
        this.transact(from.doc, 'importRecord', () => {
          deleteRecords(from.doc, 'checkIns', checkIns.map((c) => c.id as string), this.me, at);
          deleteRecords(from.doc, 'keyResults', keyResults.map((k) => k.id as string), this.me, at);
          deleteRecords(from.doc, collection, [id], this.me, at);
        });
      }
    }
    return { record, outcome: elsewhere.length ? 'moved' : here ? 'changed' : 'created', carried };
  }

  /**
   * A workspace over copies of this one's spaces, for the same person, clock and ids. Stage changes
   * there and carry its updates over, or drop it: nothing done to a fork reaches this workspace by itself.
   */
  fork(): Workspace {
    const spaces = new Map<SpaceId, Y.Doc>();
    for (const [id, doc] of this.spaces) {
      const copy = new Y.Doc({ gc: doc.gc });
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
      spaces.set(id, copy);
    }
    return new Workspace({ me: this.me, spaces, now: this.now, newId: this.newId });
  }

  /** Every live copy of a record, in space id order (normally none or one). */
  private copiesOf(collection: CollectionName, id: string): { space: SpaceId; doc: Y.Doc; record: Record<string, unknown> }[] {
    const out: { space: SpaceId; doc: Y.Doc; record: Record<string, unknown> }[] = [];
    for (const space of (this.order ??= [...this.spaces.keys()].sort())) {
      const doc = this.spaces.get(space)!;
      const record = APPEND_ONLY.has(collection) ? logIndex(doc, collection).get(id) : collectionMap(doc, collection).has(id) ? readRecord(doc, collection, id) : undefined;
      if (record && !isTombstoned(doc, collection, id)) out.push({ space, doc, record });
    }
    return out;
  }

  /** Live ids of a write-once collection in one space. */
  private liveIds(doc: Y.Doc, collection: CollectionName): string[] {
    return [...logIndex(doc, collection).keys()].filter((id) => !isTombstoned(doc, collection, id));
  }

  /** What moves with a record out of a space: an objective's key results and their check-ins, a key result's check-ins. */
  private dependentsOf(collection: CollectionName, id: string, doc: Y.Doc): { keyResults: Record<string, unknown>[]; checkIns: Record<string, unknown>[] } {
    const keyResults: Record<string, unknown>[] = [];
    if (collection === 'objectives') {
      for (const k of recordIds(doc, 'keyResults')) {
        const kr = readRecord(doc, 'keyResults', k);
        if (kr?.objectiveId === id) keyResults.push(kr);
      }
    } else if (collection !== 'keyResults') {
      return { keyResults, checkIns: [] };
    }
    const krIds = new Set(collection === 'keyResults' ? [id] : keyResults.map((k) => k.id as string));
    const checkIns: Record<string, unknown>[] = [];
    if (krIds.size) {
      for (const [cid, c] of logIndex(doc, 'checkIns')) if (krIds.has(c.keyResultId as string) && !isTombstoned(doc, 'checkIns', cid)) checkIns.push(c);
    }
    return { keyResults, checkIns };
  }

  /** Whether a stored record already is the given one (as stored, or once validated: defaults filled). */
  private storedAs(collection: CollectionName, stored: Record<string, unknown>, record: unknown): boolean {
    if (sameJson(stored, record)) return true;
    const parsed = z.safeParse(RECORD_SCHEMAS[collection] as z.ZodMiniType, stored);
    return parsed.success && sameJson(parsed.data, record);
  }

  /** The fields to patch so a stored record becomes `record` (`undefined`: remove the field). */
  private changedFields(stored: Record<string, unknown>, record: Record<string, unknown>): Record<string, unknown> {
    const changes: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(stored), ...Object.keys(record)])) if (!sameJson(stored[k], record[k])) changes[k] = record[k];
    return changes;
  }

  /** The reference checks of the commands, for a record written as given (`before`: its stored copy, if any). */
  private checkImported(collection: CollectionName, record: unknown, before: Record<string, unknown> | undefined): void {
    const changed = (field: string) => !before || !sameJson(before[field], (record as Record<string, unknown>)[field]);
    switch (collection) {
      case 'teams': {
        const t = record as Team;
        if (t.parentId !== undefined && changed('parentId')) {
          if (t.parentId === t.id) throw new CandorMutationError('a team cannot be its own parent', 'parentId');
          this.need('teams', t.parentId, 'parentId');
          const parentOf = (id: string) => (id === t.id ? t.parentId : (this.find('teams', id)?.record.parentId as string | undefined));
          const loop = findAlignmentCycle(parentOf, t.id);
          if (loop) throw new CandorMutationError(`teams would nest in a loop: ${loop.join(' → ')}`, 'parentId');
        }
        return;
      }
      case 'objectives': {
        const o = record as Objective;
        if (changed('cycleId')) this.need('cycles', o.cycleId, 'cycleId');
        if (o.parentId !== undefined && changed('parentId')) this.checkAlignment(o.id, o.parentId);
        return;
      }
      case 'keyResults': {
        const k = record as KeyResult;
        this.need('objectives', k.objectiveId, 'objectiveId');
        if (k.ownerId !== undefined && changed('ownerId') && this.knowsPeople() && !this.find('people', k.ownerId)) {
          throw new CandorMutationError(`no person with id "${k.ownerId}"`, 'ownerId');
        }
        return;
      }
      case 'checkIns': {
        const c = record as CheckIn;
        const kr = this.need('keyResults', c.keyResultId, 'keyResultId');
        this.checkValueFits((kr.record as KeyResult).metric, c);
        return;
      }
      case 'comments':
        this.needTarget((record as Comment).target);
        return;
      case 'kudos': {
        const k = record as Kudos;
        this.needTarget(k.target);
        k.toIds.forEach((id, i) => this.need('people', id, `toIds[${i}]`));
        return;
      }
      case 'reflections':
        this.need('objectives', (record as Reflection).objectiveId, 'objectiveId');
        return;
    }
  }

  // -------------------------------------------------------------------------------------------

  /** Applies a patch to a stored record, validates the result whole, and returns only the fields that change. */
  private patched<C extends CollectionName>(collection: C, current: RecordOf<C>, patch: Record<string, unknown>): { record: RecordOf<C>; changes: Record<string, unknown> } {
    if (patch === null || typeof patch !== 'object') throw new CandorMutationError('expected an object of fields to change');
    const merged: Record<string, unknown> = { ...(current as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete merged[k];
      else merged[k] = v;
    }
    const record = check(collection, merged);
    const changes: Record<string, unknown> = {};
    for (const k of Object.keys(patch)) changes[k] = (record as Record<string, unknown>)[k];
    return { record, changes };
  }

  /** The private space of this workspace's person (local-only). */
  get privateSpaceId(): SpaceId {
    return privateSpace(this.me);
  }
}

export type { SpaceId, SpaceIssue };
