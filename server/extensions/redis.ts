/**
 * Scale-out through Redis that survives Redis failing. Wraps `@hocuspocus/extension-redis` (its wire
 * format and sync protocol: on every change an instance publishes its state vector, SyncStep1, and
 * peers answer with what it lacks and ask for what they lack) and makes every part of it that talks
 * to Redis safe to fail:
 *
 * - **Publishing never rejects.** The upstream extension returns (or drops) the promise of each
 *   `PUBLISH`; with Redis gone those rejected later with `MaxRetriesPerRequestError` and, unhandled,
 *   ended the process. Here the publisher's `publish` is wrapped: while the connection is not ready a
 *   message is dropped at once (counted), and a failure is recorded, never thrown. Nothing is queued
 *   for a Redis that is away (`enableOfflineQueue: false`), so nothing floods it when it returns.
 * - **Subscribing waits for a ready connection.** `SUBSCRIBE` is allowed before ioredis' ready check
 *   finishes; sent then, the connection switched to subscriber mode under the check, which failed with
 *   "Connection in subscriber mode, only subscriber commands may be used": the start failed, or the
 *   subscription was silently lost in the reconnect that followed. Here a subscription is sent only on
 *   a ready connection; otherwise it is made at the next resynchronisation.
 * - **Incoming messages** are handled behind a catch (a bad message is logged, not fatal).
 * - **Healing.** Whenever both connections are ready again after a loss (or the publisher failed in
 *   between), every loaded space is subscribed again and its SyncStep1 published, so the instances
 *   exchange what each missed — writes made on either side during an outage reach everyone, with no
 *   edit or restart. The last instance to reconnect triggers the exchange with all that already had.
 * - **Hook order.** This extension runs after Candor's own hooks (priority below the default), and its
 *   hooks never reject: Hocuspocus runs the hooks of one name as one promise chain, so a Redis publish
 *   ahead of the views used to hold back — and, once it failed, skip — Candor's own change handling.
 * - **No Redis lock around storing.** The upstream `onStoreDocument` takes a Redlock so that only one
 *   instance stores a document; with Redis down that threw, and with one SQLite file per instance it
 *   kept an instance from compacting its own file. Candor's compaction merges (never overwrites), so
 *   those hooks are not used.
 * - **Liveness.** Each connection is PINGed every `pingMs`; one that does not answer in time (a Redis
 *   frozen, a network gone quiet) is dropped and reconnected, so the state is reported truthfully.
 *
 * `health()` is what `/healthz` reports: `connecting` (never connected yet), `connected`,
 * `reconnecting` (lost less than `downAfterMs` ago), `down` (longer), with since when.
 */
import type {
  afterLoadDocumentPayload,
  afterUnloadDocumentPayload,
  beforeBroadcastStatelessPayload,
  beforeUnloadDocumentPayload,
  Extension,
  onAwarenessUpdatePayload,
  onChangePayload,
  onConfigurePayload,
} from '@hocuspocus/server';
import { Redis, type RedisInstance } from '@hocuspocus/extension-redis';

/** The transaction origin of changes applied from Redis (Hocuspocus itself tests for this string). */
export const RELAY_ORIGIN = '__hocuspocus__redis__origin__';

export type RedisState = 'connecting' | 'connected' | 'reconnecting' | 'down';

export interface RedisHealth {
  state: RedisState;
  /** When the current state began: connected at, or lost at (first tried at, if never connected). */
  since: string;
  /** Seconds in the current state. */
  seconds: number;
  /** `host:port` (never the password). */
  address: string;
  /** The last error either connection reported, while not connected. */
  lastError?: string;
  /** Other instances that received this instance's last message (seen when it published). */
  peers?: number;
  /** Times every loaded space was resynchronised after a reconnect. */
  resyncs: number;
  lastResyncAt?: string;
  /** Messages not published because Redis was unreachable (a resync covers them). */
  dropped: number;
}

export interface RedisRelayOptions {
  /** `redis://[user:pass@]host:port` (`rediss://` for TLS) */
  url: string;
  /** Namespace of the channels. Default `candor`. */
  prefix?: string;
  /** Longest wait between reconnection attempts, ms. Default 1000. */
  retryMaxMs?: number;
  /** How often each connection is PINGed, and how long an answer may take, ms. Default 5000. */
  pingMs?: number;
  /** After how long a lost connection is reported `down` rather than `reconnecting`, ms. Default 5000. */
  downAfterMs?: number;
  log?: (line: string) => void;
}

type Publish = (channel: string | Buffer, message: string | Buffer) => Promise<number>;
type Subscribe = (...args: unknown[]) => Promise<unknown>;

