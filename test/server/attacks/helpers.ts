// Shared helpers for the record-trust attack suite: an organisation on a real server process, attackers
// that write into a space with plain Yjs (bypassing the Workspace's commands), fresh clients of the
// victims, the HTTP view, what SQLite holds, and a bare-bones Hocuspocus protocol client for payloads no
// honest Y.Doc can produce without running the very code being attacked.
//
// Every wait is bounded; nothing here sleeps for a fixed time except short, named grace periods.
import { HocuspocusProvider } from '@hocuspocus/provider';
import { expect } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { CandorDocument } from '../../../core/model/index.ts';
import { materialise, type SpaceId } from '../../../core/store/space.ts';
import { connectSpaces, spacesToSync, type SpaceConnection } from '../../../core/sync/index.ts';
import { sha256Hash } from '../../../server/auth.ts';
import { SpaceStorage } from '../../../server/storage.ts';
import { client, CYCLE, prepare, startServer, tempDir, testConfig, testDocument, TOKENS, type Client, type RunningServer, type ServerSetup } from '../harness.ts';

// ---------------------------------------------------------------------------------------------
// The organisation

/** The harness's people plus erin, who is in team-a AND the members-only team-b (so her person space is read by both). */
export const ATTACK_TOKENS = { ...TOKENS, erin: 'candor_erin-token-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee' } as const;
export type Who = keyof typeof ATTACK_TOKENS;
export type Viewer = Who | 'anonymous';

/** How long a refused update may take to be refused. Today's server never refuses, so keep it short. */
export const REFUSAL_WAIT_MS = 2500;
/** After an acknowledgement, how long a refusal may still arrive (tolerates an ack-then-close server). */
const ACK_GRACE_MS = 250;

/**
 * The harness config (alice and bob in team-a, carol in members-only team-b, dave admin in no team) plus
 * erin (team-a and team-b), and a connection rate the suite's many short-lived clients stay under.
 */
export function attackConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = testConfig();
  const people = [...(base.people as object[]), { id: 'erin', name: 'Erin', teamIds: ['team-a', 'team-b'], tokenHashes: [sha256Hash(ATTACK_TOKENS.erin)] }];
  return { ...base, people, limits: { connectionsPerMinute: 100_000 }, ...extra };
}

/** People as `spacesToSync` wants them. */
export const PEOPLE: { id: string; teamIds: string[] }[] = (attackConfig().people as { id: string; teamIds: string[] }[]).map((p) => ({ id: p.id, teamIds: p.teamIds }));
export const teamsOf = (who: Who): string[] => PEOPLE.find((p) => p.id === who)!.teamIds;

const T = '2026-01-05T09:00:00Z';

/** bob's check-in on team-a's key result, in team:team-a from the start. */
export const SEEDED_CHECK_IN = 'bob-seeded-check-in';

/** The harness document plus a public objective (and key result) of erin's and a check-in of bob's in team:team-a. */
export function attackDocument(): CandorDocument {
  const doc = testDocument();
  doc.objectives.push({ id: 'erin-public', cycleId: CYCLE.id, title: 'Objective erin-public', owner: { kind: 'person', id: 'erin' }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: T, updatedAt: T });
  doc.keyResults.push({ id: 'erin-public-kr', objectiveId: 'erin-public', title: 'KR of erin-public', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 } });
  doc.checkIns.push({ id: SEEDED_CHECK_IN, keyResultId: 'team-a-public-kr', authorId: 'bob', at: T, value: 40, confidence: 0.8 });
  return doc;
}

/** A real server process with the attack organisation, restartable on the same port and database. */
export class Org {
  private constructor(
    readonly setup: ServerSetup,
    private readonly tmp: ReturnType<typeof tempDir>,
    public server: RunningServer,
  ) {}

  static async start(config: Record<string, unknown> = attackConfig(), seed: CandorDocument = attackDocument()): Promise<Org> {
    const tmp = tempDir();
    const setup = prepare(tmp.dir, config, seed);
    return new Org(setup, tmp, await startServer(setup));
  }

