// Real server processes on loopback for the team-sync tests: spawn `server/main.ts` with a temp
// config and SQLite file, a real redis-server, and Node clients (`connectSpaces` over `ws`).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { connectSpaces, type SpaceConnection, type SyncStatus } from '../../core/sync/index.ts';
import { documentToSpaces, writeRecord, materialise, recordIds } from '../../core/store/space.ts';
import type { CandorDocument } from '../../core/model/index.ts';
import { emptyDocument } from '../../core/model/index.ts';
import { sha256Hash } from '../../server/auth.ts';
import { SpaceStorage } from '../../server/storage.ts';
import { freePort } from '../../scripts/free-port.ts';

export { freePort };

export const ROOT = resolve(import.meta.dirname, '../..');


export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'candor-server-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Tokens the tests use, by person. */
export const TOKENS = {
  alice: 'candor_alice-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  bob: 'candor_bob-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  carol: 'candor_carol-token-cccccccccccccccccccccccccccccccccccc',
  dave: 'candor_dave-token-dddddddddddddddddddddddddddddddddddddd',
} as const;
export type Who = keyof typeof TOKENS;

/** alice and bob are in team-a; carol in team-b (members-only); dave is an admin in no team. */
export function testConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organisation: 'Test Org',
    people: [
      { id: 'alice', name: 'Alice', email: 'alice@example.com', teamIds: ['team-a'], tokenHashes: [sha256Hash(TOKENS.alice)] },
      { id: 'bob', name: 'Bob', teamIds: ['team-a'], tokenHashes: [sha256Hash(TOKENS.bob)] },
      { id: 'carol', name: 'Carol', teamIds: ['team-b'], tokenHashes: [sha256Hash(TOKENS.carol)] },
      { id: 'dave', name: 'Dave', teamIds: [], tokenHashes: [sha256Hash(TOKENS.dave)] },
    ],
    teams: [
      { id: 'team-a', name: 'Team A' },
      { id: 'team-b', name: 'Team B', visibility: 'members' },
    ],
    admins: ['dave'],
    allowedOrigins: ['https://intranet.example.com'],
    anonymousRead: true,
    ...extra,
  };
}

export const CYCLE = { id: 'q1', name: 'Q1', start: '2026-01-01', end: '2026-03-31' };
const T = '2026-01-05T09:00:00Z';

/** A small organisation document: one objective per person/team of each visibility. */
export function testDocument(): CandorDocument {
  const doc = emptyDocument(T);
  doc.cycles.push(CYCLE);
  const objective = (id: string, owner: { kind: 'person' | 'team' | 'company'; id: string }, visibility: 'public' | 'team' | 'private') => {
    doc.objectives.push({ id, cycleId: 'q1', title: `Objective ${id}`, owner, type: 'committed', visibility, state: 'active', rollup: 'key-results', createdAt: T, updatedAt: T });
    doc.keyResults.push({ id: `${id}-kr`, objectiveId: id, title: `KR of ${id}`, weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 } });
  };
  objective('alice-public', { kind: 'person', id: 'alice' }, 'public');
  objective('alice-team', { kind: 'person', id: 'alice' }, 'team');
  objective('carol-team', { kind: 'person', id: 'carol' }, 'team');
  objective('team-a-public', { kind: 'team', id: 'team-a' }, 'public');
  objective('team-b-public', { kind: 'team', id: 'team-b' }, 'public');
  objective('company-public', { kind: 'company', id: 'org' }, 'public');
  doc.comments.push({ id: 'c1', target: { kind: 'objective', id: 'alice-team' }, authorId: 'bob', at: T, text: 'on a team objective' });
  doc.comments.push({ id: 'c2', target: { kind: 'objective', id: 'alice-public' }, authorId: 'bob', at: T, text: 'on a public objective' });
  return doc;
}

