/**
 * Limits on what a WebSocket may send and hold:
 *
 * - **Update size**: the first `beforeHandleMessage`, so nothing else reads an update this server will
 *   not take (`update-too-large: …` closes that space's connection). The WebSocket's `maxPayload` is a
 *   little above it ({@link maxPayloadFor}), so a frame far over the limit is refused before it is
 *   buffered.
 * - **Sign-in timeout**: a socket that has not signed in to any space within `limits.authTimeoutMs`
 *   is closed (4408 `auth-timeout: …`).
 * - **Pre-authentication bytes**: until a space is signed in, Hocuspocus' `ClientConnection` queues
 *   every message for it (`incomingMessageQueue`), and after a refusal it queues them forever, unread.
 *   This extension wraps each socket's message delivery (no patch of Hocuspocus): bytes for spaces not
 *   open yet count against `limits.preAuthBytes` per socket and are released when the space opens;
 *   messages for a refused space are dropped (Hocuspocus would never read them). Over the budget, a
 *   socket with a sign-in under way is paused (TCP backpressure: the bytes wait in the client) until
 *   the sign-in brings it back under; otherwise — or if it stays over — it is closed (1008
 *   `pre-auth-limit: …`).
 */
import type { IncomingMessage } from 'node:http';
import type { beforeHandleMessagePayload, connectedPayload, Extension, onDisconnectPayload } from '@hocuspocus/server';
import type WebSocket from 'ws';
import type { WebSocketServer } from 'ws';
import type { ServerConfig } from '../config.ts';

/** An error Hocuspocus turns into closing that space's connection with this code and reason. */
export const closeError = (code: number, reason: string) => Object.assign(new Error(reason), { code, reason });

/**
 * The WebSocket's largest frame: a quarter above the update limit (plus room for the space name and
 * framing), so an update somewhat over the limit still meets the clear `update-too-large` error, and
 * one far over it is refused by `ws` (1009) before it is buffered whole.
 */
export function maxPayloadFor(limits: Pick<ServerConfig['limits'], 'maxUpdateBytes'>): number {
  return Math.ceil(limits.maxUpdateBytes * 1.25) + 4096;
}

const AUTH = 2;
const AUTH_TOKEN = 0;

