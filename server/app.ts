/**
 * The Candor team server: Hocuspocus (Yjs over WebSocket) with per-space authorisation, SQLite
 * persistence, optional Redis scale-out, and the HTTP API for widgets and feeds, on one port.
 */
import { createHash } from 'node:crypto';
import { Server, type Document, type Extension } from '@hocuspocus/server';
import * as Y from 'yjs';
import { patchRecord, readRecord, writeRecord, type SpaceId } from '../core/store/space.ts';
import { Authenticator } from './auth.ts';
import type { ServerConfig } from './config.ts';
import { AuthExtension, SignIn } from './extensions/auth.ts';
import { LimitsExtension, maxPayloadFor } from './extensions/limits.ts';
import { PersistenceExtension } from './extensions/persistence.ts';
import { RedisRelay } from './extensions/redis.ts';
import { ViewsExtension } from './extensions/views.ts';
import { HttpApi } from './http.ts';
import { Organisation } from './policy.ts';
import { SpaceStorage } from './storage.ts';
import { OrgViews } from './views.ts';
import { updateCheck } from './extensions/update-check.ts';
import { META_ADMINS, META_ORGANISATION, objectiveOfTarget } from '../core/rules/index.ts';
import { materialiseOne } from '../core/store/materialise.ts';
import type { RecordChange } from '../core/store/update-check.ts';
import { createApi, createAuthenticator, type Api } from './api/index.ts';

export interface CandorServerOptions {
  config: ServerConfig;
  storage: SpaceStorage;
  port?: number;
  host?: string;
  /** `redis://host:port` to share updates with other instances. */
  redisUrl?: string;
  /** Redis timings (see RedisRelay): reconnection backoff cap, PING interval, how long a start waits for Redis. */
  redis?: { retryMaxMs?: number; pingMs?: number; downAfterMs?: number; startupWaitMs?: number };
  /** How long changes settle before `/v1/events` announces them. Default 75 ms. */
  changeDebounceMs?: number;
  heartbeatMs?: number;
  /** How long after the last edit a space's update log is folded into its state. Default 2 s. */
  compactAfterMs?: number;
  log?: (line: string) => void;
  /**
   * For benchmarks only: skip the update check (every writer trusted with whole spaces, as before the
   * record rule). `CANDOR_UNSAFE_NO_UPDATE_CHECK=1` sets it, with a warning.
   */
  unsafeNoUpdateCheck?: boolean;
}

const DIRECTORY_ORIGIN = Symbol('candor:directory');

export class CandorServer {
  readonly org: Organisation;
  readonly auth: Authenticator;
  readonly views: OrgViews;
  readonly http: HttpApi;
  readonly server: Server;
  /** The write API, sign-in with the identity provider, OpenAPI and embeds (server/api/). */
  readonly api: Api;
  private readonly storage: SpaceStorage;
  private readonly persistence: PersistenceExtension;
  /** The Redis relay (scale-out), when REDIS_URL is set. */
  readonly relay: RedisRelay | undefined;
  private readonly pinned: { disconnect(): Promise<void> }[] = [];
  private closing: Promise<void> | undefined;
  private readonly log: (line: string) => void;
  readonly startedAt = Date.now();