  get url(): string {
    return this.server.url;
  }
  get http(): string {
    return this.server.http;
  }
  get dbPath(): string {
    return this.setup.dbPath;
  }

  /** Stops the server with `signal` and starts it again on the same port; returns the exit code. Throws if it does not come back. */
  async restart(signal: NodeJS.Signals): Promise<number | null> {
    const port = this.server.port;
    const code = await this.server.stop(signal);
    const before = this.server.output();
    try {
      this.server = await startServer(this.setup, { port });
    } catch (e) {
      throw new Error(`the server did not restart after ${signal}: ${(e as Error).message}\n--- output before the restart ---\n${before.slice(-3000)}`);
    }
    return code;
  }

  async close(): Promise<void> {
    await this.server?.stop('SIGKILL');
    this.tmp.cleanup();
  }
}

let counter = 0;
/** A string only one attack's records carry: looked for in raw bytes, the HTTP body and SQLite. */
export function marker(label: string): string {
  return `atk-${label}-${process.pid}-${++counter}`;
}

export const now = (): string => new Date().toISOString();

// ---------------------------------------------------------------------------------------------
// Writing with plain Yjs, the space layout of core/store/space.ts, no Candor code

/** A field-level record (people, teams, cycles, objectives, key results): a nested Y.Map in the collection's top-level map. */
export function putRecord(doc: Y.Doc, collection: string, record: Record<string, unknown>): void {
  const fields = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(record)) fields.set(k, v);
  doc.getMap(collection).set(record.id as string, fields);
}

/** A write-once record (check-ins, comments, kudos, reflections): a JSON string pushed onto the collection's top-level array. */
export function appendEntry(doc: Y.Doc, collection: string, record: Record<string, unknown>): void {
  doc.getArray(collection).push([JSON.stringify(record)]);
}

export const objective = (id: string, owner: { kind: 'person' | 'team' | 'company'; id: string }, visibility: 'public' | 'team' | 'private', extra: Record<string, unknown> = {}) => ({
  id,
  cycleId: CYCLE.id,
  title: `Objective ${id}`,
  owner,
  type: 'committed',
  visibility,
  state: 'active',
  rollup: 'key-results',
  createdAt: now(),
  updatedAt: now(),
  ...extra,
});

export const checkInRecord = (id: string, keyResultId: string, authorId: string, value = 99) => ({ id, keyResultId, authorId, at: now(), value, confidence: 0.9 });

// ---------------------------------------------------------------------------------------------
// The Hocuspocus wire format (only what the suite needs)

