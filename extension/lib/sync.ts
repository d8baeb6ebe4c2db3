// Team server sync from the open pages (new tab, options): my spaces sync both ways, teammates'
// spaces are read; offline edits stay in the Yjs spaces and merge on reconnect. Never in the demo. The Hocuspocus
// client (core/sync) is loaded only when a server is configured.
import type { AppState, SyncState } from '../state/app-state.ts';
import type { ServerSettings } from './settings.ts';
import type { SpaceConnection, SyncStatus } from '../../core/sync/index.ts';
import { effect } from '@preact/signals';

let connection: SpaceConnection | null = null;
let stopStatus: (() => void) | null = null;
let stopSpaces: (() => void) | null = null;

export function toSyncState(status: SyncStatus): SyncState {
  switch (status.state) {
    case 'synced':
      return { state: 'synced' };
    case 'connecting':
      return { state: 'connecting' };
    case 'offline':
      return status.reason ? { state: 'offline', reason: status.reason } : { state: 'offline' };
    case 'error':
      return { state: 'error', reason: status.reason ?? 'the server refused the connection' };
  }
}

/** Connects the workspace's spaces to the configured server (no-op without one). */
export async function startSync(state: AppState): Promise<void> {
  stopSync();
  const server = state.settings.value.server;
  // The demo organisation never syncs: the server and my workspace are left exactly as they were.
  if (!server || !state.backend.spaces || state.demo.value) {
    state.sync.value = { state: 'local' };
    return;
  }
  state.sync.value = { state: 'connecting' };
  try {
    const { connectSpaces, spacesToSync } = await import('../../core/sync/index.ts');
    // My space, my teams', my teammates' and the company's: created empty here, filled by the server.
    const wanted = () => (state.me.value ? spacesToSync(state.me.value, state.document.value.people) : ['company']);
    state.backend.ensureSpaces?.(wanted());
    const initial = new Map(state.backend.spaces());
    const synced = new Set(initial.keys());
    const resetting = new Set<string>();
    const conn: SpaceConnection = connectSpaces({
      url: server.url,
      token: server.token,
      spaces: initial,
      // The server refused a write to this space: say why, reload it from the server, and write again
      // what of mine it did not get (through the commands, so what it refused stays refused).
      onRefused: (space, reason) => {
        state.refusal.value = { space, reason, at: Date.now() };
        if (resetting.has(space) || !state.backend.resetSpace) return;
        resetting.add(space);
        void (async () => {
          try {
            const { doc, replay } = await state.backend.resetSpace!(space);
            conn.add(space, doc);
            await conn.whenSynced(15_000).catch(() => undefined);
            await replay();
          } finally {
            resetting.delete(space);
          }
        })();
      },
    });
    connection = conn;
    stopStatus = conn.subscribe((s) => (state.sync.value = toSyncState(s)));
    // Spaces that appear later (the people list arrives, a new team, a first objective) join the same connection.
    const stopAdded = state.backend.onSpaceAdded?.((id, doc) => {
      if (synced.has(id)) return;
      synced.add(id);
      conn.add(id, doc);
    });
    const stopWanted = effect(() => state.backend.ensureSpaces?.(wanted()));
    stopSpaces = () => {
      stopAdded?.();
      stopWanted();
    };
  } catch (e) {
    state.sync.value = { state: 'error', reason: (e as Error).message };
  }
}

export function stopSync(): void {
  stopStatus?.();
  stopSpaces?.();
  connection?.destroy();
  connection = stopStatus = stopSpaces = null;
}

export async function connectServer(state: AppState, server: ServerSettings): Promise<void> {
  await state.actions.persistSettings({ ...state.settings.value, server });
  await startSync(state);
}

export async function disconnectServer(state: AppState): Promise<void> {
  stopSync();
  const { server: _drop, ...rest } = state.settings.value;
  await state.actions.persistSettings(rest);
  state.sync.value = { state: 'local' };
}
