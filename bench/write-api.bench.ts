// The HTTP write API under load: 500 simulated people connected over WebSockets (the server-load
// workers, each checking in every ~10 s as in bench/server-load.bench.ts) while one script POSTs
// check-ins to /v1/check-ins; measures POST → 201, and POST → the check-in arriving at another
// person's WebSocket client. Then the browser sign-in round trip (the authorization-code flow with
// PKCE against a real OpenID provider on loopback: /auth/login → provider login → /auth/callback →
// /v1/session), p50. CANDOR_WRITE_SECONDS (default 30) and CANDOR_WRITE_CLIENTS (default 500) resize it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { emptyDocument } from '../core/model/index.ts';
import { collectionLog, documentToSpaces } from '../core/store/space.ts';
import { connectSpaces } from '../core/sync/index.ts';
import { mintToken, sha256Hash } from '../server/auth.ts';
import { SpaceStorage } from '../server/storage.ts';
import { freePort } from '../scripts/free-port.ts';
import { CLIENT_ID, CLIENT_SECRET, startOidcProvider, USERS } from '../test/server/oidc.ts';
import { median, ms, percentile, type BenchRow } from './table.ts';

import { rssMb, startServer, stop } from './server-process.ts';

const ROOT = resolve(import.meta.dirname, '..');
const GROUP = 'HTTP write API';
const stopKill = (proc: ChildProcess) => stop(proc, 'SIGKILL');
const now = () => performance.timeOrigin + performance.now();
const sleep = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t)));

