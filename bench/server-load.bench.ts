// Load on the team server: 500 simulated people on loopback (two worker processes) checking in for
// 60 s (CANDOR_LOAD_SECONDS to shorten, CANDOR_LOAD_CLIENTS to resize). Measures throughput, time from
// a check-in to its arrival at a teammate's client and at a widget (SSE `change` → refetch of
// /v1/document), server memory, and — after a graceful restart — that no acknowledged check-in was lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { emptyDocument, type CandorDocument } from '../core/model/index.ts';
import { documentToSpaces } from '../core/store/space.ts';
import { mintToken, sha256Hash } from '../server/auth.ts';
import { SpaceStorage } from '../server/storage.ts';
import { median, ms, percentile, type BenchRow } from './table.ts';
import { freePort } from '../scripts/free-port.ts';
import { cpuSeconds, rssMb, startServer, stop } from './server-process.ts';

const ROOT = resolve(import.meta.dirname, '..');
const GROUP = 'server load';
const now = () => performance.timeOrigin + performance.now();


/** A widget following the organisation: on each `change`, refetch the document (If-None-Match). */
function widget(http: string) {
  const seen = new Set<string>();
  const latencies: number[] = [];
  let etag = '';
  let fetching = false;
  let again = false;
  let fetches = 0;
  let events = 0;
  const controller = new AbortController();
  const refetch = async (): Promise<void> => {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      do {
        again = false;
        const res = await fetch(`${http}/v1/document`, { headers: etag ? { 'If-None-Match': etag } : {}, signal: controller.signal });
        fetches++;
        if (res.status === 304) continue;
        const doc = (await res.json()) as CandorDocument;
        const at = now();
        etag = res.headers.get('etag') ?? '';
        for (const c of doc.checkIns as (CandorDocument['checkIns'][number] & { benchSentAt?: number })[]) {
          if (seen.has(c.id)) continue;
          seen.add(c.id);
          if (c.benchSentAt) latencies.push(at - c.benchSentAt);
        }
      } while (again);
    } catch {
      // aborted at the end
    } finally {
      fetching = false;
    }
  };
  let reconnects = 0;
  // Like EventSource: reconnect when the stream breaks, and refetch in case a change was missed.
  const started = (async () => {
    await refetch();
    while (!controller.signal.aborted) {
      try {
        const res = await fetch(`${http}/v1/events`, { signal: controller.signal });
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (block.includes('event: change')) {
              events++;
              void refetch();
            }
          }
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      reconnects++;
      await new Promise((r) => setTimeout(r, 200));
      void refetch();
    }
  })();
  return {
    latencies,
    stats: () => ({ fetches, events, reconnects }),
    close: async () => {
      controller.abort();
      await started.catch(() => {});
    },
  };
}

/**
 * The load run, twice in one go: with the server's update check (the real thing) and without it
 * (`CANDOR_UNSAFE_NO_UPDATE_CHECK=1`), so the check's cost on acknowledgements is a ratio measured
 * side by side. CANDOR_LOAD_UNCHECKED=0 skips the second run.
 */
export async function run(): Promise<BenchRow[]> {
  const checked = await runOnce(false);
  if (process.env.CANDOR_LOAD_UNCHECKED === '0') return checked.rows;
  const unchecked = await runOnce(true);
  const ratio = unchecked.ackP95 > 0 ? checked.ackP95 / unchecked.ackP95 : NaN;
  return [
    ...checked.rows,
    ...unchecked.rows.filter((r) => /ack|acknowledged in|teammate client/.test(r.name)).map((r) => ({ ...r, name: `${r.name} — update check off` })),
    {
      group: GROUP,
      name: 'ack p95 with the update check ÷ without (same machine, one after the other)',
      value: `${ratio.toFixed(2)}× (${ms(checked.ackP95)} vs ${ms(unchecked.ackP95)})`,
      budget: '≤ 1.5× and ≤ 50 ms',
      verdict: ratio <= 1.5 && checked.ackP95 <= 50 ? 'within' : 'over',
    },
  ];
}

