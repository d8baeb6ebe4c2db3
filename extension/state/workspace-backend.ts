// The Backend on core/store: a Workspace persisted by core/store's IndexedDB layer, with change
// notifications from other pages. It exposes the Workspace's typed commands and nothing else that
// writes: every command resolves, once committed, with what the Workspace returned — the record as
// stored. Import, the sample and restore are `applyDocument` (core/store/apply.ts), built from them.
import * as Y from 'yjs';
import type { CollectionName } from '../../core/model/index.ts';
import { materialiseOne } from '../../core/store/materialise.ts';
import { Directory } from '../../core/rules/directory.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { applyDocument } from '../../core/store/apply.ts';
import { COMMANDS, type Backend, type Commands } from './backend.ts';
import { openPersistence, type Persistence } from './persistence.ts';

/** Who writes when nobody has said who they are yet (first run). Reading works; writes name this author. */
export const NOBODY = 'nobody';

/** How long a page waits before re-rendering for another page's change. */
export const REMOTE_DELAY_MS = 60;

export interface OpenBackendOptions {
  me?: string | undefined;
  /** The IndexedDB database: `candor` (default), or `candor-demo` for the demo organisation. */
  database?: string;
  /** The BroadcastChannel of that workspace's pages (default `candor`). */
  channel?: string;
  /** For tests: a persistence other than IndexedDB. */
  persistence?: Persistence;
}

export type WorkspaceBackend = Backend & Required<Pick<Backend, 'spaces' | 'ensureSpaces' | 'onSpaceAdded' | 'resetSpace' | 'backups' | 'backupDocument' | 'setMe' | 'persisted'>> & { workspace(): Workspace };

/** The write-once records of mine a space's copy holds, readable ones only (for {@link Backend.resetSpace}). */
function ownWriteOnce(space: string, doc: Y.Doc, me: string): { collection: CollectionName; record: Record<string, unknown> }[] {
  const out: { collection: CollectionName; record: Record<string, unknown> }[] = [];
  const { records } = materialiseOne(space, doc, Directory.personal());
  for (const collection of ['checkIns', 'reflections', 'comments', 'kudos'] as const) {
    const field = collection === 'kudos' ? 'fromId' : 'authorId';
    for (const r of records[collection] as unknown as Record<string, unknown>[]) if (r[field] === me) out.push({ collection, record: r });
  }
  return out;
}

/** Opens the workspace from storage. Each command resolves only once it is committed. */
export async function openBackend(options: OpenBackendOptions = {}): Promise<WorkspaceBackend> {
  const persistence =
    options.persistence ?? (await openPersistence({ ...(options.database ? { database: options.database } : {}), ...(options.channel ? { channel: options.channel } : {}) }));
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

  /** Runs one command on the current workspace; resolves with its result once it is committed. */
  async function write<T>(command: (ws: Workspace) => T): Promise<T> {
    writing++;
    try {
      const result = command(ws);
      await persistence.flush();
      return result;
    } finally {
      writing--;
    }
  }

  const commands = {} as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of COMMANDS) {
    commands[name] =
      name === 'applyDocument'
        ? (doc, options) => write((w) => applyDocument(w, doc, options as never))
        : (...args) => write((w) => (w[name] as (...a: unknown[]) => unknown).apply(w, args));
  }

  return {
    ...(commands as unknown as Commands),
    current: () => ws.document,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
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
    async resetSpace(id) {
      const old = ws.spaces.get(id);
      const mine = old ? ownWriteOnce(id, old, ws.me) : [];
      await persistence.dropSpace(id);
      const fresh = new Y.Doc();
      ws.removeSpace(id);
      ws.addSpace(id, fresh);
      old?.destroy();
      notify();
      return {
        doc: fresh,
        replay: () =>
          write((w) => {
            let n = 0;
            for (const { collection, record } of mine) {
              if (w.find(collection, record.id as string)) continue;
              try {
                w.importRecord(collection, record as never);
                n++;
              } catch {
                // The rule refuses it (the refused write itself, or one the server would refuse again): not rewritten.
              }
            }
            return n;
          }),
      };
    },
    backups: () => persistence.backups(),
    backupDocument: (id) => persistence.backupDocument(id),
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
    persisted: () => persistence.snapshot(),
    workspace: () => ws,
    close() {
      detach();
      ws.destroy();
      persistence.close();
    },
  };
}