export class RedisRelay implements Extension {
  readonly extensionName = 'candor-redis';
  /** Below Hocuspocus' default (100): after the update check, persistence and views. */
  readonly priority = 10;
  readonly inner: Redis;
  readonly address: string;
  private readonly pub: RedisInstance;
  private readonly sub: RedisInstance;
  private readonly log: (line: string) => void;
  private readonly pingMs: number;
  private readonly downAfterMs: number;
  /** The spaces loaded (or loading) here: what a resynchronisation subscribes and announces. */
  private readonly loaded = new Map<string, afterLoadDocumentPayload['document']>();
  private linked = false;
  private everConnected = false;
  private stateSince = Date.now();
  private lastError: string | undefined;
  private peers: number | undefined;
  private resyncs = 0;
  private lastResyncAt: number | undefined;
  private dropped = 0;
  private failures = 0;
  private lastFailureLog = 0;
  private lastDownLog = 0;
  private resyncTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  /** Connections that missed a PING and are being replaced. */
  private readonly unanswered = new Set<RedisInstance>();
  private destroyed = false;
  /** start() saying what it waits for, at the first error. */
  private onWaitError: (() => void) | undefined;
  /** start() waiting for the first connection. */
  private readonly waiters = new Set<(connected: boolean) => void>();

  constructor(options: RedisRelayOptions) {
    const url = new URL(options.url);
    const host = url.hostname || '127.0.0.1';
    const port = Number(url.port || 6379);
    this.address = `${host}:${port}`;
    this.log = options.log ?? ((line) => console.log(line));
    this.pingMs = options.pingMs ?? 5000;
    this.downAfterMs = options.downAfterMs ?? 5000;
    const retryMaxMs = options.retryMaxMs ?? 1000;
    this.inner = new Redis({
      host,
      port,
      prefix: options.prefix ?? 'candor',
      disconnectDelay: 200,
      options: {
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        ...(url.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
        // Connected by start(), so a server can be built without touching the network.
        lazyConnect: true,
        // Nothing waits in a queue for a Redis that is away: a publish fails at once (and is counted),
        // a subscription is made at the next resynchronisation.
        enableOfflineQueue: false,
        maxRetriesPerRequest: null,
        // Subscriptions are made again by the resynchronisation, after the connection is ready.
        autoResubscribe: false,
        // Never give up reconnecting; back off to at most retryMaxMs.
        retryStrategy: (times: number) => Math.min(50 * times, retryMaxMs),
        connectTimeout: Math.max(1000, this.pingMs),
        keepAlive: 10_000,
      },
    });
    this.pub = this.inner.pub;
    this.sub = this.inner.sub;
    this.guard();
  }

  /** Wraps what the upstream extension calls on its clients, and follows their state. */
  private guard(): void {
    const pub = this.pub;
    const sub = this.sub;
    const publish = pub.publish.bind(pub) as unknown as Publish;
    (pub as unknown as { publish: Publish }).publish = (channel, message) => {
      if (pub.status !== 'ready') {
        this.dropped++;
        return Promise.resolve(0);
      }
      return publish(channel, message).then(
        (receivers) => {
          this.peers = Math.max(0, Number(receivers) - 1); // our own subscriber receives it too
          return receivers;
        },
        (e: unknown) => {
          this.dropped++;
          this.failed('publish', e);
          return 0;
        },
      );
    };
    for (const name of ['subscribe', 'unsubscribe'] as const) {
      const original = (sub[name] as unknown as Subscribe).bind(sub);
      (sub as unknown as Record<string, Subscribe>)[name] = (...args: unknown[]) => {
        const given = typeof args[args.length - 1] === 'function' ? (args.pop() as (error: unknown, count?: unknown) => unknown) : undefined;
        // The upstream callback is async (it publishes the first sync step): its rejection is ours to catch.
        const callback = (count: unknown) => void Promise.resolve(given?.(null, count)).catch((e: unknown) => this.failed(name, e));
        // Not ready: nothing to do now (a new connection starts with no subscriptions; the
        // resynchronisation subscribes every loaded space once it is ready).
        const sent = sub.status === 'ready' ? original(...args) : Promise.resolve(0);
        return sent.then(
          (count) => {
            callback(count);
            return count;
          },
          (e: unknown) => {
            this.failed(name, e);
            callback(0);
            return 0;
          },
        );
      };
    }
    // The upstream handler is async: whatever it throws becomes a rejection nobody handles.
    for (const listener of sub.listeners('messageBuffer') as ((channel: Buffer, data: Buffer) => unknown)[]) {
      sub.off('messageBuffer', listener);
      sub.on('messageBuffer', (channel: Buffer, data: Buffer) => {
        try {
          void Promise.resolve(listener(channel, data)).catch((e: unknown) => this.failed('incoming message', e));
        } catch (e) {
          this.failed('incoming message', e);
        }
      });
    }
    for (const [name, client] of [
      ['publisher', pub],
      ['subscriber', sub],
    ] as const) {
      client.on('error', (e: Error) => {
        this.lastError = `${name}: ${e.message || (e as { code?: string }).code || String(e)}`;
        this.onWaitError?.();
      });
      client.on('ready', () => {
        this.unanswered.delete(client);
        this.readyChanged();
      });
      client.on('close', () => this.readyChanged());
      client.on('end', () => this.readyChanged());
    }
  }

  /** Called on every connection event: notices the moments both become ready, and the losses. */
  private readyChanged(): void {
    if (this.destroyed) return;
    const both = this.pub.status === 'ready' && this.sub.status === 'ready';
    if (both === this.linked) return;
    const now = Date.now();
    const spaces = this.loaded.size;
    if (both) {
      const away = this.everConnected ? ` after ${((now - this.stateSince) / 1000).toFixed(1)} s away` : '';
      const resync = spaces ? `; resynchronising ${spaces} space${spaces === 1 ? '' : 's'} with the other instances` : '';
      this.log(`redis: connected to ${this.address}${away}${resync}`);
      this.linked = true;
      this.everConnected = true;
      this.stateSince = now;
      this.lastError = undefined;
      for (const w of [...this.waiters]) w(true);
      void this.resync();
    } else {
      this.linked = false;
      this.stateSince = now;
      this.lastDownLog = now;
      clearTimeout(this.resyncTimer);
      this.log(
        `redis: lost the connection to ${this.address} (${this.lastError ?? 'connection closed'}); this instance keeps serving its own clients, ` +
          'stores every acknowledged write in SQLite, and resynchronises with the other instances when Redis is back',
      );
    }
  }

  /** Subscribes every loaded space again and publishes its SyncStep1, so peers answer with what it lacks. */
  private async resync(): Promise<void> {
    if (!this.linked || this.loaded.size === 0) return;
    this.resyncs++;
    this.lastResyncAt = Date.now();
    await Promise.all(
      [...this.loaded].map(([documentName, document]) =>
        // The upstream afterLoadDocument: SUBSCRIBE, then SyncStep1 and an awareness query.
        within(this.inner.afterLoadDocument({ documentName, document } as afterLoadDocumentPayload), this.pingMs).catch((e: unknown) => this.failed('resync', e)),
      ),
    );
  }

  /** A resynchronisation soon (debounced), for when a message may have been lost while connected. */
  private resyncSoon(): void {
    if (!this.linked || this.destroyed || this.resyncTimer) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      void this.resync();
    }, 1000);
    this.resyncTimer.unref();
  }

  private failed(what: string, e: unknown): void {
    this.failures++;
    const message = e instanceof Error ? e.message : String(e);
    if (!this.linked) return; // expected while Redis is away; the loss is reported once
    this.lastError = `${what}: ${message}`;
    this.resyncSoon();
    const now = Date.now();
    if (now - this.lastFailureLog > 10_000) {
      this.lastFailureLog = now;
      this.log(`redis: ${what} failed (${message}); resynchronising every space shortly (${this.failures} failures so far)`);
    }
  }

  /** PINGs both connections; drops one that does not answer in time, so it reconnects. */
  private ping(): void {
    const now = Date.now();
    if (!this.linked && now - this.lastDownLog >= 30_000) {
      this.lastDownLog = now;
      this.log(`redis: still no connection to ${this.address} after ${Math.round((now - this.stateSince) / 1000)} s${this.lastError ? ` (${this.lastError})` : ''}; retrying`);
    }
    for (const [name, client] of [
      ['publisher', this.pub],
      ['subscriber', this.sub],
    ] as const) {
      if (client.status !== 'ready' || this.unanswered.has(client)) continue;
      within(client.ping(), this.pingMs).catch((e: unknown) => {
        if (this.destroyed || client.status !== 'ready' || this.unanswered.has(client)) return;
        this.unanswered.add(client); // until it is ready again
        this.lastError = `${name}: no answer to PING within ${this.pingMs} ms (${e instanceof Error ? e.message : String(e)})`;
        this.log(`redis: the ${name} connection to ${this.address} did not answer a PING within ${this.pingMs} ms; reconnecting`);
        // Closed at once (ioredis' own disconnect waits for the other side to close, which a frozen
        // Redis never does), so the loss is noticed and reconnection begins now.
        const stream = (client as { stream?: { destroy(): void } }).stream;
        if (stream) stream.destroy();
        else client.disconnect(true);
      });
    }
  }

  /**
   * Connects, and waits up to `waitMs` for Redis (logging what it waits for). Resolves true once
   * connected, false if it gave up waiting — the instance then starts alone and heals later.
   */
  async start(waitMs: number): Promise<boolean> {
    this.stateSince = Date.now();
    this.lastDownLog = Date.now() + waitMs; // while start() waits, it says so itself
    this.pingTimer = setInterval(() => this.ping(), this.pingMs);
    this.pingTimer.unref();
    for (const client of [this.pub, this.sub]) client.connect().catch(() => {});
    if (this.linked || waitMs <= 0) return this.linked;
    return new Promise<boolean>((resolve) => {
      const started = Date.now();
      let said = false;
      const say = () => {
        if (this.linked) return;
        const waited = (Date.now() - started) / 1000;
        this.log(
          said
            ? `redis: still waiting for Redis at ${this.address} (${this.lastError ?? 'no answer yet'}), ${waited.toFixed(0)} s of ${(waitMs / 1000).toFixed(0)} s`
            : `redis: waiting for Redis at ${this.address} (${this.lastError ?? 'no answer yet'}); retrying for up to ${(waitMs / 1000).toFixed(0)} s`,
        );
        said = true;
      };
      // Said at the first failed attempt (or after a second without an answer), then every 5 s.
      const first = setTimeout(say, 1000);
      this.onWaitError = () => {
        this.onWaitError = undefined;
        clearTimeout(first);
        say();
      };
      const every = setInterval(say, 5000);
      const finish = (ok: boolean) => {
        this.onWaitError = undefined;
        clearTimeout(first);
        clearInterval(every);
        clearTimeout(giveUp);
        this.waiters.delete(onConnected);
        resolve(ok);
      };
      const onConnected = (connected: boolean) => finish(connected);
      const giveUp = setTimeout(() => {
        this.log(
          `redis: Redis at ${this.address} is still not reachable after ${(waitMs / 1000).toFixed(0)} s (${this.lastError ?? 'no answer'}): ` +
            'starting without it (degraded); this instance serves its own clients and resynchronises with the others once Redis answers',
        );
        finish(false);
      }, waitMs);
      this.waiters.add(onConnected);
    });
  }

  health(): RedisHealth {
    const now = Date.now();
    const state: RedisState = this.linked ? 'connected' : !this.everConnected && now - this.stateSince < this.downAfterMs ? 'connecting' : now - this.stateSince < this.downAfterMs ? 'reconnecting' : 'down';
    return {
      state,
      since: new Date(this.stateSince).toISOString(),
      seconds: Math.round((now - this.stateSince) / 1000),
      address: this.address,
      ...(!this.linked && this.lastError ? { lastError: this.lastError } : {}),
      ...(this.peers !== undefined ? { peers: this.peers } : {}),
      resyncs: this.resyncs,
      ...(this.lastResyncAt ? { lastResyncAt: new Date(this.lastResyncAt).toISOString() } : {}),
      dropped: this.dropped,
    };
  }

  get isConnected(): boolean {
    return this.linked;
  }

  // ---- Hocuspocus hooks: the upstream extension's, none of them ever rejecting.

  async onConfigure(payload: onConfigurePayload): Promise<void> {
    await this.inner.onConfigure(payload);
  }

  async afterLoadDocument(payload: afterLoadDocumentPayload): Promise<void> {
    // Kept from here (not from Hocuspocus' map, which gets the space only once loading ends), so a
    // reconnection in the middle of a load subscribes it too.
    this.loaded.set(payload.documentName, payload.document);
    // Subscribe, then SyncStep1: bounded, so a connection lost mid-way never holds a space's loading.
    await within(this.inner.afterLoadDocument(payload), this.pingMs).catch((e: unknown) => this.failed('subscribe', e));
  }

  async onChange(payload: onChangePayload): Promise<void> {
    void this.inner.onChange(payload).catch((e: unknown) => this.failed('publish', e));
  }

  async onAwarenessUpdate(payload: onAwarenessUpdatePayload): Promise<void> {
    void Promise.resolve(this.inner.onAwarenessUpdate(payload)).catch((e: unknown) => this.failed('publish', e));
  }

  async beforeBroadcastStateless(payload: beforeBroadcastStatelessPayload): Promise<void> {
    void Promise.resolve(this.inner.beforeBroadcastStateless(payload)).catch((e: unknown) => this.failed('publish', e));
  }

  async beforeUnloadDocument(payload: beforeUnloadDocumentPayload): Promise<void> {
    await this.inner.beforeUnloadDocument(payload).catch(() => {});
  }

  async afterUnloadDocument(payload: afterUnloadDocumentPayload): Promise<void> {
    if (!payload.instance.documents.has(payload.documentName)) this.loaded.delete(payload.documentName);
    await this.inner.afterUnloadDocument(payload).catch((e: unknown) => this.failed('unsubscribe', e));
  }

  async onDestroy(): Promise<void> {
    this.destroyed = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.resyncTimer);
    for (const w of [...this.waiters]) w(false);
    this.pub.disconnect(false);
    this.sub.disconnect(false);
  }
}

/** `promise`, or a rejection after `ms` (the timer never keeps the process alive). */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
