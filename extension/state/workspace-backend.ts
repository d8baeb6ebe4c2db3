// The Backend on core/store: a Workspace (typed, validated Yjs mutations) persisted by core/store's
// IndexedDB layer, with change notifications from other pages. The only extension file that knows
// how records map onto Workspace mutations.
import type * as Y from 'yjs';
import { Workspace } from '../../core/store/workspace.ts';
import { CandorMutationError, type CandorDocument, type CollectionName, type RecordOf } from '../../core/model/index.ts';
import type { Backend } from './backend.ts';
import { openPersistence, type Persistence } from './persistence.ts';

/** Who writes when nobody has said who they are yet (first run). Reading works; writes name this author. */
export const NOBODY = 'nobody';

/** How long a page waits before re-rendering for another page's change. */
export const REMOTE_DELAY_MS = 60;

const omit = <T extends object, K extends string>(o: T, ...keys: K[]): Omit<T, K> => {
  const out = { ...o } as Record<string, unknown>;
  for (const k of keys) delete out[k];
  return out as Omit<T, K>;
};

/** Maps "create or replace this record" onto the workspace's mutations (which validate first). */
export function putRecord<C extends CollectionName>(ws: Workspace, collection: C, record: RecordOf<C>): void {
  const r = record as Record<string, unknown> & { id: string };
  switch (collection) {
    case 'cycles': {
      if (ws.find('cycles', r.id)) ws.editCycle(r.id, omit(r, 'id'));
      else ws.createCycle(r as never);
      return;
    }
    case 'objectives': {
      const o = record as RecordOf<'objectives'>;
      const existing = ws.find('objectives', o.id)?.record;
      if (existing) {
        ws.editObjective(o.id, omit(o, 'id', 'createdAt', 'parentId', 'updatedAt') as never);
        if ((existing.parentId ?? null) !== (o.parentId ?? null)) ws.align(o.id, o.parentId ?? null);
      } else {
        ws.createObjective(omit(o, 'createdAt', 'updatedAt') as never);
      }
      return;
    }
    case 'keyResults': {
      const k = record as RecordOf<'keyResults'>;
      if (ws.find('keyResults', k.id)) ws.editKeyResult(k.id, omit(k, 'id', 'objectiveId') as never);
      else ws.addKeyResult(k.objectiveId, omit(k, 'objectiveId') as never);
      return;
    }
    case 'people':
      ws.upsertPerson(record as RecordOf<'people'>);
      return;
    case 'teams':
      ws.upsertTeam(record as RecordOf<'teams'>);
      return;
    case 'kudos': {
      const k = record as RecordOf<'kudos'>;
      ws.giveKudos({ target: k.target, toIds: k.toIds, message: k.message });
      return;
    }
    case 'reflections': {
      const x = record as RecordOf<'reflections'>;
      ws.reflect(x.objectiveId, { score: x.score, wentWell: x.wentWell, learned: x.learned, nextTime: x.nextTime });
      return;
    }
    case 'comments': {
      const c = record as RecordOf<'comments'>;
      ws.comment(c.target, c.text);
      return;
    }
    default:
      throw new CandorMutationError(`cannot write ${collection} this way`, 'collection');
  }
}

export function checkInRecord(ws: Workspace, c: RecordOf<'checkIns'>): void {
  ws.checkIn(c.keyResultId, {
    confidence: c.confidence,
    at: c.at,
    ...(c.value !== undefined ? { value: c.value } : {}),
    ...(c.milestonesDone !== undefined ? { milestonesDone: c.milestonesDone } : {}),
    ...(c.done !== undefined ? { done: c.done } : {}),
    ...(c.note ? { note: c.note } : {}),
    ...(c.blockers ? { blockers: c.blockers } : {}),
  });
}

export interface OpenBackendOptions {
  me?: string | undefined;
  /** For tests: a persistence other than IndexedDB. */
  persistence?: Persistence;
}

/** Opens the workspace from storage. Each write resolves only once it is committed. */
export async function openBackend(options: OpenBackendOptions = {}): Promise<Backend & { setMe(me: string): void; workspace(): Workspace }> {
  const persistence = options.persistence ?? (await openPersistence());
  const spaces = await persistence.load();
  let ws = new Workspace({ me: options.me ?? NOBODY, spaces });
  const listeners = new Set<() => void>();
  const spaceListeners = new Set<(id: string, doc: Y.Doc) => void>();
  let known = new Set(ws.spaces.keys());
  // Listeners re-materialise and re-score: run them in a task of their own, after the write that
  // caused them has committed, and once for a burst of updates.
  // Changes from other pages (a check-in in the popup) wait a little: the pages of an extension share
  // one main thread, and the page that wrote should commit first.
  let scheduled = false;
  let writing = 0;
  const notify = (local = true) => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(
      () => {
        scheduled = false;
        if (writing) return void notify();
        notifyNow();
      },
      local ? 0 : REMOTE_DELAY_MS,
    );
  };
  const notifyNow = () => {
    for (const [id, doc] of ws.spaces) {
      if (known.has(id)) continue;
      known.add(id);
      for (const fn of spaceListeners) fn(id, doc);
    }
    for (const fn of listeners) fn();
  };
  let detach = persistence.attach(ws, notify);

  async function write(fn: () => void): Promise<void> {
    writing++;
    try {
      fn();
      await persistence.flush();
    } finally {
      writing--;
    }
  }

  return {
    current: () => ws.document,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    put: (collection, record) => write(() => putRecord(ws, collection, record)),
    checkIn: (record) => write(() => checkInRecord(ws, record)),
    remove: (collection, id) => write(() => ws.delete(collection, id)),
    async importDocument(doc: CandorDocument) {
      writing++;
      try {
        await persistence.replaceWith(ws, doc);
      } finally {
        writing--;
      }
    },
    spaces: () => ws.spaces,
    ensureSpaces(ids) {
      let added = false;
      for (const id of ids) {
        if (ws.spaces.has(id)) continue;
        ws.space(id);
        added = true;
      }
      if (added) notify();
    },
    onSpaceAdded(listener) {
      spaceListeners.add(listener);
      return () => spaceListeners.delete(listener);
    },
    backups: () => persistence.backups(),
    restoreBackup: async (id) => {
      await persistence.restoreBackup(ws, id);
      notifyNow();
    },
    setMe(me: string) {
      if (me === ws.me) return;
      detach();
      const next = new Workspace({ me, spaces: new Map(ws.spaces) });
      ws.destroy();
      ws = next;
      known = new Set(ws.spaces.keys());
      detach = persistence.attach(ws, notify);
      notifyNow();
      // The first paint reads the snapshot kept under my id: write it now, not at the next change.
      void persistence.flush().catch(() => undefined);
    },
    workspace: () => ws,
    close() {
      detach();
      ws.destroy();
      persistence.close();
    },
  };
}
