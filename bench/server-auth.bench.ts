// Authentication under a bad-token burst: `/healthz` latency (measured from a worker thread every
// ~20 ms) while 200 sign-ins with bad tokens hit a server whose people have scrypt-hashed tokens —
// over WebSocket (20 sockets × 10 spaces) and over HTTP — with the default failure budgets, and with
// them lifted (then the bounded queue of scrypt checks is what refuses, as "busy").
import { randomBytes } from 'node:crypto';
import { mintToken, scryptHash } from '../server/auth.ts';
import { prepare, startServer, tempDir, testConfig, type RunningServer } from '../test/server/harness.ts';
import { authMessage, percentile, probe, rawSocket } from '../test/server/attacks/wire.ts';
import { median, ms, type BenchRow } from './table.ts';

const GROUP = 'server auth';
const ATTEMPTS = 200;
const SPACES = ['company', 'team:team-a', 'team:team-b', 'person:alice', 'person:bob', 'person:carol', 'person:dave', 'x:1', 'x:2', 'x:3'];

async function scryptConfig(limits: Record<string, number>) {
  const base = testConfig({ limits }) as { people: { id: string; tokenHashes: string[] }[] };
  const kids: string[] = [];
  for (const p of base.people) {
    const token = mintToken();
    kids.push(token.slice('candor_'.length).split('_')[0]!);
    p.tokenHashes = [await scryptHash(token)];
  }
  return { config: base, kids };
}

/** Half the tokens name a key id that exists (wrong secret), half one that does not. */
const badTokens = (kids: string[]) =>
  Array.from({ length: ATTEMPTS }, (_, i) => (i % 2 ? `candor_${kids[i % kids.length]}_${randomBytes(32).toString('base64url')}` : mintToken()));

async function wsBurst(server: RunningServer, tokens: string[]): Promise<{ limited: number; ms: number }> {
  const started = performance.now();
  const sockets = await Promise.all(Array.from({ length: ATTEMPTS / SPACES.length }, () => rawSocket(server.url)));
  sockets.forEach((s, n) => SPACES.forEach((space, i) => s.ws.send(authMessage(space, tokens[n * SPACES.length + i]!))));
  const verdicts = (await Promise.all(sockets.map((s) => s.verdictCount(SPACES.length, 120_000)))).flat();
  for (const s of sockets) s.ws.terminate();
  return { limited: verdicts.filter((v) => v.detail.startsWith('rate-limited')).length, ms: performance.now() - started };
}

async function httpBurst(server: RunningServer, tokens: string[]): Promise<{ limited: number; ms: number }> {
  const started = performance.now();
  const statuses = await Promise.all(
    tokens.map(async (t) => {
      const res = await fetch(`${server.http}/v1/document`, { headers: { Authorization: `Bearer ${t}` } });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  return { limited: statuses.filter((s) => s === 429).length, ms: performance.now() - started };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const tmp = tempDir();
  const servers: RunningServer[] = [];
  try {
    const budgets: { label: string; limits: Record<string, number> }[] = [
      { label: 'default budgets', limits: {} },
      { label: 'failure budgets lifted', limits: { authFailuresPerMinute: 100_000, authFailuresPerSocket: 100_000 } },
    ];
    let n = 0;
    for (const { label, limits } of budgets) {
      const { config, kids } = await scryptConfig(limits);
      for (const [face, burst] of [['WebSocket', wsBurst], ['HTTP', httpBurst]] as const) {
        const server = await startServer(prepare(tmp.dir, config, undefined, `s${n++}.sqlite`));
        servers.push(server);
        const idle = probe(`${server.http}/healthz`);
        await new Promise((r) => setTimeout(r, 1000));
        const quiet = await idle.stop();
        const meter = probe(`${server.http}/healthz`);
        const result = await burst(server, badTokens(kids));
        const during = await meter.stop();
        const p95 = percentile(during, 95);
        rows.push(
          {
            group: GROUP,
            name: `/healthz p50 / p95 during ${ATTEMPTS} bad tokens over ${face} (${label})`,
            value: `${ms(median(during))} / ${ms(p95)} (max ${ms(Math.max(...during))}, ${during.length} probes)`,
            budget: 'p95 < 100 ms',
            verdict: p95 < 100 ? 'within' : 'over',
          },
          { group: GROUP, name: `  … quiet server before it, p50 / p95`, value: `${ms(median(quiet))} / ${ms(percentile(quiet, 95))}` },
          { group: GROUP, name: `  … burst answered in; refused unchecked (rate-limited or busy)`, value: `${(result.ms / 1000).toFixed(2)} s; ${result.limited} of ${ATTEMPTS}` },
        );
        await server.stop('SIGKILL');
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    tmp.cleanup();
  }
  return rows;
}
