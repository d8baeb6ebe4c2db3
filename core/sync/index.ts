/**
 * Connects a set of spaces (Y.Docs) to a Candor team server (Hocuspocus) over one WebSocket, and
 * reports one status: 'connecting' | 'synced' | 'offline' | 'error', with a reason.
 *
 * Works in browsers and in Node (pass `WebSocketPolyfill: WebSocket` from `ws`). No signals library:
 * `subscribe(listener)` is enough to wrap it in whichever one the app uses. Edits made while offline
 * stay in the Y.Docs and merge on reconnect (Yjs does the merging). `private:` spaces are never sent.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import type * as Y from 'yjs';
import { companySpace, membersSpace, personSpace, teamSpace, type SpaceId } from '../rules/spaces.ts';

export type SyncState = 'connecting' | 'synced' | 'offline' | 'error';

export interface SpaceSyncStatus {
  space: SpaceId;
  /** What the server granted: 'read-write', 'read-only', or not yet known. */
  access: 'read-write' | 'read-only' | 'unknown' | 'refused';
  /** The first full exchange with the server has happened since the last (re)connect. */
  synced: boolean;
  /** Local changes the server has not acknowledged yet (read-write spaces). */
  unsynced: number;
  /** Why the server refused or closed this space. */
  error?: string;
}

export interface SyncStatus {
  state: SyncState;
  /** A sentence for people: why offline or in error, or what is pending. */
  reason?: string;
  spaces: SpaceSyncStatus[];
  /** When every space last reached 'synced', ms since epoch. */
  lastSyncedAt?: number;
}

export interface ConnectSpacesOptions {
  /** `ws://host:8787` or `wss://…` (an `http(s)://` URL is turned into `ws(s)://`). */
  url: string;
  /** The person's token (or JWT), sent in the provider's authentication message. */
  token: string | (() => string | Promise<string>);
  spaces: Map<SpaceId, Y.Doc> | Iterable<[SpaceId, Y.Doc]>;
  /** `WebSocket` from the `ws` package in Node; browsers have their own. */
  WebSocketPolyfill?: unknown;
  /**
   * The server refused an update to a space (`reason` says which record and why, in words for people).
   * Nothing of it was stored or relayed; the space's connection is closed. Reload the space from the
   * server (e.g. `add(space, new Y.Doc())` after dropping the local copy) to resync.
   */
  onRefused?: (space: SpaceId, reason: string) => void;
  /** Reconnect delay bounds, ms. Defaults 1000 and 30000. */
  minDelay?: number;
  maxDelay?: number;
}

export interface SpaceConnection {
  readonly status: SyncStatus;
  /** Calls `listener` with every new status (not the current one); returns the unsubscribe. */
  subscribe(listener: (status: SyncStatus) => void): () => void;
  /** Starts syncing another space over the same connection. */
  add(space: SpaceId, doc: Y.Doc): void;
  /** Stops syncing a space (the Y.Doc is left as it is). */
  remove(space: SpaceId): void;
  /** Resolves once every read-write space has no unacknowledged change (rejects after `timeoutMs`). */
  flushed(timeoutMs?: number): Promise<void>;
  /** Resolves at the next 'synced' status (now if synced); rejects on timeout. */
  whenSynced(timeoutMs?: number): Promise<void>;
  /** Closes the connection; the Y.Docs are untouched. */
  destroy(): void;
}

interface Entry {
  provider: HocuspocusProvider;
  status: SpaceSyncStatus;
}

/** Refusals about one space that leave the others syncing (as worded by {@link describeRefusal}). */
const NOT_SHARED = /^not allowed|^unknown-space|^private-space/;
/** An update the server refused (see the server's update check): that space stops, the others go on. */
const REFUSED = /^refused by the server/;

