// Scale-out: two server instances sharing updates through a real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandorDocument } from '../../core/model/index.ts';
import { checkIn, checkInIds, client, docUntil, prepare, startRedis, startServer, tempDir, TOKENS, type RunningServer } from './harness.ts';

describe('two instances with Redis', () => {
  let tmp: ReturnType<typeof tempDir>;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    tmp = tempDir();
    redis = await startRedis();
    // Each instance has its own SQLite file (as on two machines); Redis carries the updates.
    const setupA = prepare(tmp.dir, undefined, undefined, 'a.sqlite');
    const setupB = prepare(tmp.dir, undefined, undefined, 'b.sqlite');
    [a, b] = await Promise.all([startServer(setupA, { env: { REDIS_URL: redis.url } }), startServer(setupB, { env: { REDIS_URL: redis.url } })]);
  });
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
});
