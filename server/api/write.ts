/**
 * The HTTP write API's core: check-ins, comments, kudos and reflections written **through the core
 * `Workspace` commands**, over the server's live Y.Docs of the spaces the person may read, with the
 * person as `me`. Each command holds its record to the record rule (core/rules) with the person as the
 * writer and writes one Yjs transaction into the space the record belongs in; the live document's
 * update handlers then do what they do for a WebSocket update — the persistence extension appends it
 * to the SQLite update log (synchronously, so before the 201 is sent), Hocuspocus relays it to every
 * connected client and to Redis, and the views announce it on `/v1/events`. The accepted change is
 * recorded in the history (`SpaceStorage.appendHistory`, through the server's one resolver).
 *
 * The rule's directory is the server's (its config), the same one the WebSocket update check uses.
 */
import * as Y from 'yjs';
import {
  CandorFormatError,
  CandorMutationError,
  type CollectionName,
  type Objective,
  type RecordOf,
  type Target,
} from '../../core/model/index.ts';
import { Workspace, type WorkspaceOptions } from '../../core/store/workspace.ts';
import { hasRecord, readRecord } from '../../core/store/space.ts';
import type { RecordChange } from '../../core/store/update-check.ts';
import { mayReadSpace, maySeeObjective, mayRemove, objectiveOfTarget, type Directory, type RecordLookup, type SpaceId } from '../../core/rules/index.ts';
import type { Organisation } from '../policy.ts';
import { Problem, type FieldError } from './problem.ts';
import { WRITE_ROUTES, type CheckInBody, type CommentBody, type KudosBody, type ReflectionBody, type WriteRoute } from './schemas.ts';

/** A Workspace whose record rule reads the server's directory (its config), as the update check does. */
class ServerWorkspace extends Workspace {
  constructor(
    options: WorkspaceOptions,
    private readonly dir: Directory,
  ) {
    super(options);
  }

  override get directory(): Directory {
    return this.dir;
  }
}

export interface WriteDeps {
  org: Organisation;
  /** The live document of a space (every space of the organisation is loaded). */
  doc: (space: SpaceId) => Y.Doc | undefined;
  /** Every live space. */
  spaces: () => Iterable<[SpaceId, Y.Doc]>;
  /** Records accepted changes in the history, as for WebSocket updates. */
  recordHistory: (space: SpaceId, person: string, changes: RecordChange[]) => void;
  now?: () => Date;
}

const TARGET_COLLECTION: Partial<Record<Target['kind'], CollectionName>> = {
  objective: 'objectives',
  keyResult: 'keyResults',
  checkIn: 'checkIns',
  reflection: 'reflections',
};

/** Record fields the server fills (or the rule names) that a body cannot name: errors about them name what the body referred to. */
const FILLED = new Set(['', 'id', 'authorId', 'fromId', 'at']);

export class WriteApi {
  private readonly readable = new Map<string, SpaceId[]>();

  constructor(private readonly deps: WriteDeps) {}

  /** The spaces a person may read (and so write records into, as the rule allows), cached: the config does not change. */
  private spacesOf(person: string): SpaceId[] {
    let out = this.readable.get(person);
    if (!out) this.readable.set(person, (out = this.deps.org.spacesOf(person).map((s) => s.space)));
    return out;
  }

  private workspace(person: string, extra: SpaceId[] = []): ServerWorkspace {
    const spaces = new Map<SpaceId, Y.Doc>();
    for (const space of [...this.spacesOf(person), ...extra]) {
      const doc = this.deps.doc(space);
      if (doc) spaces.set(space, doc);
    }
    return new ServerWorkspace({ me: person, spaces, ...(this.deps.now ? { now: this.deps.now } : {}) }, this.deps.org.directory);
  }

  /** The space holding a record, among every live space. */
  private locate(collection: CollectionName, id: string): { space: SpaceId; doc: Y.Doc } | undefined {
    if (typeof id !== 'string' || !id) return undefined;
    for (const [space, doc] of this.deps.spaces()) if (hasRecord(doc, collection, id)) return { space, doc };
    return undefined;
  }

  /**
   * A space outside the person's readable ones that holds what the body refers to, when the person may
   * see it (a public objective in the space of someone who is not their teammate, which they may
   * comment on; a key result they own there). What they may not see stays unknown to them.
   */
  private extraSpace(route: WriteRoute, person: string, body: Record<string, unknown>): SpaceId[] {
    const dir = this.deps.org.directory;
    const readable = new Set(this.spacesOf(person));
    let collection: CollectionName | undefined;
    let id: unknown;
    if (route === 'check-ins') [collection, id] = ['keyResults', body.keyResultId];
    else if (route === 'reflections') [collection, id] = ['objectives', body.objectiveId];
    else {
      const target = body.target as Target;
      collection = TARGET_COLLECTION[target.kind];
      id = target.id;
    }
    if (!collection || typeof id !== 'string') return [];
    for (const space of readable) {
      const doc = this.deps.doc(space);
      if (doc && hasRecord(doc, collection, id)) return [];
    }
    const found = this.locate(collection, id);
    if (!found) return [];
    const get = <C extends CollectionName>(c: C, rid: string) => readRecord(found.doc, c, rid) as RecordOf<C> | undefined;
    const here: RecordLookup = {
      objective: (x) => get('objectives', x),
      keyResult: (x) => get('keyResults', x),
      checkIn: (x) => get('checkIns', x),
      reflection: (x) => get('reflections', x),
    };
    const objectiveId =
      collection === 'objectives' ? id : collection === 'keyResults' ? here.keyResult(id)?.objectiveId : objectiveOfTarget(body.target as Target, here);
    const objective = objectiveId === undefined ? undefined : (here.objective(objectiveId) as Objective | undefined);
    return objective && maySeeObjective(dir, person, objective) ? [found.space] : [];
  }