export async function run(): Promise<BenchRow[]> {
  const seconds = Math.min(120, Math.max(5, Number(process.env.CANDOR_WRITE_SECONDS ?? 30)));
  const clients = Math.min(2000, Math.max(10, Number(process.env.CANDOR_WRITE_CLIENTS ?? 500)));
  const workers = 2;
  const dir = mkdtempSync(join(tmpdir(), 'candor-write-'));
  const procs: ChildProcess[] = [];
  const rows: BenchRow[] = [];
  const port = await freePort();
  const provider = await startOidcProvider({ redirectUris: [`http://127.0.0.1:${port}/auth/callback`] });
  try {
    const T = new Date().toISOString();
    const doc = emptyDocument(T);
    const year = T.slice(0, 4);
    doc.cycles.push({ id: 'now', name: 'This year', start: `${year}-01-01`, end: `${year}-12-31` });
    const people = Array.from({ length: clients }, (_, i) => ({ id: `p${i}`, team: `t${Math.floor(i / 5)}`, token: mintToken() }));
    for (const p of people) {
      doc.objectives.push({ id: `o-${p.id}`, cycleId: 'now', title: `Objective of ${p.id}`, owner: { kind: 'person', id: p.id }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: T, updatedAt: T });
      doc.keyResults.push({ id: `kr-${p.id}`, objectiveId: `o-${p.id}`, title: 'Ship it', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 } });
    }
    const configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        organisation: 'Write API bench',
        people: people.map((p, i) => ({ id: p.id, name: `Person ${p.id}`, teamIds: [p.team], tokenHashes: [sha256Hash(p.token)], ...(i === 1 ? { email: USERS.alice!.email } : {}) })),
        teams: [...new Set(people.map((p) => p.team))].map((t) => ({ id: t, name: `Team ${t}` })),
        admins: ['p0'],
        anonymousRead: true,
        limits: { connectionsPerMinute: 600, writesPerMinute: 100_000 },
        authentication: {
          tokens: true,
          oidc: { issuer: provider.issuer, clientId: CLIENT_ID, clientSecret: 'env:CANDOR_BENCH_OIDC_SECRET', redirectUri: `http://127.0.0.1:${port}/auth/callback` },
        },
      }),
    );
    const dbPath = join(dir, 'write.sqlite');
    const storage = new SpaceStorage(dbPath);
    for (const [space, ydoc] of documentToSpaces(doc)) storage.seed(space, ydoc);
    storage.close();
    const http = `http://127.0.0.1:${port}`;
    const server = await startServer({ PORT: String(port), HOST: '127.0.0.1', CANDOR_CONFIG: configPath, CANDOR_DB: dbPath, CANDOR_BENCH_OIDC_SECRET: CLIENT_SECRET });
    procs.push(server);

    // ---- Everyone but p0 and p1 connected through the load workers (checking in over the WebSocket every ~10 s).
    const crowd = people.slice(2);
    const ready: Promise<number>[] = [];
    const done: Promise<void>[] = [];
    const connectStarted = now();
    for (let w = 0; w < workers; w++) {
      const mine = crowd.filter((_, i) => i % workers === w).map((p) => {
        const i = Number(p.id.slice(1));
        const mate = people[i % 5 === 4 ? i - 4 : i + 1] ?? people[i - (i % 5)]!;
        return { id: p.id, token: p.token, keyResultId: `kr-${p.id}`, reads: mate.id };
      });
      const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/server-load.worker.ts')], {
        cwd: ROOT,
        env: { ...process.env, CANDOR_LOAD_JOB: JSON.stringify({ url: `ws://127.0.0.1:${port}`, people: mine, intervalMs: 10_000 }) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      procs.push(proc);
      ready.push(new Promise((res, rej) => {
        proc.on('message', (m: { type: string; connectMs: number }) => m.type === 'ready' && res(m.connectMs));
        proc.once('exit', (c) => rej(new Error(`worker exited ${c} before it was ready`)));
      }));
      done.push(new Promise((res) => proc.on('message', (m: { type: string }) => m.type === 'done' && res())));
    }
    // p1 (p0's teammate) watches p0's space from this process: the "other WebSocket client".
    const watched = new Y.Doc();
    const arrived = new Map<string, number>();
    collectionLog(watched, 'checkIns').observe((event) => {
      const at = now();
      for (const item of event.changes.added) {
        for (const entry of item.content.getContent() as unknown[]) {
          const value = (typeof entry === 'string' ? JSON.parse(entry) : entry) as { id?: string } | null;
          if (value?.id && !arrived.has(value.id)) arrived.set(value.id, at);
        }
      }
    });
    const watcher = connectSpaces({ url: `ws://127.0.0.1:${port}`, token: people[1]!.token, spaces: [['person:p0', watched]], WebSocketPolyfill: WebSocket });
    await Promise.race([Promise.all([...ready, watcher.whenSynced(120_000)]), sleep(120_000).then(() => Promise.reject(new Error('clients did not connect within 120 s')))]);
    const connectMs = now() - connectStarted;
    const rssConnected = rssMb(server.pid!);

    // ---- POST check-ins as p0 (bearer token) for `seconds` while the crowd checks in too.
    const until = now() + seconds * 1000;
    for (const p of procs.slice(1)) p.send({ type: 'go', until });
    const sent = new Map<string, number>();
    const created: number[] = [];
    let failures = 0;
    let n = 0;
    while (now() < until) {
      const started = now();
      const res = await fetch(`${http}/v1/check-ins`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${people[0]!.token}`, 'Content-Type': 'application/json', 'Idempotency-Key': `bench-${++n}` },
        body: JSON.stringify({ keyResultId: 'kr-p0', value: n % 100, confidence: 0.7 }),
      });
      const body = (await res.json()) as { id?: string };
      if (res.status === 201 && body.id) {
        created.push(now() - started);
        sent.set(body.id, started);
      } else failures++;
      await sleep(250 - (now() - started));
    }
    await sleep(1500);
    const visible: number[] = [];
    let missing = 0;
    for (const [id, at] of sent) {
      const got = arrived.get(id);
      if (got === undefined) missing++;
      else visible.push(got - at);
    }
    await Promise.race([Promise.all(done), sleep(30_000)]);
    const load = `${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
    const rssAfter = rssMb(server.pid!);
    watcher.destroy();

    // ---- The browser sign-in round trip: code flow with PKCE to a cookie session.
    const trips: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = now();
      const login = await fetch(`${http}/auth/login?return=${encodeURIComponent('/v1/session')}`, { redirect: 'manual' });
      const flow = login.headers.getSetCookie()[0]!.split(';')[0]!;
      const back = await provider.login(login.headers.get('location')!, 'alice');
      const callback = await fetch(back, { redirect: 'manual', headers: { Cookie: flow } });
      await callback.text();
      const cookie = callback.headers.getSetCookie().find((c) => c.startsWith('candor-session='))!.split(';')[0]!;
      const session = await fetch(`${http}/v1/session`, { headers: { Cookie: cookie } });
      if (session.status !== 200) throw new Error(`sign-in round trip ended in ${session.status}`);
      await session.json();
      trips.push(now() - started);
    }

    const p50p95 = (xs: number[]) => (xs.length ? `${ms(median(xs))} / ${ms(percentile(xs, 95))}` : 'no samples');
    rows.push(
      { group: GROUP, name: `WebSocket clients connected (${workers} workers, checking in every ~10 s)`, value: `${crowd.length + 1} in ${(connectMs / 1000).toFixed(1)} s` },
      { group: GROUP, name: `POST /v1/check-ins in ${seconds} s (one script, every 250 ms)`, value: `${created.length} created${failures ? `, ${failures} failed` : ''}` },
      { group: GROUP, name: 'POST /v1/check-ins → 201, p50 / p95', value: p50p95(created) },
      {
        group: GROUP,
        name: 'POST /v1/check-ins → visible in another WebSocket client, p50 / p95',
        value: `${p50p95(visible)}${missing ? ` (${missing} never arrived)` : ''}`,
        budget: 'p95 ≤ 1 s',
        ...(visible.length ? { verdict: percentile(visible, 95) <= 1000 && missing === 0 ? 'within' : 'over' } : {}),
      },
      { group: GROUP, name: 'server RSS connected / after', value: `${rssConnected.toFixed(0)} / ${rssAfter.toFixed(0)} MB` },
      { group: GROUP, name: 'machine load average during the run (1 min, shared cores)', value: load },
      { group: GROUP, name: 'sign-in round trip (code flow + PKCE → cookie → /v1/session), p50 / p95 of 20', value: p50p95(trips) },
    );
  } finally {
    for (const p of procs) await stopKill(p);
    await provider.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