export interface RunningServer {
  port: number;
  url: string;
  http: string;
  proc: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export interface ServerSetup {
  dir: string;
  configPath: string;
  dbPath: string;
}

/** Writes a config and (optionally) seeds the SQLite file with a document's spaces. */
export function prepare(dir: string, config: Record<string, unknown> = testConfig(), seed: CandorDocument | undefined = testDocument(), dbName = 'candor.sqlite'): ServerSetup {
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const dbPath = join(dir, dbName);
  if (seed) {
    const storage = new SpaceStorage(dbPath);
    for (const [space, ydoc] of documentToSpaces(seed)) if (!space.startsWith('private:')) storage.seed(space, ydoc);
    storage.close();
  }
  return { dir, configPath, dbPath };
}

/** Starts `server/main.ts` and resolves when it prints READY. */
export async function startServer(setup: ServerSetup, options: { port?: number; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CANDOR_CONFIG: setup.configPath, CANDOR_DB: setup.dbPath, CANDOR_CHANGE_DEBOUNCE_MS: '50', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in 15 s:\n${out}`)), 15_000);
    const check = () => {
      if (out.includes('READY')) {
        clearTimeout(timer);
        res();
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`server exited (${code}) before READY:\n${out}`));
    });
  });
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    http: `http://127.0.0.1:${port}`,
    proc,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
  };
}

/** Starts a throwaway redis-server (no persistence) on a free port. */
export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const binary = process.env.REDIS_SERVER ?? (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server');
  const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`redis did not start:\n${out}`)), 10_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      if (/ready to accept connections/i.test(out)) {
        clearTimeout(timer);
        res();
      }
    });
    proc.once('exit', (code) => rej(new Error(`redis exited (${code}):\n${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((res) => {
        if (proc.exitCode !== null) return res();
        proc.once('exit', () => res());
        proc.kill('SIGTERM');
      }),
  };
}

export interface Client {
  conn: SpaceConnection;
  docs: Map<string, Y.Doc>;
  doc: (space: string) => Y.Doc;
  statuses: SyncStatus[];
}

/** A Node client syncing the given spaces with a token. */
export function client(url: string, token: string, spaces: string[], docs: Map<string, Y.Doc> = new Map()): Client {
  for (const s of spaces) if (!docs.has(s)) docs.set(s, new Y.Doc());
  const conn = connectSpaces({ url, token, spaces: [...docs].filter(([s]) => spaces.includes(s)), WebSocketPolyfill: WebSocket, minDelay: 100, maxDelay: 400 });
  const statuses: SyncStatus[] = [];
  conn.subscribe((s) => statuses.push(s));
  return { conn, docs, doc: (s) => docs.get(s)!, statuses };
}

/** Resolves when `test()` holds for the connection's status (checked on every change). */
export function until(conn: SpaceConnection, test: (s: SyncStatus) => boolean, timeoutMs = 8000, what = 'status'): Promise<SyncStatus> {
  if (test(conn.status)) return Promise.resolve(conn.status);
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      off();
      rej(new Error(`timed out waiting for ${what}; last status ${JSON.stringify(conn.status)}`));
    }, timeoutMs);
    const off = conn.subscribe((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      off();
      res(s);
    });
  });
}

/** Resolves when a Y.Doc satisfies `test` (checked after every update). */
export function docUntil(doc: Y.Doc, test: () => boolean, timeoutMs = 8000, what = 'document'): Promise<void> {
  if (test()) return Promise.resolve();
  return new Promise((res, rej) => {
    const onUpdate = () => {
      if (!test()) return;
      clearTimeout(timer);
      doc.off('update', onUpdate);
      res();
    };
    const timer = setTimeout(() => {
      doc.off('update', onUpdate);
      rej(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    doc.on('update', onUpdate);
  });
}

/** Resolves when `test` holds, checked after every update of any of the documents. */
export function docsUntil(docs: Y.Doc[], test: () => boolean, timeoutMs = 8000, what = 'documents'): Promise<void> {
  if (test()) return Promise.resolve();
  return new Promise((res, rej) => {
    const off = () => docs.forEach((d) => d.off('update', onUpdate));
    const onUpdate = () => {
      if (!test()) return;
      clearTimeout(timer);
      off();
      res();
    };
    const timer = setTimeout(() => {
      off();
      rej(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    docs.forEach((d) => d.on('update', onUpdate));
  });
}

let seq = 0;
/** Writes a check-in into a space's Y.Doc with the store's layout. */
export function checkIn(doc: Y.Doc, keyResultId: string, authorId: string, value: number, id = `ci-${authorId}-${process.pid}-${++seq}`): string {
  writeRecord(doc, 'checkIns', { id, keyResultId, authorId, at: new Date().toISOString(), value, confidence: 0.8 });
  return id;
}

/** The ids of the check-ins a space's Y.Doc holds (what arrived, whatever a reader would admit). */
export function checkInIds(doc: Y.Doc): string[] {
  return recordIds(doc, 'checkIns');
}

/** Reads what SQLite holds for a space (the server must be stopped, or WAL readers are fine too). */
export function storedSpace(dbPath: string, space: string): Y.Doc {
  const storage = new SpaceStorage(dbPath);
  const doc = new Y.Doc();
  storage.loadInto(space, doc);
  storage.close();
  return doc;
}
