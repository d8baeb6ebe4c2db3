/**
 * The record rule: which space each record belongs in, who may read and write each space, who may
 * see each record, and whether a record, in a given space, written by a given person, is admissible.
 * One copy, used by `materialise` (extension, server, CLI), the server's update check, its HTTP view
 * and its write API. See core/store/README.md, "Spaces and the record rule".
 */
import type { CheckIn, CollectionName, KeyResult, Objective, RecordOf, Reflection, Target } from '../model/index.ts';
import type { Directory } from './directory.ts';
import { companySpace, membersSpace, parseSpaceId, personSpace, privateSpace, teamSpace, type SpaceId } from './spaces.ts';

/** A person id, or `null` for an anonymous reader (intranet mode). */
export type Viewer = string | null;

/** A refusal: the field (relative to the record) and a sentence that says why. */
export type Verdict = { ok: true } | { ok: false; path: string; message: string };
const OK: Verdict = { ok: true };
const no = (path: string, message: string): Verdict => ({ ok: false, path, message });

/** Size limits every record is held to, beyond its schema's own bounds. */
export const RECORD_LIMITS = {
  /** A record's JSON text, bytes (UTF-16 code units). */
  recordBytes: 64 * 1024,
  /** Fields the schema does not know (kept, never dropped) together, as JSON. */
  unknownBytes: 4 * 1024,
} as const;

// ---------------------------------------------------------------------------------------------
// Placement

type ObjectiveLike = Pick<Objective, 'owner' | 'visibility'>;

/** The space an objective belongs in, by owner and visibility. Private objectives stay with `me`. */
export function homeOfObjective(o: ObjectiveLike, me?: string): SpaceId {
  if (o.visibility === 'private') {
    const who = me ?? (o.owner.kind === 'person' ? o.owner.id : undefined);
    if (!who) throw new RangeError('a private objective needs a person to keep it');
    return privateSpace(who);
  }
  switch (o.owner.kind) {
    case 'person':
      return personSpace(o.owner.id);
    case 'team':
      return o.visibility === 'team' ? membersSpace(o.owner.id) : teamSpace(o.owner.id);
    default:
      return companySpace();
  }
}

/** Finds the records placement depends on (in a workspace, a document, or one space). */
export interface RecordLookup {
  objective(id: string): ObjectiveLike | undefined;
  keyResult(id: string): Pick<KeyResult, 'objectiveId'> | undefined;
  checkIn?(id: string): Pick<CheckIn, 'keyResultId'> | undefined;
  reflection?(id: string): Pick<Reflection, 'objectiveId'> | undefined;
}

/** The objective a target hangs off, or `undefined` for people and teams (or when not found). */
export function objectiveOfTarget(target: Target, find: RecordLookup): string | undefined {
  switch (target.kind) {
    case 'objective':
      return target.id;
    case 'keyResult':
      return find.keyResult(target.id)?.objectiveId;
    case 'checkIn': {
      const c = find.checkIn?.(target.id);
      return c ? find.keyResult(c.keyResultId)?.objectiveId : undefined;
    }
    case 'reflection':
      return find.reflection?.(target.id)?.objectiveId;
    default:
      return undefined;
  }
}

/**
 * The space a record belongs in: an objective by owner and visibility; a key result, check-in or
 * reflection beside its objective; a comment or kudos beside its target (a person → `company`, a
 * team → `team:<id>`); people, teams and cycles in `company`. Throws a `RangeError` naming what it
 * could not find.
 */