  constructor(private readonly options: CandorServerOptions) {
    const { config, storage } = options;
    this.log = options.log ?? ((line) => console.log(line));
    this.storage = storage;
    this.org = new Organisation(config);
    const { auth, oidc } = createAuthenticator(config);
    this.auth = auth;
    const configHash = createHash('sha256').update(JSON.stringify(config)).digest('base64url');
    this.views = new OrgViews(this.org, () => this.liveSpaces(), { debounceMs: options.changeDebounceMs, salt: configHash });
    const signIn = new SignIn(this.auth, config.limits);
    const limits = new LimitsExtension(config.limits);
    this.api = createApi({
      config,
      org: this.org,
      signIn,
      views: this.views,
      ...(oidc ? { oidc } : {}),
      storagePath: storage.path,
      doc: (space) => this.server.hocuspocus.documents.get(space),
      spaces: () => this.liveSpaces(),
      recordHistory: (space, person, changes) => this.recordHistory(space, person, changes),
      log: this.log,
    });
    this.http = new HttpApi({
      routes: this.api.routes,
      sessionPerson: (req) => this.api.sessionPerson(req),
      credentialsAllowed: (req, origin) => this.api.credentialsAllowed(req, origin),
      org: this.org,
      signIn,
      views: this.views,
      heartbeatMs: options.heartbeatMs,
      log: this.log,
      history: (kind, id) => this.storage.history(kind, id),
      health: () => ({
        // `degraded`: serving its own clients, but cut off from the other instances (Redis unreachable).
        status: this.relay && !this.relay.isConnected ? 'degraded' : 'ok',
        organisation: config.organisation,
        spaces: this.server.hocuspocus.getDocumentsCount(),
        connections: this.server.hocuspocus.getConnectionsCount() - this.pinned.length,
        streams: this.http.streamCount,
        uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
        redis: this.relay ? this.relay.health() : false,
        // Records in the stored spaces that the record rule leaves out (written before it, or by hand), by reason.
        skippedRecords: { total: this.views.skipped.total, byCode: this.views.skipped.byCode },
        preAuth: limits.stats(),
      }),
    });

    // One concern per extension. Hooks of the same name run in this order (all at Hocuspocus' default
    // priority), and the Redis relay after them all (it declares a lower one): Candor's own handling
    // of a change never waits behind, or is skipped by, a Redis publish.
    this.persistence = new PersistenceExtension(storage, this.log);
    if (options.unsafeNoUpdateCheck) this.log('WARNING: the update check is off (CANDOR_UNSAFE_NO_UPDATE_CHECK): any writer may write anything into the spaces they open');
    const extensions: Extension[] = [
      // 1. Size limits: the first beforeHandleMessage, so nothing reads an update this server refuses.
      limits,
      // 2. The update check: the record rule on every incoming update, before anything applies, stores or relays it.
      ...(options.unsafeNoUpdateCheck ? [] : [this.updateCheck()]),
      // 3. Who is asking and what they may do with a space; sign-in limits.
      new AuthExtension({ org: this.org, signIn, limits: config.limits, onRefused: (request, space) => limits.refused(request, space) }),
      // 4. SQLite: load, append every update, compact.
      this.persistence,
      // 5. Change notifications to the views and the HTTP API.
      new ViewsExtension(this.views, this.http),
    ];
    // 6. Scale-out: updates relayed between instances through Redis, surviving Redis failing.
    this.relay = options.redisUrl ? new RedisRelay({ url: options.redisUrl, prefix: 'candor', log: this.log, ...options.redis }) : undefined;
    if (this.relay) extensions.push(this.relay);
    this.server = new Server(
      {
        name: config.organisation,
        port: options.port ?? 8787,
        address: options.host ?? '127.0.0.1',
        quiet: true,
        stopOnSignals: false,
        debounce: options.compactAfterMs ?? 2000,
        maxDebounce: 10_000,
        extensions,
      },
      // A little above the update limit: somewhat over it meets the clear update-too-large error.
      { maxPayload: maxPayloadFor(config.limits) },
    );
    // Before Hocuspocus sees a socket: the sign-in timeout and the pre-authentication byte budget.
    limits.attach(this.server.webSocketServer);
    // Hocuspocus 3 hands `{ port, address }` to http.Server#listen, which reads `host`, not
    // `address`, so it would listen on every interface. Map it, so HOST=127.0.0.1 means loopback only.
    const http = this.server.httpServer;
    const listen = http.listen.bind(http) as (...args: unknown[]) => typeof http;
    http.listen = ((first: unknown, ...rest: unknown[]) => {
      if (first && typeof first === 'object' && 'address' in first) {
        const { address, ...others } = first as { address?: string };
        return listen({ ...others, host: address }, ...rest);
      }
      return listen(first, ...rest);
    }) as typeof http.listen;
  }

  /** The update check, recording every accepted change (who, when, which record and fields) in the history. */
  private updateCheck(): Extension {
    return updateCheck({
      directory: this.org.directory,
      log: this.log,
      onAccepted: (space, person, changes) => this.recordHistory(space, person, changes),
    });
  }