class Writer {
  private readonly bytes: number[] = [];
  private readonly chunks: Uint8Array[] = [];
  uint(n: number): this {
    while (n > 127) {
      this.bytes.push(128 | (n & 127));
      n = Math.floor(n / 128);
    }
    this.bytes.push(n);
    return this;
  }
  data(b: Uint8Array): this {
    this.uint(b.length);
    this.chunks.push(Uint8Array.from(this.bytes.splice(0)), b);
    return this;
  }
  string(s: string): this {
    return this.data(new TextEncoder().encode(s));
  }
  done(): Uint8Array {
    this.chunks.push(Uint8Array.from(this.bytes.splice(0)));
    return Buffer.concat(this.chunks);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  uint(): number {
    let n = 0;
    let mult = 1;
    for (;;) {
      const b = this.buf[this.pos++]!;
      n += (b & 127) * mult;
      if (b < 128) return n;
      mult *= 128;
    }
  }
  data(): Uint8Array {
    const len = this.uint();
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  string(): string {
    return new TextDecoder().decode(this.data());
  }
}

const MSG = { sync: 0, awareness: 1, auth: 2, syncReply: 4, close: 7, syncStatus: 8 } as const;
const SYNC = { step1: 0, step2: 1, update: 2 } as const;

/** A Hocuspocus message carrying one Yjs update for a space, as a provider sends it. */
export function updateMessage(space: string, update: Uint8Array): Uint8Array {
  return new Writer().string(space).uint(MSG.sync).uint(SYNC.update).data(update).done();
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  return new Uint8Array(0);
}

/** A message's space and type, and for a sync status whether the server applied the update. */
function peek(data: unknown): { space: string; type: number; applied?: boolean } | undefined {
  try {
    const r = new Reader(toBytes(data));
    const space = r.string();
    const type = r.uint();
    return type === MSG.syncStatus ? { space, type, applied: r.uint() === 1 } : { space, type };
  } catch {
    return undefined;
  }
}

/**
 * A Yjs delete set and nothing else: the deletion of `len` items from `clock` of `client`. With a
 * random 32-bit client id it is 10 bytes. It is what `map.delete(key)` sends, without deleting anything
 * here (which, for a deep chain, would overflow this process's stack the way it does the server's).
 */
export function deleteUpdate(client: number, clock: number, len = 1): Uint8Array {
  return new Writer().uint(0).uint(1).uint(client).uint(1).uint(clock).uint(len).done();
}

/**
 * A bare Hocuspocus client for one space: authenticates, fetches the server's state without applying it
 * anywhere (so a poisoned space cannot crash this process), sends raw updates and reports, for each,
 * whether the server acknowledged or refused it. Everything it receives stays bytes.
 */
export class RawClient {
  readonly received: Uint8Array[] = [];
  readonly closes: string[] = [];
  scope: string | undefined;
  private state: Uint8Array | undefined;
  private acks = 0;
  private ignored = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly space: string,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => {
      try {
        this.onMessage(toBytes(data));
      } catch {
        // a message this client does not read
      }
      for (const w of [...this.waiters]) w();
    });
    ws.on('close', (_code, reason) => {
      this.closes.push(`socket closed${reason.length ? `: ${reason.toString()}` : ''}`);
      for (const w of [...this.waiters]) w();
    });
    ws.on('error', () => {});
  }