export function homeSpace<C extends CollectionName>(collection: C, record: RecordOf<C>, find: RecordLookup, me?: string): SpaceId {
  const objectiveHome = (id: string, what: string): SpaceId => {
    const o = find.objective(id);
    if (!o) throw new RangeError(`no ${what} with id "${id}"`);
    return homeOfObjective(o, me);
  };
  switch (collection) {
    case 'people':
    case 'teams':
    case 'cycles':
      return companySpace();
    case 'objectives':
      return homeOfObjective(record as Objective, me);
    case 'keyResults':
      return objectiveHome((record as KeyResult).objectiveId, 'objective');
    case 'checkIns': {
      const kr = find.keyResult((record as CheckIn).keyResultId);
      if (!kr) throw new RangeError(`no key result with id "${(record as CheckIn).keyResultId}"`);
      return objectiveHome(kr.objectiveId, 'objective');
    }
    case 'reflections':
      return objectiveHome((record as Reflection).objectiveId, 'objective');
    case 'comments':
    case 'kudos': {
      const target = (record as { target: Target }).target;
      if (target.kind === 'person') return companySpace();
      if (target.kind === 'team') return teamSpace(target.id);
      const objectiveId = objectiveOfTarget(target, find);
      if (objectiveId === undefined) throw new RangeError(`no ${target.kind} with id "${target.id}"`);
      return objectiveHome(objectiveId, 'objective');
    }
    default:
      throw new RangeError(`unknown collection "${String(collection)}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading and writing spaces

/** Whether a person may read a space (over the WebSocket: the whole space). */
export function mayReadSpace(dir: Directory, person: string, space: SpaceId): boolean {
  const parsed = parseSpaceId(space);
  if (!parsed || !dir.isPerson(person)) return false;
  switch (parsed.kind) {
    case 'company':
      return true;
    case 'team':
      return dir.isTeam(parsed.id!) && (!dir.isMembersOnly(parsed.id!) || dir.isMember(person, parsed.id!));
    case 'members':
      return dir.isTeam(parsed.id!) && dir.isMember(person, parsed.id!);
    case 'person':
      return dir.isPerson(parsed.id!) && dir.areTeammates(person, parsed.id!);
    case 'private':
      return parsed.id === person;
  }
}

/**
 * Whether a person is one of a space's writers: those who create and edit its objectives, key results
 * (and people, teams and cycles in `company`), check in on its key results and reflect on its
 * objectives. Anyone who may see a record may also comment on it and give kudos for it.
 */
export function isWriterOf(dir: Directory, person: string, space: SpaceId): boolean {
  const parsed = parseSpaceId(space);
  if (!parsed || !dir.isPerson(person)) return false;
  switch (parsed.kind) {
    case 'company':
      return dir.isAdmin(person);
    case 'team':
    case 'members':
      return dir.isTeam(parsed.id!) && dir.isMember(person, parsed.id!);
    case 'person':
    case 'private':
      return !dir.governed || parsed.id === person;
  }
}

/**
 * Whether a person *was* one of a space's writers: a member of its team who has since left. Readers
 * keep what such a person wrote there while a member (the server checked it when it was written);
 * new writes need {@link isWriterOf}.
 */
export function wasWriterOf(dir: Directory, person: string, space: SpaceId): boolean {
  const parsed = parseSpaceId(space);
  return !!parsed && (parsed.kind === 'team' || parsed.kind === 'members') && dir.wasMember(person, parsed.id!);
}

/** Whether a viewer may see an objective (and so everything that hangs off it). */
export function maySeeObjective(dir: Directory, viewer: Viewer, o: ObjectiveLike): boolean {
  // A personal workspace (no server) is its person's: everything in it is theirs to read.
  if (!dir.governed) return viewer !== null || o.visibility === 'public';
  if (o.visibility === 'private') return viewer !== null && o.owner.kind === 'person' && o.owner.id === viewer;
  const membersOnly = o.owner.kind === 'team' && dir.isMembersOnly(o.owner.id);
  if (viewer === null) return o.visibility === 'public' && !membersOnly;
  if (!dir.isPerson(viewer)) return false;
  if (membersOnly) return dir.isMember(viewer, o.owner.id);
  if (o.visibility === 'public') return true;
  if (o.owner.kind === 'person') return dir.areTeammates(viewer, o.owner.id);
  if (o.owner.kind === 'team') return dir.isMember(viewer, o.owner.id);
  return true; // the company's team is everyone
}

/** Whether a viewer may see what a comment or kudos is about. */
export function maySeeTarget(dir: Directory, viewer: Viewer, target: Target, find: RecordLookup): boolean {
  if (target.kind === 'person') return viewer !== null && dir.isPerson(target.id);
  if (target.kind === 'team') return viewer !== null && dir.isTeam(target.id) && (!dir.isMembersOnly(target.id) || dir.isMember(viewer, target.id));
  const objectiveId = objectiveOfTarget(target, find);
  const o = objectiveId === undefined ? undefined : find.objective(objectiveId);
  return o !== undefined && maySeeObjective(dir, viewer, o);
}

// ---------------------------------------------------------------------------------------------
// Admissibility

export interface AdmissibleContext {
  /** The space the record sits in. */
  space: SpaceId;
  dir: Directory;
  /** The records of that same space (references resolve only there: what hangs off a record lives beside it). */
  here: RecordLookup;
  /**
   * Who is writing it, when known (the server knows the connection's person). Readers that relay
   * what a server accepted leave it out: the record's author fields are then checked instead.
   */
  writer?: string;
  /** The record's JSON size, when the caller already knows it is within the limits (fast paths). */
  sizeChecked?: boolean;
}

const KNOWN_KEYS: Record<CollectionName, ReadonlySet<string>> = {
  people: new Set(['id', 'name', 'email', 'teamIds', 'formerTeamIds', 'timeZone', 'cadence']),
  teams: new Set(['id', 'name', 'parentId', 'leadIds', 'visibility']),
  cycles: new Set(['id', 'name', 'start', 'end']),
  objectives: new Set(['id', 'cycleId', 'title', 'description', 'owner', 'parentId', 'type', 'visibility', 'state', 'rollup', 'order', 'createdAt', 'updatedAt']),
  keyResults: new Set(['id', 'objectiveId', 'title', 'ownerId', 'weight', 'order', 'metric']),
  checkIns: new Set(['id', 'keyResultId', 'authorId', 'at', 'value', 'milestonesDone', 'done', 'confidence', 'note', 'blockers']),
  comments: new Set(['id', 'target', 'authorId', 'at', 'text']),
  kudos: new Set(['id', 'target', 'fromId', 'toIds', 'at', 'message']),
  reflections: new Set(['id', 'objectiveId', 'authorId', 'at', 'score', 'wentWell', 'learned', 'nextTime']),
};

/** The author field of a write-once record (`authorId`, or `fromId` for kudos); none for the others. */
export function authorField(collection: CollectionName): 'authorId' | 'fromId' | undefined {
  if (collection === 'kudos') return 'fromId';
  if (collection === 'checkIns' || collection === 'comments' || collection === 'reflections') return 'authorId';
  return undefined;
}

/** The size limits: the record's JSON and its unknown top-level fields. */
export function checkSize(collection: CollectionName, record: object): Verdict {
  const json = JSON.stringify(record);
  if (json.length > RECORD_LIMITS.recordBytes) {
    return no('', `is ${Math.ceil(json.length / 1024)} kB; a record may be at most ${RECORD_LIMITS.recordBytes / 1024} kB`);
  }
  const known = KNOWN_KEYS[collection];
  let unknown = 0;
  for (const [k, v] of Object.entries(record)) if (!known.has(k)) unknown += k.length + JSON.stringify(v ?? null).length + 4;
  if (unknown > RECORD_LIMITS.unknownBytes) {
    return no('', `carries ${Math.ceil(unknown / 1024)} kB of fields Candor does not know; at most ${RECORD_LIMITS.unknownBytes / 1024} kB are kept`);
  }
  return OK;
}

/**
 * Whether a record (already valid against its schema) is admissible in `ctx.space`: it belongs there,
 * its author fields are honest, its writer may write it there, and it is within the size limits.
 * A refusal names the field and says why, in words a person understands.
 */
export function admissible<C extends CollectionName>(collection: C, record: RecordOf<C>, ctx: AdmissibleContext): Verdict {
  const { space, dir, here, writer } = ctx;
  const parsed = parseSpaceId(space);
  if (!parsed) return no('', `"${space}" is not a Candor space`);
  if (!ctx.sizeChecked) {
    const size = checkSize(collection, record);
    if (!size.ok) return size;
  }
  const r = record as Record<string, unknown>;
  const field = authorField(collection);
  const author = field ? (r[field] as string) : writer;
  if (field && writer !== undefined && author !== writer) return no(field, `"${author}" is not you ("${writer}"); what you write carries your name`);

  switch (collection) {
    case 'people':
    case 'teams':
    case 'cycles': {
      if (parsed.kind !== 'company') return no('', `${collection === 'people' ? 'people' : collection} belong in the company space, not "${space}"`);
      if (writer !== undefined && !dir.isAdmin(writer)) return no('', `only the organisation's admins change ${collection}`);
      return OK;
    }
    case 'objectives': {
      const o = record as Objective;
      if (o.visibility === 'private') {
        if (parsed.kind !== 'private') return no('visibility', 'a private objective stays in its owner\'s browser; it cannot be shared');
        if (dir.governed && o.owner.kind === 'person' && o.owner.id !== parsed.id) return no('owner', `a private objective of "${o.owner.id}" cannot sit in "${space}"`);
        return OK;
      }
      const home = homeOfObjective(o);
      if (home !== space) return no('owner', `an objective owned by ${o.owner.kind} "${o.owner.id}" with visibility "${o.visibility}" belongs in "${home}", not "${space}"`);
      if (writer !== undefined && !isWriterOf(dir, writer, space)) return no('owner', `you may not write objectives in "${space}"`);
      return OK;
    }
    case 'keyResults': {
      const k = record as KeyResult;
      if (!here.objective(k.objectiveId)) return no('objectiveId', `objective "${k.objectiveId}" is not in "${space}"; a key result lives beside its objective`);
      if (writer !== undefined && !isWriterOf(dir, writer, space)) return no('', `you may not write key results in "${space}"`);
      if (k.ownerId !== undefined && dir.governed && !dir.isPerson(k.ownerId)) return no('ownerId', `no person "${k.ownerId}" in this organisation`);
      return OK;
    }
    case 'checkIns': {
      const c = record as CheckIn;
      const kr = here.keyResult(c.keyResultId) as (Pick<KeyResult, 'objectiveId'> & { ownerId?: string }) | undefined;
      if (!kr) return no('keyResultId', `key result "${c.keyResultId}" is not in "${space}"; a check-in lives beside its key result`);
      if (isWriterOf(dir, author!, space) || (writer === undefined && wasWriterOf(dir, author!, space))) return OK;
      const o = here.objective(kr.objectiveId);
      if (kr.ownerId === author && o && maySeeObjective(dir, author!, o)) return OK;
      return no('authorId', `"${author}" may not check in on key result "${c.keyResultId}": it is not theirs or their team's`);
    }
    case 'reflections': {
      const x = record as Reflection;
      if (!here.objective(x.objectiveId)) return no('objectiveId', `objective "${x.objectiveId}" is not in "${space}"; a reflection lives beside its objective`);
      if (!isWriterOf(dir, author!, space) && !(writer === undefined && wasWriterOf(dir, author!, space))) return no('authorId', `"${author}" may not reflect on objective "${x.objectiveId}": reflections are its owners'`);
      return OK;
    }
    case 'comments':
    case 'kudos': {
      const target = r.target as Target;
      if (target.kind === 'person') {
        if (parsed.kind !== 'company') return no('target', `what is said about a person belongs in the company space, not "${space}"`);
        if (!dir.isPerson(target.id)) return no('target.id', `no person "${target.id}" in this organisation`);
      } else if (target.kind === 'team') {
        if (space !== teamSpace(target.id)) return no('target', `what is said about team "${target.id}" belongs in "${teamSpace(target.id)}", not "${space}"`);
        if (!dir.isTeam(target.id)) return no('target.id', `no team "${target.id}" in this organisation`);
      } else if (objectiveOfTarget(target, here) === undefined || !here.objective(objectiveOfTarget(target, here)!)) {
        return no('target', `${target.kind} "${target.id}" is not in "${space}"; what is said about a record lives beside it, read by exactly its audience`);
      }
      if (!maySeeTarget(dir, author!, target, here) && !(writer === undefined && wasWriterOf(dir, author!, space))) return no(field!, `"${author}" may not see the ${target.kind} this is about`);
      if (collection === 'kudos') {
        const toIds = (record as RecordOf<'kudos'>).toIds;
        for (let i = 0; i < toIds.length; i++) if (!dir.isPerson(toIds[i]!)) return no(`toIds[${i}]`, `no person "${toIds[i]}" in this organisation`);
      }
      return OK;
    }
    default:
      return no('', `unknown collection "${String(collection)}"`);
  }
}

/**
 * Whether `writer` may remove a record from a space (a tombstone, or deleting it). Field-level records:
 * the space's writers. Write-once records: their author — or the space's writers when what it hangs off
 * goes too (`parentGone`).
 */
export function mayRemove(collection: CollectionName, record: Record<string, unknown> | undefined, ctx: { space: SpaceId; dir: Directory; writer: string; parentGone?: boolean }): Verdict {
  const field = authorField(collection);
  if (!field) {
    if (collection === 'people' || collection === 'teams' || collection === 'cycles') {
      return ctx.dir.isAdmin(ctx.writer) ? OK : no('', `only the organisation's admins remove ${collection}`);
    }
    return isWriterOf(ctx.dir, ctx.writer, ctx.space) ? OK : no('', `you may not remove ${collection} from "${ctx.space}"`);
  }
  if (record && record[field] === ctx.writer) return OK;
  if (ctx.parentGone && isWriterOf(ctx.dir, ctx.writer, ctx.space)) return OK;
  return no(field, `only its author${record ? ` ("${String(record[field])}")` : ''} may withdraw it`);
}
