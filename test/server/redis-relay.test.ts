// The Redis relay (server/extensions/redis.ts) in process, against a real redis-server (and a proxy
// that makes it slow to answer). Vitest fails the run on any rejection nobody handled.
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { RedisRelay } from '../../server/extensions/redis.ts';
import { eventually, redisOn, slowProxy } from './redis-harness.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f().catch(() => {});
});

/** A relay configured with a stand-in Hocuspocus (the hooks use only its documents map). */
async function relay(url: string, lines: string[]): Promise<RedisRelay> {
  const r = new RedisRelay({ url, log: (l) => lines.push(l), pingMs: 1000 });
  cleanups.push(() => r.onDestroy());
  await r.onConfigure({ instance: { documents: new Map() } } as never);
  return r;
}

const subscribers = async (r: RedisRelay, channel: string) => ((await r.inner.pub.call('PUBSUB', 'NUMSUB', channel)) as [string, number])[1];

describe('RedisRelay', () => {
  it('subscribes a space loaded while the connection is still in its ready check (once the start that failed with "subscriber mode")', { timeout: 30_000 }, async () => {
    // A SUBSCRIBE sent between the TCP connection and the end of ioredis' ready check (Redis slow to
    // answer, as while it loads) switched the connection to subscriber mode under the check, which
    // then failed: the subscription failed, or was silently lost in the reconnection that followed.
    const redis = await redisOn();
    cleanups.push(() => redis.stop());
    const proxy = await slowProxy(redis.port, 1500);
    cleanups.push(() => proxy.close());
    const lines: string[] = [];
    const r = await relay(proxy.url, lines);
    void r.start(0);
    await eventually('the subscriber connection in its ready check', () => r.inner.sub.status === 'connect', 5_000, 5);
    await r.afterLoadDocument({ documentName: 'company', document: new Y.Doc() } as never);
    await eventually('the relay to connect', () => r.isConnected, 8_000);
    await eventually('the space to be subscribed', async () => (await subscribers(r, 'candor:company')) === 1, 3_000);
    expect(lines.join('\n')).not.toMatch(/subscriber mode/);
  });

  it('never rejects a hook or a publish while Redis is gone, says so in health(), and subscribes again when it is back', { timeout: 30_000 }, async () => {
    const redis = await redisOn();
    cleanups.push(() => redis.stop());
    const lines: string[] = [];
    const r = await relay(redis.url, lines);
    expect(await r.start(5_000)).toBe(true);
    const document = new Y.Doc();
    await r.afterLoadDocument({ documentName: 'person:alice', document } as never);
    expect(r.health()).toMatchObject({ state: 'connected' });

    await redis.stop('SIGKILL');
    await eventually('the loss to be noticed', () => !r.isConnected, 5_000, 20);
    const payload = { documentName: 'person:alice', document, transactionOrigin: 'a client', update: new Uint8Array() };
    for (let n = 0; n < 50; n++) await r.onChange(payload as never);
    await expect(r.inner.pub.publish('candor:person:alice', Buffer.from('x'))).resolves.toBe(0);
    expect(r.health()).toMatchObject({ state: 'reconnecting', since: expect.any(String), dropped: 51 });
    expect(lines.join('\n')).toMatch(/lost the connection/);

    const back = await redisOn(redis.port);
    cleanups.push(() => back.stop());
    await eventually('the relay to reconnect', () => r.isConnected, 5_000, 20);
    await eventually('the space to be subscribed again', async () => (await subscribers(r, 'candor:person:alice')) === 1, 3_000);
    expect(r.health()).toMatchObject({ state: 'connected', resyncs: 1 }); // the first connection found nothing loaded yet
    // A message nobody can read, on a subscribed channel: logged, never thrown.
    await r.inner.pub.publish('candor:person:alice', Buffer.from([200, 1, 2]));
    await eventually('the bad message to be handled', () => lines.some((l) => /incoming message failed/.test(l)), 3_000, 20);
  });
});