async function runOnce(unchecked: boolean): Promise<{ rows: BenchRow[]; ackP95: number }> {
  const seconds = Math.min(60, Math.max(3, Number(process.env.CANDOR_LOAD_SECONDS ?? 60)));
  const clients = Math.min(2000, Math.max(10, Number(process.env.CANDOR_LOAD_CLIENTS ?? 500)));
  const intervalMs = 10_000; // each person checks in every ~10 s: an organisation's whole week in a minute
  const workers = 2;
  const dir = mkdtempSync(join(tmpdir(), 'candor-load-'));
  const rows: BenchRow[] = [];
  const procs: ChildProcess[] = [];
  let ackP95 = 0;
  try {
    // ---- An organisation of `clients` people in teams of five, one objective and key result each.
    const T = new Date().toISOString();
    const doc = emptyDocument(T);
    const day = T.slice(0, 10);
    doc.cycles.push({ id: 'now', name: 'This quarter', start: `${day.slice(0, 4)}-01-01`, end: `${day.slice(0, 4)}-12-31` });
    const people = Array.from({ length: clients }, (_, i) => ({ id: `p${i}`, team: `t${Math.floor(i / 5)}`, token: mintToken() }));
    for (const p of people) {
      doc.objectives.push({ id: `o-${p.id}`, cycleId: 'now', title: `Objective of ${p.id}`, owner: { kind: 'person', id: p.id }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: T, updatedAt: T });
      doc.keyResults.push({ id: `kr-${p.id}`, objectiveId: `o-${p.id}`, title: 'Ship it', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 } });
    }
    const configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        organisation: 'Load test',
        people: people.map((p) => ({ id: p.id, name: `Person ${p.id}`, teamIds: [p.team], tokenHashes: [sha256Hash(p.token)] })),
        teams: [...new Set(people.map((p) => p.team))].map((t) => ({ id: t, name: `Team ${t}` })),
        admins: ['p0'],
        anonymousRead: true,
        limits: { connectionsPerMinute: 600 },
      }),
    );
    const dbPath = join(dir, 'load.sqlite');
    const storage = new SpaceStorage(dbPath);
    for (const [space, ydoc] of documentToSpaces(doc)) storage.seed(space, ydoc);
    storage.close();

    const port = await freePort();
    const env = { PORT: String(port), HOST: '127.0.0.1', CANDOR_CONFIG: configPath, CANDOR_DB: dbPath, ...(unchecked ? { CANDOR_UNSAFE_NO_UPDATE_CHECK: '1' } : {}) };
    let server = await startServer(env);
    procs.push(server);
    const rssIdle = rssMb(server.pid!);

    // ---- Workers connect everyone.
    const results: { delivery: number[]; ackLatency: number[]; acked: string[]; errors: number; unacked: number; errorSamples: string[] }[] = [];
    const ready: Promise<number>[] = [];
    const done: Promise<void>[] = [];
    const connectStarted = now();
    for (let w = 0; w < workers; w++) {
      const mine = people.filter((_, i) => i % workers === w).map((p) => {
        const i = Number(p.id.slice(1));
        const mate = people[i % 5 === 4 || i + 1 >= people.length ? i - (i % 5) : i + 1]!; // the next teammate, round the team
        return { id: p.id, token: p.token, keyResultId: `kr-${p.id}`, reads: mate.id === p.id ? people[(i + 1) % people.length]!.id : mate.id };
      });
      const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/server-load.worker.ts')], {
        cwd: ROOT,
        env: { ...process.env, CANDOR_LOAD_JOB: JSON.stringify({ url: `ws://127.0.0.1:${port}`, people: mine, intervalMs }) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      procs.push(proc);
      ready.push(new Promise((res, rej) => {
        proc.on('message', (m: { type: string; connectMs: number }) => m.type === 'ready' && res(m.connectMs));
        proc.once('exit', (c) => rej(new Error(`worker exited ${c} before it was ready`)));
      }));
      done.push(new Promise((res, rej) => {
        proc.on('message', (m: { type: string } & (typeof results)[number]) => {
          if (m.type === 'done') {
            results.push(m);
            res();
          }
        });
        proc.once('exit', (c) => (c === 0 ? undefined : rej(new Error(`worker exited ${c}`))));
      }));
    }
    await Promise.race([Promise.all(ready), new Promise((_, rej) => setTimeout(() => rej(new Error('clients did not connect within 120 s')), 120_000))]);
    const connectMs = now() - connectStarted;
    const rssConnected = rssMb(server.pid!);

    // ---- Check in for `seconds`, with a widget following the organisation.
    const follower = widget(`http://127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 500));
    let rssPeak = rssConnected;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(server.pid!))), 500);
    const cpuBefore = cpuSeconds(server.pid!);
    const until = now() + seconds * 1000;
    for (const p of procs.slice(1)) p.send({ type: 'go', until });
    await Promise.race([Promise.all(done), new Promise((_, rej) => setTimeout(() => rej(new Error('workers did not finish in time')), (seconds + 60) * 1000))]);
    clearInterval(sampler);
    const serverCpu = cpuSeconds(server.pid!) - cpuBefore;
    const loadDuring = `${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
    await new Promise((r) => setTimeout(r, 500));
    await follower.close();
    const rssAfter = rssMb(server.pid!);

    const delivery = results.flatMap((r) => r.delivery);
    const ack = results.flatMap((r) => r.ackLatency);
    const acked = results.flatMap((r) => r.acked);
    const unacked = results.reduce((n, r) => n + r.unacked, 0);
    const widgetLat = follower.latencies;
    const { fetches, events, reconnects } = follower.stats();

    // ---- Graceful restart, then read back from a fresh connection.
    await stop(server, 'SIGTERM');
    server = await startServer(env);
    procs.push(server);
    const fresh = (await (await fetch(`http://127.0.0.1:${port}/v1/document`)).json()) as CandorDocument;
    const stored = new Set(fresh.checkIns.map((c) => c.id));
    const lost = acked.filter((id) => !stored.has(id)).length;

    ackP95 = ack.length ? percentile(ack, 95) : 0;
    const samples = results.flatMap((r) => r.errorSamples);
    if (samples.length) console.error(`server-load: ${samples.slice(0, 3).join(' | ')}`);
    const p50p95 = (xs: number[]) => (xs.length ? `${ms(median(xs))} / ${ms(percentile(xs, 95))}` : 'no samples');
    const within = (v: number, budget: number) => (v <= budget ? 'within' : 'over') as 'within' | 'over';
    rows.push(
      { group: GROUP, name: `clients connected (${workers} worker processes)`, value: `${clients} in ${(connectMs / 1000).toFixed(1)} s` },
      { group: GROUP, name: `check-ins acknowledged in ${seconds} s`, value: `${acked.length} (${(acked.length / seconds).toFixed(1)}/s)${unacked ? `, ${unacked} not acknowledged` : ''}` },
      { group: GROUP, name: 'check-in → server ack, p50 / p95', value: p50p95(ack) },
      { group: GROUP, name: 'check-in → teammate client, p50 / p95', value: p50p95(delivery), budget: 'p95 ≤ 1 s', ...(delivery.length ? { verdict: within(percentile(delivery, 95), 1000) } : {}) },
      {
        group: GROUP,
        name: 'check-in → widget (/v1/events + refetch), p50 / p95',
        value: p50p95(widgetLat),
        budget: 'p95 ≤ 1 s',
        ...(widgetLat.length ? { verdict: within(percentile(widgetLat, 95), 1000) } : {}),
      },
      { group: GROUP, name: 'widget: change events / document fetches', value: `${events} / ${fetches}${reconnects ? ` (${reconnects} stream reconnects)` : ''}` },
      { group: GROUP, name: 'server RSS idle / connected / peak / after', value: `${rssIdle.toFixed(0)} / ${rssConnected.toFixed(0)} / ${rssPeak.toFixed(0)} / ${rssAfter.toFixed(0)} MB` },
      { group: GROUP, name: 'server CPU during the run', value: `${serverCpu.toFixed(1)} s (${((serverCpu / seconds) * 100).toFixed(0)}% of one core)` },
      { group: GROUP, name: 'machine load average during the run (1 min, shared cores)', value: loadDuring },
      { group: GROUP, name: 'acknowledged check-ins lost (after graceful restart)', value: `${lost} of ${acked.length}`, budget: '0', verdict: lost === 0 ? 'within' : 'over' },
    );
  } finally {
    for (const p of procs) await stop(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, ackP95 };
}