export function toWebSocketUrl(url: string): string {
  return url.replace(/^http(s?):\/\//i, 'ws$1://').replace(/\/+$/, '');
}

/** Connects spaces to a Candor team server. See {@link SpaceConnection}. */
export function connectSpaces(options: ConnectSpacesOptions): SpaceConnection {
  const listeners = new Set<(s: SyncStatus) => void>();
  const entries = new Map<SpaceId, Entry>();
  let socketState: 'connecting' | 'connected' | 'disconnected' = 'connecting';
  let socketReason: string | undefined;
  let everConnected = false;
  let destroyed = false;
  let lastSyncedAt: number | undefined;
  let status: SyncStatus = { state: 'connecting', spaces: [] };
  let scheduled = false;

  const socket = new HocuspocusProviderWebsocket({
    url: toWebSocketUrl(options.url),
    ...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
    delay: options.minDelay ?? 1000,
    minDelay: options.minDelay ?? 1000,
    maxDelay: options.maxDelay ?? 30_000,
    factor: 2,
    maxAttempts: 0,
  });
  socket.on('status', ({ status: s }: { status: string }) => {
    socketState = s === 'connected' ? 'connected' : s === 'connecting' ? 'connecting' : 'disconnected';
    if (s === 'connected') {
      everConnected = true;
      socketReason = undefined;
    }
    update();
  });
  socket.on('disconnect', ({ event }: { event?: { code?: number; reason?: string } }) => {
    socketState = 'disconnected';
    socketReason = everConnected ? 'connection to the server lost; retrying' : 'cannot reach the server; retrying';
    if (event?.reason) socketReason += ` (${event.reason})`;
    update();
  });

  function compute(): SyncStatus {
    const spaces = [...entries.values()].map((e) => ({ ...e.status }));
    const refused = spaces.filter((s) => s.error);
    // A space the server does not share with this person (not a teammate's, a members-only team) is
    // reported on that space but does not make the whole connection an error: the rest syncs.
    const fatal = refused.filter((s) => !(NOT_SHARED.test(s.error!) || REFUSED.test(s.error!)) || (refused.length === spaces.length && !REFUSED.test(s.error!)));
    const notShared = refused.filter((s) => !fatal.includes(s) && NOT_SHARED.test(s.error!));
    const writesRefused = refused.filter((s) => REFUSED.test(s.error!));
    let state: SyncState;
    let reason: string | undefined;
    if (fatal.length) {
      state = 'error';
      reason = fatal.map((s) => `${s.space}: ${s.error}`).join('; ');
    } else if (socketState === 'disconnected') {
      state = 'offline';
      reason = socketReason ?? 'offline';
    } else if (socketState === 'connecting' && !everConnected) {
      state = 'connecting';
      reason = 'connecting to the server';
    } else if (socketState !== 'connected') {
      state = 'offline';
      reason = socketReason ?? 'reconnecting';
    } else {
      const waiting = spaces.filter((s) => !s.synced && !s.error);
      const pending = spaces.filter((s) => s.access === 'read-write' && s.unsynced > 0);
      if (waiting.length) {
        state = 'connecting';
        reason = `syncing ${waiting.length} space${waiting.length === 1 ? '' : 's'}`;
      } else if (pending.length) {
        state = 'connecting';
        reason = `sending changes in ${pending.map((s) => s.space).join(', ')}`;
      } else {
        state = 'synced';
        lastSyncedAt = Date.now();
        if (notShared.length) reason = `not shared with you: ${notShared.map((s) => s.space).join(', ')}`;
        if (writesRefused.length) reason = writesRefused.map((s) => `${s.space}: ${s.error}`).join('; ');
      }
    }
    return { state, ...(reason ? { reason } : {}), spaces, ...(lastSyncedAt ? { lastSyncedAt } : {}) };
  }

  function update(): void {
    if (destroyed || scheduled) return;
    scheduled = true;
    // Many provider events arrive in one tick; tell listeners once.
    queueMicrotask(() => {
      scheduled = false;
      if (destroyed) return;
      const next = compute();
      const same =
        next.state === status.state &&
        next.reason === status.reason &&
        JSON.stringify(next.spaces) === JSON.stringify(status.spaces);
      status = next;
      if (!same) for (const l of [...listeners]) l(status);
    });
  }

  function add(space: SpaceId, doc: Y.Doc): void {
    if (destroyed) throw new Error('this connection was destroyed');
    if (space.startsWith('private:')) return; // local-only, never synced
    if (entries.has(space)) remove(space);
    const entry: Entry = {
      status: { space, access: 'unknown', synced: false, unsynced: 0 },
      provider: new HocuspocusProvider({
        websocketProvider: socket,
        name: space,
        document: doc,
        token: options.token as string | (() => string),
        // Awareness stays on: its renewals every 15 s are the messages the provider's liveness check
        // waits for; without them an idle connection is dropped and reopened every 30 s.
      }),
    };
    const p = entry.provider;
    p.on('authenticated', ({ scope }: { scope: string }) => {
      entry.status.access = scope === 'read-write' ? 'read-write' : 'read-only';
      delete entry.status.error;
      update();
    });
    p.on('authenticationFailed', ({ reason }: { reason: string }) => {
      entry.status.access = 'refused';
      entry.status.error = describeRefusal(reason);
      update();
    });
    p.on('synced', () => {
      entry.status.synced = true;
      update();
    });
    p.on('unsyncedChanges', ({ number }: { number: number }) => {
      entry.status.unsynced = number;
      update();
    });
    p.on('close', ({ event }: { event?: { reason?: string } }) => {
      entry.status.synced = false;
      // The server closed this one space (a limit, a refused update) while the socket stays open.
      if (event?.reason && socketState === 'connected' && !/Server closed the connection|shutting down/.test(event.reason)) {
        entry.status.error = describeRefusal(event.reason);
        if (/^refused:/.test(event.reason)) options.onRefused?.(space, entry.status.error);
      }
      update();
    });
    p.on('disconnect', () => {
      entry.status.synced = false;
      update();
    });
    entries.set(space, entry);
    p.attach();
    update();
  }

  function remove(space: SpaceId): void {
    const entry = entries.get(space);
    if (!entry) return;
    entries.delete(space);
    entry.provider.destroy();
    update();
  }

  function waitFor(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let unsubscribe: () => void = () => {};
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`${what} did not happen within ${timeoutMs} ms (status: ${status.state}${status.reason ? `, ${status.reason}` : ''})`));
      }, timeoutMs);
      unsubscribe = connection.subscribe(() => {
        if (!test()) return;
        clearTimeout(timer);
        unsubscribe();
        resolve();
      });
    });
  }

  const connection: SpaceConnection = {
    get status() {
      return status;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    add,
    remove,
    flushed(timeoutMs = 10_000) {
      const clean = () =>
        [...entries.values()].every((e) => e.status.access !== 'read-write' || (e.provider.unsyncedChanges === 0 && e.status.synced));
      const known = () => [...entries.values()].every((e) => e.status.access !== 'unknown');
      return waitFor(() => socketState === 'connected' && known() && clean(), timeoutMs, 'flushing changes to the server');
    },
    whenSynced(timeoutMs = 10_000) {
      return waitFor(() => status.state === 'synced', timeoutMs, 'syncing');
    },
    destroy() {
      if (destroyed) return;
      for (const e of entries.values()) e.provider.destroy();
      entries.clear();
      // `ws` (Node) reports closing a socket that is still connecting as an 'error' event after the
      // provider has removed its listeners, which would crash the process; browsers do not.
      const raw = (socket as unknown as { webSocket?: { on?: (e: string, f: () => void) => void } }).webSocket;
      raw?.on?.('error', () => {});
      socket.destroy();
      destroyed = true;
      listeners.clear();
    },
  };

  for (const [space, doc] of options.spaces) add(space, doc);
  return connection;
}

