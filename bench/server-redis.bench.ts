// Scale-out through Redis: two instances on loopback sharing a real redis-server, an organisation of
// 500 people (701 spaces, every one loaded on both instances).
//
// 1. Healing: Redis is killed, a check-in is made through each instance, Redis comes back on the same
//    port; the time from Redis accepting connections again to both check-ins being on a client of
//    the other instance (no edit in between). CANDOR_HEAL_RUNS runs (default 8), p50 / p95.
// 2. Steady state: 500 clients, half on each instance, each reading a teammate connected to the
//    other instance, checking in every ~10 s for CANDOR_REDIS_LOAD_SECONDS (default 30): check-in →
//    the teammate's client on the other instance, p50 / p95.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { emptyDocument } from '../core/model/index.ts';
import { documentToSpaces, recordIds, writeRecord } from '../core/store/space.ts';
import { connectSpaces } from '../core/sync/index.ts';
import { mintToken, sha256Hash } from '../server/auth.ts';
import { SpaceStorage } from '../server/storage.ts';
import { freePort } from '../scripts/free-port.ts';
import { median, ms, percentile, type BenchRow } from './table.ts';

import { cpuSeconds } from './server-process.ts';

const ROOT = resolve(import.meta.dirname, '..');
const GROUP = 'server + Redis';
const now = () => performance.timeOrigin + performance.now();

interface Proc {
  proc: ChildProcess;
  exited: Promise<void>;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

function track(proc: ChildProcess): Proc {
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  return {
    proc,
    exited,
    stop: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

async function startRedis(port: number): Promise<Proc> {
  const binary = process.env.REDIS_SERVER ?? (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server');
  const p = track(spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`redis did not start: ${out}`)), 10_000);
    p.proc.stdout!.on('data', (d) => {
      out += d;
      if (/ready to accept connections/i.test(out)) {
        clearTimeout(timer);
        res();
      }
    });
    void p.exited.then(() => rej(new Error(`redis exited: ${out}`)));
  });
  return p;
}