  /** Records accepted changes (WebSocket updates and HTTP writes alike) in the history, with the objective each belongs to. */
  private recordHistory(space: SpaceId, person: string, changes: RecordChange[]): void {
    const doc = this.server.hocuspocus.documents.get(space);
    const find = doc ? materialiseOne(space, doc, this.org.directory).find : undefined;
    this.storage.appendHistory(space, person, new Date().toISOString(), changes, (c) => {
      const r = (c.after ?? c.before ?? {}) as Record<string, unknown>;
      if (c.collection === 'checkIns' && typeof r.keyResultId === 'string') return { objectiveId: find?.('keyResults', r.keyResultId)?.objectiveId, keyResultId: r.keyResultId };
      if ((c.collection === 'comments' || c.collection === 'kudos') && r.target && find) {
        const target = r.target as { kind: string; id: string };
        const objectiveId = objectiveOfTarget(target as never, {
          objective: (id) => find('objectives', id),
          keyResult: (id) => find('keyResults', id),
          checkIn: (id) => find('checkIns', id),
          reflection: (id) => find('reflections', id),
        });
        return { objectiveId, ...(target.kind === 'keyResult' ? { keyResultId: target.id } : {}) };
      }
      return {};
    });
  }

  private liveSpaces(): Iterable<[SpaceId, Y.Doc]> {
    return this.server.hocuspocus.documents.entries();
  }

  /**
   * Starts listening; connects to Redis (waiting for it a while, with a message, if it is not ready);
   * loads every space of the organisation so views and Redis cover them all.
   */
  async listen(): Promise<{ port: number; host: string }> {
    await this.server.listen();
    await this.relay?.start(this.options.redis?.startupWaitMs ?? 30_000);
    for (const space of this.org.spaces()) {
      const pin = await this.server.hocuspocus.openDirectConnection(space, { personId: 'server' });
      this.pinned.push(pin);
      if (space === 'company') this.syncDirectory(pin.document!);
    }
    return { port: this.server.address.port, host: this.options.host ?? '127.0.0.1' };
  }

  /**
   * The config is the directory: its people and teams are written into the `company` space (only the
   * fields the config owns), so every client sees who is in the organisation.
   */
  private syncDirectory(company: Y.Doc): void {
    company.transact(() => {
      // What the record rule reads on every client: the organisation (so the spaces are governed) and its admins.
      const meta = company.getMap('meta');
      if (meta.get(META_ORGANISATION) !== this.options.config.organisation) meta.set(META_ORGANISATION, this.options.config.organisation);
      const admins = [...this.options.config.admins].sort();
      if (JSON.stringify(meta.get(META_ADMINS)) !== JSON.stringify(admins)) meta.set(META_ADMINS, admins);
      for (const p of this.options.config.people) {
        // A team left since the last start is remembered, so what the person wrote there while a member stays theirs.
        const stored = readRecord(company, 'people', p.id);
        const was = [...(Array.isArray(stored?.teamIds) ? stored.teamIds : []), ...(Array.isArray(stored?.formerTeamIds) ? stored.formerTeamIds : [])];
        const former = [...new Set(was.filter((t): t is string => typeof t === 'string' && !p.teamIds.includes(t)))].sort();
        const fields = { id: p.id, name: p.name, email: p.email, teamIds: p.teamIds, formerTeamIds: former.length ? former : undefined };
        if (!patchRecord(company, 'people', p.id, fields)) writeRecord(company, 'people', fields);
      }
      for (const t of this.options.config.teams) {
        const existing = readRecord(company, 'teams', t.id);
        const fields = { id: t.id, name: t.name, parentId: t.parentId, visibility: t.visibility };
        if (!existing) writeRecord(company, 'teams', { ...fields, leadIds: [] });
        else patchRecord(company, 'teams', t.id, fields);
      }
    }, DIRECTORY_ORIGIN);
  }

  get port(): number {
    return this.server.address.port;
  }

  /** Stops accepting, folds every space into SQLite, closes connections, Redis and the database. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.server.httpServer.close();
      this.http.close();
      this.views.close();
      this.persistence.compactAll(this.server.hocuspocus.documents as Map<string, Document>, this.log);
      for (const ws of this.server.webSocketServer.clients) ws.close(1001, 'server shutting down');
      this.server.webSocketServer.close();
      this.server.httpServer.closeAllConnections?.();
      try {
        await this.server.hocuspocus.hooks('onDestroy', { instance: this.server.hocuspocus });
      } catch {
        // Redis may already be gone; nothing left to save.
      }
      this.api.close();
      this.storage.close();
    })();
    return this.closing;
  }
}