/** The space a Hocuspocus message is for, its type and (for Auth) subtype; undefined if malformed. */
export function peekMessage(data: Uint8Array): { space: string; type: number; sub: number } | undefined {
  let i = 0;
  const varUint = (): number | undefined => {
    let n = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (i >= data.length) return undefined;
      const b = data[i++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
    return undefined;
  };
  const len = varUint();
  if (len === undefined || i + len > data.length) return undefined;
  const space = Buffer.from(data.buffer, data.byteOffset + i, len).toString('utf8');
  i += len;
  const type = varUint();
  if (type === undefined) return undefined;
  return { space, type, sub: type === AUTH ? (varUint() ?? -1) : -1 };
}

/** What one socket holds before its spaces are open. */
interface Guard {
  ws: WebSocket;
  emit: (event: string | symbol, ...args: unknown[]) => boolean;
  socketId?: string;
  /** Spaces with a Hocuspocus connection on this socket: their messages pass untouched. */
  open: Set<string>;
  /** Spaces whose sign-in is under way. */
  signingIn: Set<string>;
  /** Spaces refused on this socket: Hocuspocus queues their messages forever, unread; dropped here. */
  refused: Set<string>;
  /** Bytes handed to Hocuspocus for each space not open yet (it holds them in its queue). */
  pending: Map<string, number>;
  /** The size of each sign-in message under way (held until its check is done, not queued). */
  tokenBytes: Map<string, number>;
  held: number;
  /** Messages waiting while the socket is paused (over budget with a sign-in under way). */
  backlog: Buffer[];
  backlogBytes: number;
  pausedTimer?: NodeJS.Timeout;
  /** Messages already counted (Hocuspocus replays its queue through the same `emit`). */
  counted: WeakSet<object>;
  signedIn: boolean;
  closed: boolean;
  timer?: NodeJS.Timeout;
}

export class LimitsExtension implements Extension {
  readonly extensionName = 'candor-limits';
  private readonly byRequest = new WeakMap<IncomingMessage, Guard>();
  private readonly bySocketId = new Map<string, Guard>();
  private readonly guards = new Set<Guard>();

  constructor(private readonly limits: ServerConfig['limits']) {}

  /** Guards every socket of this WebSocket server (call once, before it accepts connections). */
  attach(wss: WebSocketServer): void {
    wss.prependListener('connection', (ws: WebSocket, request: IncomingMessage) => this.guard(ws, request));
  }

  /** Sockets not signed in yet, and the bytes held for spaces not open, over every socket. */
  stats(): { sockets: number; bytes: number } {
    let sockets = 0;
    let bytes = 0;
    for (const g of this.guards) {
      if (g.closed) continue;
      if (!g.signedIn) sockets++;
      bytes += g.held + g.backlogBytes;
    }
    return { sockets, bytes };
  }

  private guard(ws: WebSocket, request: IncomingMessage): void {
    const emit = ws.emit.bind(ws) as Guard['emit'];
    const g: Guard = {
      ws,
      emit,
      open: new Set(),
      signingIn: new Set(),
      refused: new Set(),
      pending: new Map(),
      tokenBytes: new Map(),
      held: 0,
      backlog: [],
      backlogBytes: 0,
      counted: new WeakSet(),
      signedIn: false,
      closed: false,
    };
    this.byRequest.set(request, g);
    this.guards.add(g);
    const seconds = Math.round(this.limits.authTimeoutMs / 100) / 10;
    g.timer = setTimeout(() => {
      if (!g.signedIn) this.close(g, 4408, `auth-timeout: not signed in within ${seconds} s`);
    }, this.limits.authTimeoutMs);
    // Every message `ws` delivers goes through `emit`: Hocuspocus' ClientConnection listens to it,
    // and replays its queue through it once a space is open.
    ws.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'message' && !this.admit(g, args[0])) return false;
      return emit(event, ...args);
    }) as typeof ws.emit;
    ws.once('close', () => {
      this.release(g);
      this.guards.delete(g);
      if (g.socketId) this.bySocketId.delete(g.socketId);
    });
  }

  /** Whether a message goes on to Hocuspocus now. */
  private admit(g: Guard, data: unknown): boolean {
    if (g.closed) return false;
    if (!(data instanceof Uint8Array)) return true; // not ours to judge; Hocuspocus refuses it
    if (g.counted.has(data)) return true; // Hocuspocus replaying what it queued
    const message = peekMessage(data);
    if (!message) return true; // malformed: Hocuspocus closes the socket
    if (g.open.has(message.space)) return true;
    if (g.refused.has(message.space)) return false;
    if (g.backlog.length) return this.hold(g, data as Buffer); // keep the order
    return this.count(g, data as Buffer, message);
  }

  /** What may wait while paused: what `ws` had read before the pause took effect (a read is ≤ 64 kB). */
  private get maxBacklog(): number {
    return Math.max(4 * this.limits.preAuthBytes, 128 * 1024);
  }

  private count(g: Guard, data: Buffer, message: { space: string; type: number; sub: number }): boolean {
    const budget = this.limits.preAuthBytes;
    if (g.held + data.byteLength > budget) {
      if (g.signingIn.size > 0) return this.hold(g, data);
      this.close(g, 1008, `pre-auth-limit: over ${budget} bytes sent for spaces not signed in to`);
      return false;
    }
    if (message.type === AUTH && message.sub === AUTH_TOKEN && !g.signingIn.has(message.space)) {
      g.signingIn.add(message.space);
      g.tokenBytes.set(message.space, data.byteLength);
    }
    g.held += data.byteLength;
    g.pending.set(message.space, (g.pending.get(message.space) ?? 0) + data.byteLength);
    g.counted.add(data);
    return true;
  }

  /** Over budget while a sign-in is under way: stop reading until it is done. */
  private hold(g: Guard, data: Buffer): boolean {
    g.backlog.push(data);
    g.backlogBytes += data.byteLength;
    if (g.backlogBytes > this.maxBacklog) {
      this.close(g, 1008, `pre-auth-limit: over ${this.limits.preAuthBytes} bytes sent for spaces not signed in to`);
      return false;
    }
    if (!g.ws.isPaused) {
      g.ws.pause();
      // A sign-in that never finishes must not keep the socket paused (and its bytes held) for ever.
      g.pausedTimer = setTimeout(() => this.close(g, 1008, `pre-auth-limit: over ${this.limits.preAuthBytes} bytes sent for spaces not signed in to`), this.limits.authTimeoutMs);
    }
    return false;
  }

  /** A sign-in finished (a space opened or was refused): pass on what waited, or close if still over. */
  private drain(g: Guard): void {
    if (g.closed) return;
    while (g.backlog.length) {
      const data = g.backlog[0]!;
      const message = peekMessage(data)!;
      const free = g.open.has(message.space) || g.refused.has(message.space);
      if (!free && g.held + data.byteLength > this.limits.preAuthBytes) {
        if (g.signingIn.size > 0) return; // still waiting for a sign-in
        this.close(g, 1008, `pre-auth-limit: over ${this.limits.preAuthBytes} bytes sent for spaces not signed in to`);
        return;
      }
      g.backlog.shift();
      g.backlogBytes -= data.byteLength;
      if (!free) this.count(g, data, message);
      if (!g.refused.has(message.space)) g.emit('message', data, true);
      if (g.closed) return;
    }
    clearTimeout(g.pausedTimer);
    if (g.ws.isPaused) g.ws.resume();
  }

  private close(g: Guard, code: number, reason: string): void {
    if (g.closed) return;
    g.closed = true;
    this.release(g);
    g.ws.close(code, reason);
    if (g.ws.isPaused) g.ws.resume(); // read the peer's close frame; anything else it sends is dropped
    // A peer that does not answer the close frame is cut off rather than held for ws' 30 s.
    setTimeout(() => g.ws.terminate(), 2000).unref();
  }

  private release(g: Guard): void {
    clearTimeout(g.timer);
    clearTimeout(g.pausedTimer);
    g.pending.clear();
    g.tokenBytes.clear();
    g.held = 0;
    g.backlog = [];
    g.backlogBytes = 0;
  }

  /** A space was refused on the socket of `request` (told by the authentication extension). */
  refused(request: IncomingMessage, space: string): void {
    const g = this.byRequest.get(request);
    if (!g) return;
    g.refused.add(space);
    g.signingIn.delete(space);
    // Hocuspocus dropped the sign-in message; what it queued for the space stays (it never frees it
    // while the socket lives), so it keeps counting.
    const token = g.tokenBytes.get(space) ?? 0;
    g.tokenBytes.delete(space);
    g.held -= token;
    g.pending.set(space, (g.pending.get(space) ?? token) - token);
    queueMicrotask(() => this.drain(g));
  }

  async connected({ request, socketId, documentName }: connectedPayload): Promise<void> {
    const g = this.byRequest.get(request);
    if (!g) return;
    g.socketId = socketId;
    this.bySocketId.set(socketId, g);
    g.open.add(documentName);
    g.signingIn.delete(documentName);
    g.tokenBytes.delete(documentName);
    g.held -= g.pending.get(documentName) ?? 0;
    g.pending.delete(documentName);
    if (!g.signedIn) {
      g.signedIn = true;
      clearTimeout(g.timer);
    }
    this.drain(g);
  }

  async onDisconnect({ socketId, documentName }: onDisconnectPayload): Promise<void> {
    // Hocuspocus forgets the space on this socket: a new sign-in to it starts afresh.
    this.bySocketId.get(socketId)?.open.delete(documentName);
  }

  async beforeHandleMessage({ update, documentName }: beforeHandleMessagePayload): Promise<void> {
    const max = this.limits.maxUpdateBytes;
    if (update.byteLength > max) {
      throw closeError(4413, `update-too-large: an update to "${documentName}" of ${update.byteLength} bytes is over this server's limit of ${max} bytes; it was not stored`);
    }
  }
}
