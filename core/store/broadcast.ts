/**
 * Change notification between pages of the same origin (new tab, popup, options): every update a
 * page makes is posted on the `candor` BroadcastChannel with its space id; the other pages apply it
 * tagged {@link BROADCAST_ORIGIN}, so they neither post it again nor persist it a second time (the
 * sending page persists it). Works wherever BroadcastChannel exists (browsers, Node ≥ 18).
 */
import { BROADCAST_ORIGIN, STORAGE_ORIGIN } from './origins.ts';
import { parseSpaceId, type SpaceId } from './space.ts';
import type { Workspace } from './workspace.ts';

export const CHANNEL_NAME = 'candor';

export interface BroadcastMessage {
  type: 'candor-update';
  /** The person whose workspace sent it; other people's workspaces on the same origin ignore it. */
  me: string;
  /** The sending page, so it can ignore its own echo. */
  sender: string;
  space: SpaceId;
  update: Uint8Array;
}

export interface BroadcastLink {
  /** Stops sending and receiving. */
  close(): void;
}

const isMessage = (m: unknown): m is BroadcastMessage =>
  !!m && typeof m === 'object' && (m as BroadcastMessage).type === 'candor-update' && typeof (m as BroadcastMessage).space === 'string' && (m as BroadcastMessage).update instanceof Uint8Array &&
  parseSpaceId((m as BroadcastMessage).space) !== null;

/**
 * Connects a workspace to the other pages of this origin. `onRemoteChange` is called after an update
 * from another page was applied (e.g. to re-render). Returns a link to close.
 */
export function connectBroadcast(workspace: Workspace, options: { name?: string; onRemoteChange?: (space: SpaceId) => void } = {}): BroadcastLink {
  if (typeof BroadcastChannel === 'undefined') return { close() {} };
  const channel = new BroadcastChannel(options.name ?? CHANNEL_NAME);
  const sender = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const unsubscribe = workspace.subscribe((change) => {
    if (change.origin === BROADCAST_ORIGIN || change.origin === STORAGE_ORIGIN) return;
    const message: BroadcastMessage = { type: 'candor-update', me: workspace.me, sender, space: change.space, update: change.update };
    try {
      channel.postMessage(message);
    } catch {
      // A closed channel (page unloading) loses nothing: the update is in IndexedDB.
    }
  });
  channel.onmessage = (event: MessageEvent) => {
    const m: unknown = event.data;
    if (!isMessage(m) || m.sender === sender || m.me !== workspace.me) return;
    workspace.applyUpdate(m.space, m.update, BROADCAST_ORIGIN);
    options.onRemoteChange?.(m.space);
  };
  return {
    close() {
      unsubscribe();
      channel.onmessage = null;
      channel.close();
    },
  };
}