  /** Writes one record through the Workspace command for `route`; returns it and the space it went into. Throws {@link Problem}. */
  create(route: WriteRoute, person: string, body: CheckInBody | CommentBody | KudosBody | ReflectionBody): { record: Record<string, unknown>; space: SpaceId } {
    const { collection } = WRITE_ROUTES[route];
    const ws = this.workspace(person, this.extraSpace(route, person, body as Record<string, unknown>));
    const touched = new Set<SpaceId>();
    const off = ws.subscribe((change) => {
      if (change.local) touched.add(change.space);
    });
    let record: Record<string, unknown>;
    try {
      record = this.command(ws, route, body);
    } catch (e) {
      throw problemOf(e, route);
    } finally {
      off();
      ws.destroy();
    }
    const [space, ...more] = touched;
    if (!space || more.length || this.deps.doc(space) !== ws.spaces.get(space)) {
      // A command writes one record into one live space; anything else is a bug, said so loudly.
      throw new Problem('internal', `the ${WRITE_ROUTES[route].singular} was not written into one live space (${[...touched].join(', ') || 'none'})`);
    }
    this.deps.recordHistory(space, person, [{ collection, id: record.id as string, kind: 'add', after: record }]);
    return { record, space };
  }

  private command(ws: Workspace, route: WriteRoute, body: CheckInBody | CommentBody | KudosBody | ReflectionBody): Record<string, unknown> {
    switch (route) {
      case 'check-ins': {
        const { keyResultId, ...input } = body as CheckInBody;
        return ws.checkIn(keyResultId, input);
      }
      case 'comments': {
        const b = body as CommentBody;
        return ws.comment(b.target, b.text);
      }
      case 'kudos': {
        const b = body as KudosBody;
        return ws.giveKudos({ target: b.target, toIds: b.toIds, ...(b.message !== undefined ? { message: b.message } : {}) });
      }
      case 'reflections': {
        const { objectiveId, ...input } = body as ReflectionBody;
        return ws.reflect(objectiveId, input);
      }
    }
  }

  /** Withdraws a check-in or comment: its author only. Throws {@link Problem}. */
  withdraw(route: WriteRoute, person: string, id: string): { record: Record<string, unknown>; space: SpaceId } {
    const { collection, singular } = WRITE_ROUTES[route];
    const dir = this.deps.org.directory;
    const found = this.locate(collection, id);
    const record = found ? readRecord(found.doc, collection, id) : undefined;
    const mayRead = found && mayReadSpace(dir, person, found.space);
    const isAuthor = record?.authorId === person;
    if (!found || !record || (!mayRead && !isAuthor)) throw new Problem('not-found', `no ${singular} with id "${id}" that you may see`);
    const verdict = mayRemove(collection, record, { space: found.space, dir, writer: person });
    if (!verdict.ok) throw new Problem('not-author', `${verdict.message}`, [{ path: 'id', message: verdict.message }]);
    const ws = this.workspace(person, [found.space]);
    try {
      ws.delete(collection, id);
    } catch (e) {
      throw problemOf(e, route);
    } finally {
      ws.destroy();
    }
    this.deps.recordHistory(found.space, person, [{ collection, id, kind: 'remove', before: record }]);
    return { record, space: found.space };
  }
}

/** The body field an error is about: the record's own field, or, for what the server fills, what the body referred to. */
function bodyPath(path: string, route: WriteRoute): string {
  return FILLED.has(path) ? WRITE_ROUTES[route].reference : path;
}

/** A Workspace refusal as a problem: the rule's refusals are 403, the rest 422; every error names a field. */
export function problemOf(e: unknown, route: WriteRoute): Problem {
  if (e instanceof Problem) return e;
  const what = WRITE_ROUTES[route].singular;
  if (e instanceof CandorFormatError) {
    const errors: FieldError[] = e.issues.map((i) => ({ path: bodyPath(i.path, route), message: i.message }));
    return new Problem('invalid-record', `the ${what} is not valid: ${e.message}`, errors);
  }
  if (e instanceof CandorMutationError) {
    const message = e.path && e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message;
    const errors = [{ path: bodyPath(e.path, route), message }];
    return e.refusedBy === 'rule' ? new Problem('forbidden', `the ${what} was not written: ${message}`, errors) : new Problem('invalid-record', `the ${what} was not written: ${message}`, errors);
  }
  throw e;
}