/** The server's refusal codes (`forbidden: …`, `invalid-token: …`) as sentences people can act on. */
export function describeRefusal(reason: string): string {
  const code = reason.split(':')[0]!.trim();
  const detail = reason.slice(code.length + 1).trim();
  switch (code) {
    case 'invalid-token':
    case 'no-token':
    case 'token-expired':
      return `the server did not accept your token${detail ? ` (${detail})` : ''}; check it in the options`;
    case 'forbidden':
      return `not allowed${detail ? `: ${detail}` : ''}`;
    case 'rate-limited':
      return `too many connections; ${detail || 'try again in a minute'}`;
    case 'refused':
      return `refused by the server: ${detail}`;
    default:
      return reason || 'the server refused this space';
  }
}

/**
 * The spaces a person syncs with a team server: their own, their teams' (public and members-only),
 * the company's (the people, teams and cycles), and their teammates'. `people` is the organisation's people list
 * (`document.people`).
 */
export function spacesToSync(me: string, people: readonly { id: string; teamIds: readonly string[] }[]): SpaceId[] {
  const mine = people.find((p) => p.id === me);
  const teams = new Set(mine?.teamIds ?? []);
  const out = new Set<SpaceId>([companySpace(), personSpace(me)]);
  for (const t of teams) {
    out.add(teamSpace(t));
    out.add(membersSpace(t)); // the team's team-visible objectives, for its members only
  }
  for (const p of people) if (p.id !== me && p.teamIds.some((t) => teams.has(t))) out.add(personSpace(p.id));
  return [...out];
}
