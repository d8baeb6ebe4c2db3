// Scale-out: two server instances sharing updates through a real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandorDocument } from '../../core/model/index.ts';
import { SpaceStorage } from '../../server/storage.ts';
import { checkIn, checkInIds, client, docUntil, prepare, startRedis, startServer, tempDir, TOKENS, type RunningServer, type ServerSetup } from './harness.ts';
import { eventually, UNHANDLED } from './redis-harness.ts';

/** Rows waiting in a space's update log in an instance's SQLite file (read beside the running server; WAL). */
function logRows(setup: ServerSetup, space: string): number {
  const storage = new SpaceStorage(setup.dbPath);
  try {
    return storage.logLength(space);
  } finally {
    storage.close();
  }
}

describe('two instances with Redis', () => {
  let tmp: ReturnType<typeof tempDir>;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: RunningServer;
  let b: RunningServer;
  let setupA: ServerSetup;
  let setupB: ServerSetup;

  beforeAll(async () => {
    tmp = tempDir();
    redis = await startRedis();
    // Each instance has its own SQLite file (as on two machines); Redis carries the updates.
    setupA = prepare(tmp.dir, undefined, undefined, 'a.sqlite');
    setupB = prepare(tmp.dir, undefined, undefined, 'b.sqlite');
    [a, b] = await Promise.all([startServer(setupA, { env: { REDIS_URL: redis.url } }), startServer(setupB, { env: { REDIS_URL: redis.url } })]);
  }, 60_000); // two instances starting on a busy machine can take more than the default 10 s
  afterAll(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await redis?.stop();
    tmp?.cleanup();
  });

  it('a check-in through instance A reaches a client on B and an event stream on B', async () => {
    const reader = client(b.url, TOKENS.bob, ['person:alice']);
    const writer = client(a.url, TOKENS.alice, ['person:alice']);
    await Promise.all([reader.conn.whenSynced(), writer.conn.whenSynced()]);

    const etag0 = (await fetch(`${b.http}/v1/document`, { headers: { Authorization: `Bearer ${TOKENS.bob}` } })).headers.get('etag');
    const events = await fetch(`${b.http}/v1/events?token=${TOKENS.bob}`);
    const reader2 = events.body!.getReader();
    let text = '';
    const sawChange = (async () => {
      while (!/event: change\n/.test(text)) {
        const { value, done } = await reader2.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    })();

    const id = checkIn(writer.doc('person:alice'), 'alice-public-kr', 'alice', 77);
    await writer.conn.flushed();
    await docUntil(reader.doc('person:alice'), () => checkInIds(reader.doc('person:alice')).includes(id), 8000, 'the check-in on B');
    await sawChange;
    const etag = /data: (\{.*\})/.exec(text)![1]!;
    expect(JSON.parse(etag).etag).not.toBe(etag0);
    const doc = (await (await fetch(`${b.http}/v1/document`, { headers: { Authorization: `Bearer ${TOKENS.bob}` } })).json()) as CandorDocument;
    expect(doc.checkIns.map((c) => c.id)).toContain(id);
    // Instance B's view of the organisation converges to A's: the same content gives the same ETag.
    const [ea, eb] = await Promise.all(
      [a, b].map(async (s) => (await fetch(`${s.http}/v1/document`, { headers: { Authorization: `Bearer ${TOKENS.bob}` } })).headers.get('etag')),
    );
    expect(ea).toBe(eb);
    await reader2.cancel();
    reader.conn.destroy();
    writer.conn.destroy();
  });

  it("folds relayed check-ins into the receiving instance's stored state on the same debounce as local ones", async () => {
    const writer = client(a.url, TOKENS.alice, ['person:alice']);
    const reader = client(b.url, TOKENS.bob, ['person:alice']);
    await Promise.all([writer.conn.whenSynced(), reader.conn.whenSynced()]);
    const ids: string[] = [];
    for (let n = 0; n < 60; n++) {
      ids.push(checkIn(writer.doc('person:alice'), 'alice-public-kr', 'alice', n));
      if (n % 10 === 9) await writer.conn.flushed();
    }
    await docUntil(reader.doc('person:alice'), () => ids.every((id) => checkInIds(reader.doc('person:alice')).includes(id)), 8000, 'the check-ins on B');
    // Compaction runs 2 s after the last change (at most 10 s into a stream): both logs are folded by then.
    await eventually('both update logs folded into the stored state', () => logRows(setupA, 'person:alice') === 0 && logRows(setupB, 'person:alice') === 0, 8000, 200, () =>
      `A has ${logRows(setupA, 'person:alice')} rows, B ${logRows(setupB, 'person:alice')}`,
    );
    reader.conn.destroy();
    writer.conn.destroy();
  });

  it('logs no unhandled rejection on either instance', () => {
    expect(a.output()).not.toContain(UNHANDLED);
    expect(b.output()).not.toContain(UNHANDLED);
  });
});