  /** Connects and authenticates; with `sync`, also asks for the whole state (`stateOf` reads it). */
  static async open(url: string, token: string, space: string, options: { sync?: boolean; timeoutMs?: number } = {}): Promise<RawClient> {
    const ws = new WebSocket(url);
    const c = new RawClient(space, ws);
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`raw client for ${space}: no connection within 5 s`)), 5000);
      ws.once('open', () => {
        clearTimeout(t);
        res();
      });
      ws.once('error', (e) => {
        clearTimeout(t);
        rej(e);
      });
    });
    ws.send(new Writer().string(space).uint(MSG.auth).uint(0).string(token).done());
    await c.until(() => c.scope !== undefined || c.closes.length > 0, options.timeoutMs ?? 5000, 'authentication');
    if (c.scope === undefined) throw new Error(`raw client for ${space} was refused: ${c.closes.join('; ')}`);
    if (options.sync) {
      ws.send(new Writer().string(space).uint(MSG.sync).uint(SYNC.step1).data(Y.encodeStateVector(new Y.Doc())).done());
      await c.until(() => c.state !== undefined || c.closes.length > 0, options.timeoutMs ?? 8000, 'the server state');
    }
    return c;
  }

  private onMessage(bytes: Uint8Array): void {
    const r = new Reader(bytes);
    const space = r.string();
    if (space !== this.space) return;
    const type = r.uint();
    if (type === MSG.auth) {
      const kind = r.uint();
      if (kind === 2) this.scope = r.string();
      else if (kind === 1) this.closes.push(r.string());
    } else if (type === MSG.sync || type === MSG.syncReply) {
      const step = r.uint();
      if (step === SYNC.step2 || step === SYNC.update) {
        const update = r.data();
        if (step === SYNC.step2 && this.state === undefined) this.state = Uint8Array.from(update);
        this.received.push(Uint8Array.from(update));
      }
    } else if (type === MSG.syncStatus) {
      if (r.uint() === 1) this.acks++;
      else this.ignored++;
    } else if (type === MSG.close) {
      this.closes.push(r.string());
    }
  }

  private until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((res, rej) => {
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        res();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        rej(new Error(`raw client for ${this.space}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** The server's state of the space as it sent it (bytes, never applied here). */
  get serverState(): Uint8Array {
    if (!this.state) throw new Error(`raw client for ${this.space} has no state (open it with sync)`);
    return this.state;
  }

  /** Sends one update; resolves when the server acknowledges it, refuses it, or `timeoutMs` passes. */
  async send(update: Uint8Array, timeoutMs = REFUSAL_WAIT_MS): Promise<Outcome> {
    const [acks, ignored, closes] = [this.acks, this.ignored, this.closes.length];
    this.ws.send(updateMessage(this.space, update));
    try {
      await this.until(() => this.acks > acks || this.ignored > ignored || this.closes.length > closes, timeoutMs, 'answer');
    } catch {
      return { kind: 'timeout' };
    }
    const reason = this.closes[closes];
    if (reason !== undefined) return reason.startsWith('refused: ') ? { kind: 'refused', reason } : { kind: 'closed', reason };
    return this.acks > acks ? { kind: 'acked' } : { kind: 'ignored' };
  }

  /** Whether any update received since `from` contains `needle` (bytes). */
  receivedContains(needle: string, from = 0): boolean {
    return this.received.slice(from).some((u) => Buffer.from(u).includes(needle));
  }

  waitReceived(needle: string, timeoutMs: number): Promise<boolean> {
    return this.until(() => this.receivedContains(needle), timeoutMs, `update containing ${needle}`).then(
      () => true,
      () => false,
    );
  }

  close(): void {
    this.ws.close();
  }
}

/** Applies a space's state to a fresh Y.Doc and materialises it, here, catching what a poisoned space throws. */
export function tryLoad(space: SpaceId, state: Uint8Array, company?: Uint8Array): { ok: true; document: CandorDocument } | { ok: false; error: string } {
  try {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    const spaces = new Map<SpaceId, Y.Doc>([[space, doc]]);
    if (company) {
      const c = new Y.Doc();
      Y.applyUpdate(c, company);
      spaces.set('company', c);
    }
    return { ok: true, document: materialise(spaces).document };
  } catch (e) {
    return { ok: false, error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Attackers

/**
 * What the server answered: `acked` (applied), `ignored` (answered "not applied" and kept the space open:
 * what today's server does with a write on a read-only connection), `refused` (closed the space with a
 * `refused: …` reason), `closed` (closed it with another reason), or nothing within the wait.
 */
export type Outcome = { kind: 'acked' } | { kind: 'ignored' } | { kind: 'refused'; reason: string } | { kind: 'closed'; reason: string } | { kind: 'timeout' };

const describeOutcome = (o: Outcome) =>
  o.kind === 'refused' || o.kind === 'closed'
    ? `${o.kind}: ${o.reason}`
    : o.kind === 'acked'
      ? 'acknowledged (accepted)'
      : o.kind === 'ignored'
        ? 'silently not applied (the space stays open, no reason given)'
        : `no answer within ${REFUSAL_WAIT_MS} ms`;

/** Asserts (softly: the rest of the test still runs) that the server refused the attack with a `refused: …` reason. */
export function expectRefused(outcome: Outcome, what: string): void {
  expect.soft(describeOutcome(outcome), `${what}: the server must close the attacker's space with a reason starting "refused: "`).toMatch(/^refused: /);
}

export type Transport = 'provider' | 'connectSpaces';

/**
 * A hostile member writing into a space with plain Yjs: a raw Y.Doc attached with `@hocuspocus/provider`
 * (default) or Candor's own `connectSpaces`. Records every close reason the server gives for the space and
 * every acknowledgement, so each attack's outcome is known without fixed sleeps.
 */
export class Attacker {
  readonly doc = new Y.Doc();
  readonly reasons: string[] = [];
  /** Every update this attacker made, as Yjs encoded it (what a careless server relays). */
  readonly updates: Uint8Array[] = [];
  private acks = 0;
  private ignored = 0;
  private readonly waiters = new Set<() => void>();
  private provider: HocuspocusProvider | undefined;
  private conn: SpaceConnection | undefined;
  private synced = false;

  private constructor(
    readonly who: Who,
    readonly space: SpaceId,
    readonly transport: Transport,
  ) {}

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private until(test: () => boolean, timeoutMs: number): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    return new Promise((res) => {
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        res(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        res(false);
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /**
   * Connects `who` to `space`. With `offline`, the attack is written into the empty Y.Doc BEFORE
   * connecting, so it reaches the server in the initial sync (sync step 2) rather than as an update;
   * then `opened.outcome` is that sync's outcome.
   */
  static async open(org: Org, who: Who, space: SpaceId, options: { transport?: Transport; offline?: (doc: Y.Doc) => void } = {}): Promise<Attacker> {
    const a = new Attacker(who, space, options.transport ?? 'provider');
    if (options.offline) {
      a.doc.transact(() => options.offline!(a.doc));
      a.updates.push(Y.encodeStateAsUpdate(a.doc));
    }
    if (a.transport === 'provider') {
      const provider = new HocuspocusProvider({ url: org.url, name: space, document: a.doc, token: ATTACK_TOKENS[who], WebSocketPolyfill: WebSocket } as ConstructorParameters<typeof HocuspocusProvider>[0]);
      a.provider = provider;
      provider.on('close', ({ event }: { event?: { reason?: string } }) => {
        if (event?.reason) a.reasons.push(event.reason);
        a.wake();
      });
      provider.on('authenticationFailed', ({ reason }: { reason: string }) => {
        a.reasons.push(reason);
        a.wake();
      });
      provider.on('synced', () => {
        a.synced = true;
        a.wake();
      });
      provider.on('unsyncedChanges', () => a.wake());
      provider.on('message', ({ event }: { event: { data: unknown } }) => {
        const m = peek(event.data);
        if (m?.type === MSG.syncStatus) {
          if (m.applied) a.acks++;
          else a.ignored++;
        }
        a.wake();
      });
    } else {
      const conn = connectSpaces({ url: org.url, token: ATTACK_TOKENS[who], spaces: [[space, a.doc]], WebSocketPolyfill: WebSocket, minDelay: 100, maxDelay: 400 });
      a.conn = conn;
      let pending = false;
      conn.subscribe((s) => {
        const mine = s.spaces[0];
        if (mine?.synced) a.synced = true;
        if (mine?.error && a.reasons.at(-1) !== mine.error) a.reasons.push(mine.error);
        // connectSpaces reports no acknowledgements, only the count of unacknowledged changes.
        if (mine && mine.unsynced > 0) pending = true;
        else if (mine && pending && mine.unsynced === 0) {
          pending = false;
          a.acks++;
        }
        a.wake();
      });
    }
    // Live: wait for the initial exchange to be acknowledged too, so the next acknowledgement is the attack's.
    const ready = options.offline ? () => a.synced : () => a.synced && a.idle();
    const ok = await a.until(() => ready() || a.reasons.length > 0, 8000);
    if (!ok) throw new Error(`attacker ${who} could not open ${space} within 8 s`);
    if (!a.synced && !options.offline) throw new Error(`attacker ${who} could not open ${space}: ${a.reasons.join('; ')}`);
    return a;
  }

  private idle(): boolean {
    if (this.provider) return this.provider.unsyncedChanges === 0;
    return this.conn?.status.spaces[0]?.unsynced === 0;
  }

  /** What the server granted, as the provider heard it: 'read-write' | 'readonly' | undefined. */
  get scope(): string | undefined {
    return (this.provider as unknown as { authorizedScope?: string } | undefined)?.authorizedScope;
  }

  /** Waits for the answer to what was sent after `acks` answers and `reasons` close reasons. */
  private async answer(acks: number, ignored: number, reasons: number, timeoutMs: number): Promise<Outcome> {
    const refusal = () => this.reasons.slice(reasons).find((r) => /^refused: /.test(r) || /refused/.test(r));
    await this.until(() => this.acks > acks || this.ignored > ignored || this.reasons.length > reasons, timeoutMs);
    if (!refusal() && (this.acks > acks || this.ignored > ignored)) await this.until(() => refusal() !== undefined, ACK_GRACE_MS);
    const refused = refusal();
    // connectSpaces words the server's reason for people; keep what follows its "refused…:" prefix.
    if (refused) return { kind: 'refused', reason: this.transport === 'connectSpaces' && !refused.startsWith('refused: ') ? `refused: ${refused.replace(/^.*?refused[^:]*:\s*/, '')}` : refused };
    if (this.acks > acks) return { kind: 'acked' };
    if (this.ignored > ignored) return { kind: 'ignored' };
    if (this.reasons.length > reasons) return { kind: 'closed', reason: this.reasons.slice(reasons).join('; ') };
    return { kind: 'timeout' };
  }

  /** The outcome of the initial sync of an attacker opened with `offline`. */
  syncOutcome(timeoutMs = REFUSAL_WAIT_MS): Promise<Outcome> {
    return this.answer(0, 0, 0, timeoutMs);
  }

  /** Mutates the attacker's Y.Doc with plain Yjs (one transaction, so one update) and waits for the server's answer. */
  async write(mutate: (doc: Y.Doc) => void, timeoutMs = REFUSAL_WAIT_MS): Promise<Outcome> {
    const [acks, ignored, reasons] = [this.acks, this.ignored, this.reasons.length];
    const before = Y.encodeStateVector(this.doc);
    this.doc.transact(() => mutate(this.doc));
    this.updates.push(Y.encodeStateAsUpdate(this.doc, before));
    return this.answer(acks, ignored, reasons, timeoutMs);
  }

  /** Sends a hand-made update over the attacker's socket without applying it here. Provider transport only. */
  async sendRaw(update: Uint8Array, timeoutMs = REFUSAL_WAIT_MS): Promise<Outcome> {
    if (!this.provider) throw new Error('sendRaw needs the provider transport');
    const [acks, ignored, reasons] = [this.acks, this.ignored, this.reasons.length];
    (this.provider.configuration.websocketProvider as unknown as { send(m: Uint8Array): void }).send(updateMessage(this.space, update));
    return this.answer(acks, ignored, reasons, timeoutMs);
  }

  /** Everything this attacker wrote, as one update. */
  get attackUpdate(): Uint8Array {
    return Y.mergeUpdates(this.updates);
  }

  destroy(): void {
    this.provider?.destroy();
    this.conn?.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Victims: fresh clients, the HTTP view, SQLite

export interface FreshClient extends Client {
  /** The spaces whose synced bytes contain `needle`. */
  containing(needle: string): string[];
  /** `materialise` of every synced space, no options (the rule applies itself, reading the directory from `company`). */
  materialised(): { ok: true; document: CandorDocument } | { ok: false; error: string };
  destroy(): void;
}

/** The spaces a person's client syncs: `spacesToSync`, their teams' `members:` spaces, plus `extra`. */
export function spacesOf(who: Who, extra: string[] = []): string[] {
  return [...new Set([...spacesToSync(who, PEOPLE), ...teamsOf(who).map((t) => `members:${t}`), ...extra])];
}

/** A person's fresh client (Candor's connectSpaces), synced. */
export async function freshClient(org: Org, who: Who, extra: string[] = []): Promise<FreshClient> {
  const c = client(org.url, ATTACK_TOKENS[who], spacesOf(who, extra));
  try {
    await c.conn.whenSynced(8000);
  } catch (e) {
    c.conn.destroy();
    throw new Error(`${who}'s fresh client did not sync: ${(e as Error).message}`);
  }
  return {
    ...c,
    containing: (needle) => [...c.docs].filter(([, d]) => Buffer.from(Y.encodeStateAsUpdate(d)).includes(needle)).map(([s]) => s),
    materialised: () => {
      try {
        return { ok: true, document: materialise(c.docs).document };
      } catch (e) {
        return { ok: false, error: `${(e as Error).name}: ${(e as Error).message}` };
      }
    },
    destroy: () => c.conn.destroy(),
  };
}

/** `GET /v1/document` as a person (or anonymously), bounded. */
export async function view(org: Org, who: Viewer, timeoutMs = 5000): Promise<{ status: number | 'timeout'; text: string; document?: CandorDocument }> {
  try {
    const res = await fetch(`${org.http}/v1/document`, {
      headers: who === 'anonymous' ? {} : { Authorization: `Bearer ${ATTACK_TOKENS[who]}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let document: CandorDocument | undefined;
    try {
      document = res.status === 200 ? (JSON.parse(text) as CandorDocument) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, text, document };
  } catch {
    return { status: 'timeout', text: '' };
  }
}

/** Whether anything SQLite holds for a space (state and log, raw bytes, never decoded) contains `needle`. */
export function storedContains(org: Org, space: SpaceId, needle: string): boolean {
  const storage = new SpaceStorage(org.dbPath);
  try {
    return storage.load(space).some((u) => Buffer.from(u).includes(needle));
  } finally {
    storage.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The legitimate check-in that proves a space is not poisoned

/** For each space an attack targets: who legitimately checks in there, on which key result, and who watches. */
export const LEGIT: Record<string, { writer: Who; watcher: Who; keyResultId: string }> = {
  'team:team-a': { writer: 'bob', watcher: 'alice', keyResultId: 'team-a-public-kr' },
  'person:alice': { writer: 'alice', watcher: 'bob', keyResultId: 'alice-public-kr' },
  'person:erin': { writer: 'erin', watcher: 'bob', keyResultId: 'erin-public-kr' },
};

/**
 * A legitimate check-in by the space's own writer, through Candor's sync client: it must be
 * acknowledged, relayed to a reader who is already connected (and kept by that reader's `materialise`),
 * and stored in SQLite.
 */
export async function expectLegitCheckIn(org: Org, space: SpaceId, phase: string): Promise<void> {
  const { writer, watcher, keyResultId } = LEGIT[space]!;
  const watching = await freshClient(org, watcher);
  const writing = client(org.url, ATTACK_TOKENS[writer], [space]);
  try {
    await writing.conn.whenSynced(8000);
    const id = marker('legit');
    appendEntry(writing.doc(space), 'checkIns', checkInRecord(id, keyResultId, writer, 7));
    const acked = await writing.conn.flushed(5000).then(
      () => true,
      () => false,
    );
    expect.soft(acked, `${phase}: ${writer}'s legitimate check-in in ${space} is acknowledged`).toBe(true);
    expect.soft(writing.conn.status.spaces[0]?.error, `${phase}: ${writer}'s legitimate check-in in ${space} is not refused`).toBeUndefined();
    const relayed = await new Promise<boolean>((res) => {
      const doc = watching.doc(space);
      const has = () => Buffer.from(Y.encodeStateAsUpdate(doc)).includes(id);
      if (has()) return res(true);
      const timer = setTimeout(() => {
        doc.off('update', on);
        res(false);
      }, 5000);
      const on = () => {
        if (!has()) return;
        clearTimeout(timer);
        doc.off('update', on);
        res(true);
      };
      doc.on('update', on);
    });
    expect.soft(relayed, `${phase}: ${writer}'s legitimate check-in in ${space} is relayed to ${watcher}`).toBe(true);
    if (relayed) {
      const m = watching.materialised();
      expect.soft(m.ok && m.document.checkIns.some((c) => c.id === id), `${phase}: ${watcher}'s client shows ${writer}'s legitimate check-in`).toBe(true);
    }
    expect.soft(storedContains(org, space, id), `${phase}: ${writer}'s legitimate check-in in ${space} is stored in SQLite`).toBe(true);
  } finally {
    writing.conn.destroy();
    watching.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// The refused-attack scenario most tests share

export interface AttackWrite {
  /** What the attack is, for failure messages. */
  label: string;
  /** The plain-Yjs mutation. */
  write: (doc: Y.Doc) => void;
  /** A string only this attack's records carry; '' when there is none to look for. */
  marker: string;
  /** Send it in the initial sync (written before connecting) instead of as a live update. */
  offline?: boolean;
  transport?: Transport;
  /**
   * Defence in depth, for attacks a reader can tell from the records themselves: apply the attack's
   * update directly to this person's synced replica (as a server that did not check, or a peer, would
   * deliver it) and assert that `materialise` (no options) does not show it.
   */
  replica?: { who: Who; extra?: string[]; shows: (doc: CandorDocument) => boolean };
}

export interface RefusedAttack {
  org: Org;
  attacker: Who;
  space: SpaceId;
  attacks: AttackWrite[];
  /** People whose fresh clients must not receive any of it (raw bytes of every synced space). */
  readers: { who: Who; extra?: string[] }[];
  /** Who reads `/v1/document`; it must answer 200 without any of it. */
  viewers: Viewer[];
  /** Restarts after the attack; each followed by the same checks. Default: SIGTERM. */
  restarts?: NodeJS.Signals[];
  /** Attack-specific checks (e.g. the real record is still the one shown), run after the attack and after each restart. */
  check?: (phase: string) => Promise<void>;
}

/** Asserts that nothing of the attacks is visible or stored, now (phase): one soft assertion listing every leak. */
export async function expectNothingVisible(c: RefusedAttack, phase: string): Promise<void> {
  const markers = c.attacks.map((a) => a.marker).filter(Boolean);
  const leaks: string[] = [];
  for (const r of c.readers) {
    const fresh = await freshClient(c.org, r.who, r.extra);
    try {
      for (const m of markers) for (const s of fresh.containing(m)) leaks.push(`${r.who}'s fresh client received ${m} in ${s}`);
      const mat = fresh.materialised();
      if (!mat.ok) leaks.push(`${r.who}'s client cannot materialise its spaces: ${mat.error}`);
    } finally {
      fresh.destroy();
    }
  }
  for (const v of c.viewers) {
    const res = await view(c.org, v);
    if (res.status !== 200) leaks.push(`GET /v1/document as ${v} answered ${res.status}`);
    for (const m of markers) if (res.text.includes(m)) leaks.push(`GET /v1/document as ${v} shows ${m}`);
  }
  for (const m of markers) if (storedContains(c.org, c.space, m)) leaks.push(`SQLite holds ${m} in ${c.space}`);
  expect.soft(leaks, `${phase}: nothing of the attack may be visible or stored`).toEqual([]);
  await c.check?.(phase);
}

/**
 * The whole scenario: each attack from its own connection (a refused update closes the space), each
 * refused with `refused: …`; nothing visible to fresh clients, in `/v1/document` or in SQLite; the
 * server restarts (each signal) with nothing visible after; then a legitimate check-in in the space is
 * acknowledged, relayed and stored.
 */
export async function expectRefusedAttack(c: RefusedAttack): Promise<void> {
  const landed: { attack: AttackWrite; update: Uint8Array }[] = [];
  for (const attack of c.attacks) {
    const a = await Attacker.open(c.org, c.attacker, c.space, { transport: attack.transport, offline: attack.offline ? attack.write : undefined });
    try {
      const outcome = attack.offline ? await a.syncOutcome() : await a.write(attack.write);
      expectRefused(outcome, `${attack.label} (${c.attacker} → ${c.space}${attack.offline ? ', in the initial sync' : ''})`);
      landed.push({ attack, update: a.attackUpdate });
    } finally {
      a.destroy();
    }
  }
  await expectNothingVisible(c, 'after the attack');
  for (const { attack, update } of landed) {
    if (!attack.replica) continue;
    const r = attack.replica;
    const fresh = await freshClient(c.org, r.who, r.extra);
    try {
      const doc = fresh.docs.get(c.space);
      expect(doc, `${r.who} syncs ${c.space}`).toBeDefined();
      // Offline first, so the replica does not send the attack back to the server in the reader's name.
      fresh.conn.destroy();
      Y.applyUpdate(doc!, update);
      const mat = fresh.materialised();
      expect.soft(mat.ok ? r.shows(mat.document) : mat.error, `defence in depth: ${r.who}'s client, handed "${attack.label}" anyway (an unchecked relay), must not show it`).toBe(false);
    } finally {
      fresh.destroy();
    }
  }
  for (const signal of c.restarts ?? ['SIGTERM']) {
    const code = await c.org.restart(signal);
    if (signal === 'SIGTERM') expect.soft(code, 'a SIGTERM stop exits 0').toBe(0);
    await expectNothingVisible(c, `after a ${signal} restart`);
  }
  if (LEGIT[c.space]) await expectLegitCheckIn(c.org, c.space, 'after the attack and the restarts');
}
