// A load-generating worker for bench/server-load.bench.ts: many simulated people, each with one
// WebSocket (their own space read-write, a teammate's read), checking in on a timer.
import WebSocket from 'ws';
import * as Y from 'yjs';
import { connectSpaces, type SpaceConnection } from '../core/sync/index.ts';
import { collectionLog, personSpace, writeRecord } from '../core/store/space.ts';

interface Person {
  id: string;
  token: string;
  keyResultId: string;
  reads: string;
}
interface Job {
  url: string;
  people: Person[];
  intervalMs: number;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

const job = JSON.parse(process.env.CANDOR_LOAD_JOB!) as Job;
const send = (m: unknown) => process.send!(m);

const clients: { person: Person; conn: SpaceConnection; own: Y.Doc; read: Y.Doc }[] = [];
const delivery: number[] = [];
const ackLatency: number[] = [];
const acked: string[] = [];
let errors = 0;
let observed = 0;
let readUpdates = 0;
let unacked = 0;
const errorSamples = new Set<string>();

const connectStarted = now();
for (const person of job.people) {
  const own = new Y.Doc();
  const read = new Y.Doc();
  read.on('update', () => readUpdates++);
  collectionLog(read, 'checkIns').observe((event) => {
    observed++;
    const at = now();
    for (const item of event.changes.added) {
      for (const entry of item.content.getContent() as unknown[]) {
        // The store keeps write-once records as JSON text (or, in older layouts, objects).
        const value = (typeof entry === 'string' ? JSON.parse(entry) : entry) as { benchSentAt?: number } | null;
        if (value?.benchSentAt) delivery.push(at - value.benchSentAt);
      }
    }
  });
  const conn = connectSpaces({
    url: job.url,
    token: person.token,
    spaces: [
      [personSpace(person.id), own],
      [personSpace(person.reads), read],
    ],
    WebSocketPolyfill: WebSocket,
    minDelay: 500,
    maxDelay: 5000,
  });
  clients.push({ person, conn, own, read });
  await sleep(2); // a gentle ramp, as people arrive over a morning rather than in one millisecond
}
await Promise.all(clients.map((c) => c.conn.whenSynced(120_000)));
send({ type: 'ready', connectMs: now() - connectStarted });

const go = await new Promise<{ until: number }>((res) => process.on('message', (m: { type: string; until: number }) => m.type === 'go' && res(m)));

let seq = 0;
await Promise.all(
  clients.map(async (c) => {
    await sleep(Math.random() * job.intervalMs);
    while (now() < go.until) {
      const started = now();
      const id = `load-${c.person.id}-${++seq}`;
      writeRecord(c.own, 'checkIns', {
        id,
        keyResultId: c.person.keyResultId,
        authorId: c.person.id,
        at: new Date().toISOString(),
        value: Math.round(Math.random() * 100),
        confidence: 0.7,
        benchSentAt: started,
      });
      try {
        await c.conn.flushed(10_000);
        ackLatency.push(now() - started);
        acked.push(id);
      } catch (e) {
        unacked++;
        errors++;
        if (errorSamples.size < 3) errorSamples.add((e as Error).message);
      }
      await sleep(job.intervalMs - (now() - started) + (Math.random() - 0.5) * job.intervalMs * 0.2);
    }
  }),
);
await sleep(1500); // let the last deliveries land
if (process.env.CANDOR_LOAD_DEBUG) console.error(`worker: ${observed} observed, ${readUpdates} read-doc updates, ${delivery.length} deliveries`);
send({ type: 'done', delivery, ackLatency, acked, errors, unacked, errorSamples: [...errorSamples] });
for (const c of clients) c.conn.destroy();
setTimeout(() => process.exit(0), 200);