async function startServer(env: Record<string, string>): Promise<Proc> {
  const p = track(spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  p.proc.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start: ${out}`)), 60_000);
    p.proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('READY')) {
        clearTimeout(timer);
        res();
      }
    });
    void p.exited.then(() => rej(new Error(`server exited: ${out}`)));
  });
  if (process.env.CANDOR_BENCH_DEBUG) p.proc.stdout!.on('data', (d) => process.stderr.write(`[server] ${d}`));
  return p;
}

/** The organisation: `n` people in teams of five, one public objective and key result each. */
function organisation(dir: string, n: number) {
  const T = new Date().toISOString();
  const doc = emptyDocument(T);
  const year = T.slice(0, 4);
  doc.cycles.push({ id: 'now', name: 'This year', start: `${year}-01-01`, end: `${year}-12-31` });
  const people = Array.from({ length: n }, (_, i) => ({ id: `p${i}`, team: `t${Math.floor(i / 5)}`, token: mintToken() }));
  for (const p of people) {
    doc.objectives.push({ id: `o-${p.id}`, cycleId: 'now', title: `Objective of ${p.id}`, owner: { kind: 'person', id: p.id }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: T, updatedAt: T });
    doc.keyResults.push({ id: `kr-${p.id}`, objectiveId: `o-${p.id}`, title: 'Ship it', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 } });
  }
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      organisation: 'Redis bench',
      people: people.map((p) => ({ id: p.id, name: `Person ${p.id}`, teamIds: [p.team], tokenHashes: [sha256Hash(p.token)] })),
      teams: [...new Set(people.map((p) => p.team))].map((t) => ({ id: t, name: `Team ${t}` })),
      admins: ['p0'],
      anonymousRead: true,
      limits: { connectionsPerMinute: 600 },
    }),
  );
  const dbs = ['a', 'b'].map((x) => join(dir, `${x}.sqlite`));
  for (const db of dbs) {
    const storage = new SpaceStorage(db);
    for (const [space, ydoc] of documentToSpaces(doc)) storage.seed(space, ydoc);
    storage.close();
  }
  return { people, configPath, dbs };
}

/** A person's own space read-write plus a teammate's space read, over one connection. */
function person(url: string, token: string, own: string, reads: string) {
  const docs = new Map([
    [own, new Y.Doc()],
    [reads, new Y.Doc()],
  ]);
  const conn = connectSpaces({ url, token, spaces: docs, WebSocketPolyfill: WebSocket, minDelay: 200, maxDelay: 1000 });
  return { conn, own: docs.get(own)!, read: docs.get(reads)! };
}

/** Resolves when `test()` holds after an update of `doc` (or now); rejects after `timeoutMs`. */
function until(doc: Y.Doc, test: () => boolean, timeoutMs: number): Promise<void> {
  if (test()) return Promise.resolve();
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      doc.off('update', check);
      rej(new Error(`not within ${timeoutMs} ms`));
    }, timeoutMs);
    const check = () => {
      if (!test()) return;
      clearTimeout(timer);
      doc.off('update', check);
      res();
    };
    doc.on('update', check);
  });
}

export async function run(): Promise<BenchRow[]> {
  const runs = Math.min(30, Math.max(1, Number(process.env.CANDOR_HEAL_RUNS ?? 8)));
  const seconds = Math.min(120, Math.max(5, Number(process.env.CANDOR_REDIS_LOAD_SECONDS ?? 30)));
  const clients = Math.min(2000, Math.max(10, Number(process.env.CANDOR_LOAD_CLIENTS ?? 500)));
  const dir = mkdtempSync(join(tmpdir(), 'candor-redis-bench-'));
  const procs: Proc[] = [];
  const rows: BenchRow[] = [];
  try {
    const org = organisation(dir, clients);
    const spaces = 1 + 2 * Math.ceil(clients / 5) + clients;
    const redisPort = await freePort();
    let redis = await startRedis(redisPort);
    procs.push(redis);
    const ports = [await freePort(), await freePort()];
    const servers = await Promise.all(
      ports.map((port, i) =>
        startServer({ PORT: String(port), HOST: '127.0.0.1', CANDOR_CONFIG: org.configPath, CANDOR_DB: org.dbs[i]!, REDIS_URL: `redis://127.0.0.1:${redisPort}` }),
      ),
    );
    procs.push(...servers);
    const url = (i: number) => `ws://127.0.0.1:${ports[i]}`;

    // ---- 1. Healing after Redis returns.
    // p0 (on A) and p1 (on B) are teammates: each reads the other's space.
    const [p0, p1] = org.people as [(typeof org.people)[number], (typeof org.people)[number]];
    const onA = person(url(0), p0.token, `person:${p0.id}`, `person:${p1.id}`);
    const onB = person(url(1), p1.token, `person:${p1.id}`, `person:${p0.id}`);
    await Promise.all([onA.conn.whenSynced(30_000), onB.conn.whenSynced(30_000)]);
    const heal: number[] = [];
    for (let r = 0; r < runs; r++) {
      await redis.stop('SIGKILL');
      const write = (c: typeof onA, who: string) => {
        const id = `heal-${who}-${r}`;
        writeRecord(c.own, 'checkIns', { id, keyResultId: `kr-${who}`, authorId: who, at: new Date().toISOString(), value: r, confidence: 0.7 });
        return id;
      };
      const fromA = write(onA, p0.id);
      const fromB = write(onB, p1.id);
      await Promise.all([onA.conn.flushed(10_000), onB.conn.flushed(10_000)]); // acknowledged, each by its own instance
      redis = await startRedis(redisPort);
      procs.push(redis);
      const back = now();
      await Promise.all([
        until(onB.read, () => recordIds(onB.read, 'checkIns').includes(fromA), 30_000),
        until(onA.read, () => recordIds(onA.read, 'checkIns').includes(fromB), 30_000),
      ]);
      heal.push(now() - back);
    }
    onA.conn.destroy();
    onB.conn.destroy();
    rows.push({
      group: GROUP,
      name: `heal after Redis returns (${spaces} spaces per instance, ${runs} runs): Redis ready → both outage check-ins on the other instance's client, p50 / p95`,
      value: `${ms(median(heal))} / ${ms(percentile(heal, 95))}`,
      budget: 'within seconds (reconnection backoff ≤ 1 s)',
      verdict: percentile(heal, 95) <= 5000 ? 'within' : 'over',
    });

    // ---- 2. Steady state: half the people on each instance, each reading a teammate on the other one.
    const intervalMs = 10_000;
    const jobs = [0, 1].map((w) =>
      org.people
        .map((p, i) => ({ p, i }))
        .filter(({ i }) => i % 2 === w)
        .map(({ p, i }) => {
          const mate = i % 5 === 4 || i + 1 >= org.people.length ? org.people[i - 1]! : org.people[i + 1]!; // opposite parity: the other instance
          return { id: p.id, token: p.token, keyResultId: `kr-${p.id}`, reads: mate.id };
        }),
    );
    const results: { delivery: number[]; ackLatency: number[]; acked: string[]; unacked: number }[] = [];
    const ready: Promise<number>[] = [];
    const done: Promise<void>[] = [];
    const workers: ChildProcess[] = [];
    const connectStarted = now();
    for (let w = 0; w < 2; w++) {
      const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/server-load.worker.ts')], {
        cwd: ROOT,
        env: { ...process.env, CANDOR_LOAD_JOB: JSON.stringify({ url: url(w), people: jobs[w], intervalMs }) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      workers.push(proc);
      procs.push(track(proc));
      ready.push(
        new Promise((res, rej) => {
          proc.on('message', (m: { type: string; connectMs: number }) => m.type === 'ready' && res(m.connectMs));
          proc.once('exit', (c) => rej(new Error(`worker exited ${c} before it was ready`)));
        }),
      );
      done.push(
        new Promise((res, rej) => {
          proc.on('message', (m: { type: string } & (typeof results)[number]) => {
            if (m.type !== 'done') return;
            results.push(m);
            res();
          });
          proc.once('exit', (c) => (c === 0 ? undefined : rej(new Error(`worker exited ${c}`))));
        }),
      );
    }
    await Promise.race([Promise.all(ready), new Promise((_, rej) => setTimeout(() => rej(new Error('clients did not connect within 180 s')), 180_000))]);
    const connectMs = now() - connectStarted;
    const cpuBefore = servers.map((x) => cpuSeconds(x.proc.pid));
    const until_ = now() + seconds * 1000;
    for (const w of workers) w.send({ type: 'go', until: until_ });
    await Promise.race([Promise.all(done), new Promise((_, rej) => setTimeout(() => rej(new Error('workers did not finish in time')), (seconds + 90) * 1000))]);
    const load = `${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
    const cpu = servers.map((x, i) => cpuSeconds(x.proc.pid) - cpuBefore[i]!);
    const delivery = results.flatMap((r) => r.delivery);
    const ack = results.flatMap((r) => r.ackLatency);
    const acked = results.reduce((n, r) => n + r.acked.length, 0);
    const unacked = results.reduce((n, r) => n + r.unacked, 0);
    const p50p95 = (xs: number[]) => (xs.length ? `${ms(median(xs))} / ${ms(percentile(xs, 95))}` : 'no samples');
    rows.push(
      { group: GROUP, name: `clients connected (half on each instance)`, value: `${clients} in ${(connectMs / 1000).toFixed(1)} s` },
      { group: GROUP, name: `check-ins acknowledged in ${seconds} s`, value: `${acked}${unacked ? `, ${unacked} not acknowledged` : ''}` },
      { group: GROUP, name: 'check-in → server ack, p50 / p95', value: p50p95(ack), budget: 'p95 ≤ 50 ms', ...(ack.length ? { verdict: percentile(ack, 95) <= 50 ? 'within' : 'over' } : {}) },
      {
        group: GROUP,
        name: "check-in → teammate's client on the other instance, p50 / p95",
        value: p50p95(delivery),
        budget: 'p95 ≤ 1 s',
        ...(delivery.length ? { verdict: percentile(delivery, 95) <= 1000 ? 'within' : 'over' } : {}),
      },
      { group: GROUP, name: 'server CPU during the run, instance A / B', value: cpu.map((c) => `${c.toFixed(1)} s (${((c / seconds) * 100).toFixed(0)}%)`).join(' / ') },
      { group: GROUP, name: 'machine load average at the end (1 min, shared cores)', value: load },
    );
  } finally {
    for (const p of procs.reverse()) await p.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
