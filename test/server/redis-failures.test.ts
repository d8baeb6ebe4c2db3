// Scale-out that survives its parts failing: two instances on loopback sharing a real redis-server,
// clients on each, then Redis and instances killed with signals mid-stream.
//
// Budget: the long idle outage (60 s by default; CANDOR_TEST_REDIS_IDLE_MS to change) runs beside the
// other tests, which take turns (`serial`), so the whole file takes about as long as the others
// together: 70–100 s on a busy 2-core machine. Instances run `server/main.ts` bundled once with
// esbuild (see `serverCommand`: it starts in a third of tsx's time; CANDOR_TEST_TSX=1 uses tsx).
import { afterAll, describe, it } from 'vitest';
import { checkIn, checkInIds, client, docUntil, freePort, prepare, tempDir, TOKENS, type Client } from './harness.ts';
import {
  checkIns,
  disposeServerBundle,
  eventually,
  follow,
  health,
  holdUnlessExit,
  instance,
  launch,
  missing,
  redisOn,
  serverCommand,
  slowProxy,
  storedIds,
  UNHANDLED,
  viewIds,
  type Instance,
  type RedisProcess,
} from './redis-harness.ts';

const IDLE_MS = Number(process.env.CANDOR_TEST_REDIS_IDLE_MS ?? 60_000);
const OUTAGE_MS = 20_000;

/** The tests other than the idle outage run one at a time. */
let turn: Promise<void> = Promise.resolve();
function serial<T>(body: () => Promise<T>): Promise<T> {
  const mine = turn.then(body);
  turn = mine.then(
    () => {},
    () => {},
  );
  return mine;
}

/** Everything one test starts, stopped (SIGKILL) and removed at its end whatever happened. */
function scene() {
  const tmp = tempDir();
  const instances: Instance[] = [];
  const redises: RedisProcess[] = [];
  const clients: Client[] = [];
  const closers: (() => Promise<void>)[] = [];
  return {
    dir: tmp.dir,
    instances,
    redises,
    add<T extends Instance | RedisProcess | Client>(x: T): T {
      if ('conn' in x) clients.push(x);
      else if ('ready' in x) instances.push(x);
      else redises.push(x);
      return x;
    },
    closer(f: () => Promise<void>) {
      closers.push(f);
    },
    /** Every instance's output, checked for the unhandled-rejection backstop's line. */
    unhandled(): string[] {
      return instances.filter((i) => i.output().includes(UNHANDLED)).map((i) => `instance on ${i.port}:\n${i.output().slice(-3000)}`);
    },
    async end() {
      for (const c of clients) c.conn.destroy();
      for (const f of closers) await f().catch(() => {});
      await Promise.all(instances.map((i) => i.stop('SIGKILL')));
      await Promise.all(redises.map((r) => r.stop('SIGKILL')));
      tmp.cleanup();
    },
  };
}

const ALICE_PERSON = { space: 'person:alice', keyResultId: 'alice-public-kr', authorId: 'alice' };
const ALICE_TEAM = { space: 'team:team-a', keyResultId: 'team-a-public-kr', authorId: 'alice' };
const BOB_TEAM = { space: 'team:team-a', keyResultId: 'team-a-public-kr', authorId: 'bob' };

describe('scale-out when Redis or an instance fails', () => {
  afterAll(disposeServerBundle);

  it.concurrent(`Redis killed for ${OUTAGE_MS / 1000} s while clients on both instances check in: both stay up, own views stay live, all acknowledged check-ins everywhere within 5 s of Redis returning`, { timeout: 300_000 }, ({ expect }) =>
    serial(async () => {
      const s = scene();
      try {
        const redis = s.add(await redisOn());
        const env = { REDIS_URL: redis.url };
        const setupA = prepare(s.dir, undefined, undefined, 'a.sqlite');
        const setupB = prepare(s.dir, undefined, undefined, 'b.sqlite');
        const [a, b] = await Promise.all([instance(setupA, env), instance(setupB, env)]);
        s.add(a!);
        s.add(b!);
        // alice checks in through A on her own key result and her team's; bob through B on the team's.
        const alice = s.add(client(a!.url, TOKENS.alice, ['person:alice', 'team:team-a']));
        const bob = s.add(client(b!.url, TOKENS.bob, ['person:alice', 'team:team-a']));
        await Promise.all([alice.conn.whenSynced(), bob.conn.whenSynced()]);
        const eventsA = follow(`${a!.http}/v1/events?token=${TOKENS.alice}`);
        const eventsB = follow(`${b!.http}/v1/events?token=${TOKENS.bob}`);
        s.closer(eventsA.close);
        s.closer(eventsB.close);
        const wa = checkIns(alice, [ALICE_PERSON, ALICE_TEAM], { everyMs: 120, max: 600 });
        const wb = checkIns(bob, [BOB_TEAM], { everyMs: 120, max: 600 });
        await eventually('a few check-ins before the outage', () => wa.acked.size >= 4 && wb.acked.size >= 4, 10_000);
        // Widgets read both instances' views before the outage (so the views have something to keep current).
        await Promise.all([viewIds(a!, TOKENS.alice), viewIds(b!, TOKENS.bob)]);

        const killedAt = Date.now();
        await redis.stop('SIGKILL');

        // During the outage each instance serves its own clients, view and event stream.
        /** Each instance's own /v1/document shows what it acknowledged, and its /v1/events announced it. */
        const ownViewsLive = async (since: number) => {
          const ackedA = [...wa.acked];
          const ackedB = [...wb.acked];
          await eventually("A's own /v1/document to show A's acknowledged check-ins", async () => missing(ackedA, await viewIds(a!, TOKENS.alice)).length === 0, 2_000, 100, async () =>
            `${missing(ackedA, await viewIds(a!, TOKENS.alice)).length} of ${ackedA.length} missing`,
          );
          await eventually("B's own /v1/document to show B's acknowledged check-ins", async () => missing(ackedB, await viewIds(b!, TOKENS.bob)).length === 0, 2_000, 100, async () =>
            `${missing(ackedB, await viewIds(b!, TOKENS.bob)).length} of ${ackedB.length} missing`,
          );
          expect(eventsA.changes.filter((t) => t > since).length, "A's /v1/events during the outage").toBeGreaterThan(0);
          expect(eventsB.changes.filter((t) => t > since).length, "B's /v1/events during the outage").toBeGreaterThan(0);
        };
        await holdUnlessExit(4_000, [a!, b!]);
        const outageHealth = await Promise.all([health(a!), health(b!)]);
        await ownViewsLive(killedAt + 1000);
        const ackedEarly = new Set(wa.acked);

        await holdUnlessExit(Math.max(0, killedAt + OUTAGE_MS - 3_000 - Date.now()), [a!, b!]);
        await ownViewsLive(Date.now() - 2000);
        await holdUnlessExit(Math.max(0, killedAt + OUTAGE_MS - Date.now()), [a!, b!]);
        await Promise.all([wa.stop(), wb.stop()]);
        expect(a!.alive() && b!.alive()).toBe(true);
        // Made during the outage, acknowledged by their instance, not yet seen by the other one.
        const duringA = [...wa.acked].filter((id) => !ackedEarly.has(id));
        expect(duringA.length).toBeGreaterThan(20);

        // Redis comes back (same port); nobody edits.
        s.add(await redisOn(redis.port));
        const returnedAt = Date.now();
        const all = [...wa.acked, ...wb.acked];
        const personIds = [...wa.acked].filter((id) => wa.written.get(id) === 'person:alice');
        const teamIds = [...wa.acked, ...wb.acked].filter((id) => (wa.written.get(id) ?? wb.written.get(id)) === 'team:team-a');
        await eventually(
          'every acknowledged check-in in both instances’ documents and clients',
          async () => {
            const [va, vb] = await Promise.all([viewIds(a!, TOKENS.alice), viewIds(b!, TOKENS.bob)]);
            return (
              missing(all, va).length === 0 &&
              missing(all, vb).length === 0 &&
              missing(personIds, checkInIds(bob.doc('person:alice'))).length === 0 &&
              missing(teamIds, checkInIds(alice.doc('team:team-a'))).length === 0
            );
          },
          5_000 - (Date.now() - returnedAt),
          100,
          async () => {
            const [va, vb] = await Promise.all([viewIds(a!, TOKENS.alice), viewIds(b!, TOKENS.bob)]);
            return `A lacks ${missing(all, va).length}, B lacks ${missing(all, vb).length} of ${all.length}`;
          },
        );
        console.log(`healed ${Date.now() - returnedAt} ms after Redis returned: ${all.length} check-ins (${duringA.length} through A during the outage)`);
        // Both instances' SQLite files hold them too.
        for (const [i, setup] of [
          [a!, setupA],
          [b!, setupB],
        ] as const) {
          expect(missing(personIds, storedIds(setup.dbPath, 'person:alice')), `stored on ${i.port}`).toEqual([]);
          expect(missing(teamIds, storedIds(setup.dbPath, 'team:team-a')), `stored on ${i.port}`).toEqual([]);
        }
        // What /healthz said during the outage, and says now.
        for (const h of outageHealth) expect(h).toMatchObject({ ok: true, status: 'degraded', redis: { state: expect.stringMatching(/^(reconnecting|down)$/), since: expect.any(String) } });
        await eventually('both instances to report Redis connected', async () => {
          const [x, y] = await Promise.all([health(a!), health(b!)]);
          return x.status === 'ok' && y.status === 'ok' && (x.redis as { state: string }).state === 'connected' && (y.redis as { state: string }).state === 'connected';
        }, 5_000);
        expect(a!.alive() && b!.alive()).toBe(true);
        expect(s.unhandled()).toEqual([]);
      } finally {
        await s.end();
      }
    }),
  );

  it.concurrent(`Redis down ${IDLE_MS / 1000} s with idle clients: nobody exits, and they heal when it returns`, { timeout: IDLE_MS + 120_000 }, async ({ expect }) => {
    const s = scene();
    try {
      const redis = s.add(await redisOn());
      // Short reconnect backoff: many more reconnect attempts in the same outage than the defaults make.
      const env = { REDIS_URL: redis.url, CANDOR_REDIS_RETRY_MAX_MS: '250' };
      const [a, b] = await Promise.all([instance(prepare(s.dir, undefined, undefined, 'a.sqlite'), env), instance(prepare(s.dir, undefined, undefined, 'b.sqlite'), env)]);
      s.add(a!);
      s.add(b!);
      const alice = s.add(client(a!.url, TOKENS.alice, ['person:alice']));
      const bob = s.add(client(b!.url, TOKENS.bob, ['person:alice']));
      await Promise.all([alice.conn.whenSynced(), bob.conn.whenSynced()]);

      await redis.stop('SIGKILL');
      await holdUnlessExit(Math.min(IDLE_MS, 10_000), [a!, b!]);
      const during = await health(a!);
      await holdUnlessExit(Math.max(0, IDLE_MS - 10_000), [a!, b!]);
      expect(a!.alive() && b!.alive()).toBe(true);

      s.add(await redisOn(redis.port));
      const id = checkIn(alice.doc('person:alice'), 'alice-public-kr', 'alice', 5);
      await alice.conn.flushed();
      await docUntil(bob.doc('person:alice'), () => checkInIds(bob.doc('person:alice')).includes(id), 5_000, 'a check-in through A on a client of B after the outage');
      expect(a!.alive() && b!.alive()).toBe(true);
      expect(during).toMatchObject({ ok: true, status: 'degraded', redis: { state: 'down', since: expect.any(String) } });
      await eventually('both instances to report Redis connected', async () => (await health(a!)).status === 'ok' && (await health(b!)).status === 'ok', 5_000);
      expect(s.unhandled()).toEqual([]);
    } finally {
      await s.end();
    }
  });

  it.concurrent('an instance killed with kill -9 mid-stream and restarted: its clients reconnect elsewhere, everything converges', { timeout: 300_000 }, ({ expect }) =>
    serial(async () => {
      const s = scene();
      try {
        const redis = s.add(await redisOn());
        const env = { REDIS_URL: redis.url };
        const setupA = prepare(s.dir, undefined, undefined, 'a.sqlite');
        const setupB = prepare(s.dir, undefined, undefined, 'b.sqlite');
        const portB = await freePort();
        const [a, b] = await Promise.all([instance(setupA, env), instance(setupB, env, portB)]);
        s.add(a!);
        s.add(b!);
        // alice checks in through B (her space and her team's); bob through A (the team's).
        const aliceB = s.add(client(b!.url, TOKENS.alice, ['person:alice', 'team:team-a']));
        const bobA = s.add(client(a!.url, TOKENS.bob, ['person:alice', 'team:team-a']));
        await Promise.all([aliceB.conn.whenSynced(), bobA.conn.whenSynced()]);
        const wAlice = checkIns(aliceB, [ALICE_PERSON, ALICE_TEAM], { everyMs: 30, max: 400, ackTimeoutMs: 1500 });
        const wBob = checkIns(bobA, [BOB_TEAM], { everyMs: 60, max: 400 });
        await eventually('check-ins flowing through B', () => wAlice.acked.size >= 10, 10_000);

        await b!.stop('SIGKILL');
        const ackedByB = [...wAlice.acked];
        // alice's client notices and reconnects to A with the same documents (unacknowledged edits included).
        await eventually("alice's client to notice", () => aliceB.conn.status.state === 'offline', 5_000);
        aliceB.conn.destroy();
        const aliceA = s.add(client(a!.url, TOKENS.alice, ['person:alice', 'team:team-a'], aliceB.docs));
        wAlice.use(aliceA);
        await aliceA.conn.whenSynced();
        await eventually('more check-ins through A', () => wAlice.acked.size >= ackedByB.length + 10, 10_000);

        // B comes back on its port with its SQLite file: what it acknowledged is there at once.
        const b2 = s.add(await instance(setupB, env, portB));
        const atStart = await viewIds(b2, TOKENS.alice);
        expect(missing(ackedByB, atStart), 'acknowledged by B before kill -9, served by B after restart').toEqual([]);
        await Promise.all([wAlice.stop(), wBob.stop()]);
        const bobB = s.add(client(b2.url, TOKENS.bob, ['person:alice', 'team:team-a']));
        await bobB.conn.whenSynced();

        const everything = [...wAlice.written.keys(), ...wBob.written.keys()];
        await eventually(
          'every check-in written (acknowledged or in flight) on A, on restarted B and on their clients',
          async () => {
            const [va, vb] = await Promise.all([viewIds(a!, TOKENS.alice), viewIds(b2, TOKENS.alice)]);
            const clientsHave = (c: Client) => new Set([...checkInIds(c.doc('person:alice')), ...checkInIds(c.doc('team:team-a'))]);
            return [va, vb, clientsHave(aliceA), clientsHave(bobA), clientsHave(bobB)].every((have) => missing(everything, have).length === 0);
          },
          8_000,
          100,
          async () => `A lacks ${missing(everything, await viewIds(a!, TOKENS.alice)).length}, B lacks ${missing(everything, await viewIds(b2, TOKENS.alice)).length} of ${everything.length}`,
        );
        const storedB = new Set([...storedIds(setupB.dbPath, 'person:alice'), ...storedIds(setupB.dbPath, 'team:team-a')]);
        expect(missing(everything, storedB)).toEqual([]);
        // An instance whose SQLite file was lost starts with an empty one and gets everything from the others.
        const c = s.add(await instance(prepare(s.dir, undefined, null as never, 'c.sqlite'), env));
        await eventually('an instance started with an empty SQLite file to catch up', async () => missing(everything, await viewIds(c, TOKENS.alice)).length === 0, 5_000);
        expect(a!.alive() && b2.alive()).toBe(true);
        expect(s.unhandled()).toEqual([]);
      } finally {
        await s.end();
      }
    }),
  );

  it.concurrent('Redis frozen (SIGSTOP): both instances report it within seconds, keep serving, and converge once it thaws', { timeout: 300_000 }, ({ expect }) =>
    serial(async () => {
      const s = scene();
      try {
        const redis = s.add(await redisOn());
        // A connection to a process that stopped stays open: only an unanswered PING tells.
        const env = { REDIS_URL: redis.url, CANDOR_REDIS_PING_MS: '1000' };
        const [a, b] = await Promise.all([instance(prepare(s.dir, undefined, undefined, 'a.sqlite'), env), instance(prepare(s.dir, undefined, undefined, 'b.sqlite'), env)]);
        s.add(a!);
        s.add(b!);
        const alice = s.add(client(a!.url, TOKENS.alice, ['person:alice', 'team:team-a']));
        const bob = s.add(client(b!.url, TOKENS.bob, ['person:alice', 'team:team-a']));
        await Promise.all([alice.conn.whenSynced(), bob.conn.whenSynced()]);
        redis.proc.kill('SIGSTOP');
        try {
          const wa = checkIns(alice, [ALICE_PERSON], { everyMs: 100, max: 100 });
          const wb = checkIns(bob, [BOB_TEAM], { everyMs: 100, max: 100 });
          await eventually('both instances to report Redis unreachable', async () => (await health(a!)).status === 'degraded' && (await health(b!)).status === 'degraded', 6_000);
          await eventually('check-ins acknowledged meanwhile', () => wa.acked.size >= 5 && wb.acked.size >= 5, 5_000);
          await Promise.all([wa.stop(), wb.stop()]);
          expect(a!.output()).toMatch(/did not answer a PING/);
          redis.proc.kill('SIGCONT');
          const all = [...wa.acked, ...wb.acked];
          await eventually('every acknowledged check-in on both instances', async () => {
            const [va, vb] = await Promise.all([viewIds(a!, TOKENS.alice), viewIds(b!, TOKENS.bob)]);
            return missing(all, va).length === 0 && missing(all, vb).length === 0;
          }, 5_000);
          await eventually('both instances to report Redis connected', async () => (await health(a!)).status === 'ok' && (await health(b!)).status === 'ok', 5_000);
        } finally {
          redis.proc.kill('SIGCONT');
        }
        expect(a!.alive() && b!.alive()).toBe(true);
        expect(s.unhandled()).toEqual([]);
      } finally {
        await s.end();
      }
    }),
  );

  it.concurrent('both instances and Redis restarted in every order, 20 times: every start succeeds and check-ins still cross', { timeout: 300_000 }, ({ expect }) =>
    serial(async () => {
      const s = scene();
      try {
        const ROUNDS = 20;
        const command = await serverCommand();
        const [portR, portA, portB] = [await freePort(), await freePort(), await freePort()];
        const setup = { a: prepare(s.dir, undefined, undefined, 'a.sqlite'), b: prepare(s.dir, undefined, undefined, 'b.sqlite') };
        const env = { REDIS_URL: `redis://127.0.0.1:${portR}`, CANDOR_REDIS_RETRY_MAX_MS: '200' };
        const orders = [
          ['redis', 'a', 'b'],
          ['a', 'redis', 'b'],
          ['a', 'b', 'redis'],
          ['redis', 'b', 'a'],
          ['b', 'redis', 'a'],
          ['b', 'a', 'redis'],
        ] as const;
        let redis: RedisProcess | undefined;
        let a: Instance | undefined;
        let b: Instance | undefined;
        const crossed: string[] = [];
        const silent: string[] = [];
        const aliceA = s.add(client(`ws://127.0.0.1:${portA}`, TOKENS.alice, ['person:alice', 'team:team-a']));
        const bobB = s.add(client(`ws://127.0.0.1:${portB}`, TOKENS.bob, ['person:alice', 'team:team-a']));
        for (let round = 0; round < ROUNDS; round++) {
          const stopOrder = orders[(round * 5 + 3) % 6]!;
          const startOrder = orders[round % 6]!;
          // Stop: instances by SIGTERM (graceful) or SIGKILL (crash), alternately; Redis by SIGKILL.
          for (const what of stopOrder) {
            if (what === 'redis') await redis?.stop('SIGKILL');
            else await (what === 'a' ? a : b)?.stop(round % 2 ? 'SIGKILL' : 'SIGTERM');
          }
          // Start in this order, loading instances side by side where the order allows: an instance
          // started before Redis must have said it is waiting for Redis before Redis starts; one
          // started after Redis starts as soon as Redis accepts connections.
          const waiting: Promise<unknown>[] = [];
          let redisUp = false;
          for (const what of startOrder) {
            if (what === 'redis') {
              await Promise.all(waiting);
              redis = s.add(await redisOn(portR));
              redisUp = true;
              continue;
            }
            const i = s.add(launch(command, setup[what], what === 'a' ? portA : portB, env));
            if (what === 'a') a = i;
            else b = i;
            if (!redisUp) waiting.push(i.saw(/waiting for Redis/, 10_000).catch(() => silent.push(`round ${round + 1}: ${what} said nothing while waiting for Redis`)));
          }
          try {
            await Promise.all([a!.ready, b!.ready]);
          } catch (e) {
            throw new Error(`round ${round + 1} (start ${startOrder.join(' → ')}): ${(e as Error).message}`);
          }
          // A check-in crosses, alternately A → B (alice's) and B → A (bob's on the team's key result).
          // The clients stay across rounds and reconnect by themselves; the other instance gets the
          // check-in only through Redis.
          const [writer, target, to] = round % 2 ? [bobB, BOB_TEAM, a!] : [aliceA, ALICE_PERSON, b!];
          await writer.conn.whenSynced(15_000);
          const id = checkIn(writer.doc(target.space), target.keyResultId, target.authorId, round);
          await writer.conn.flushed();
          crossed.push(id);
          await eventually(`round ${round + 1} (start ${startOrder.join(' → ')}): a check-in on ${to.port}`, async () => (await viewIds(to)).has(id), 5_000, 50);
        }
        const [va, vb] = await Promise.all([viewIds(a!), viewIds(b!)]);
        expect(missing(crossed, va)).toEqual([]);
        expect(missing(crossed, vb)).toEqual([]);
        expect(silent, 'an instance started before Redis says it is waiting for it').toEqual([]);
        expect(s.unhandled()).toEqual([]);
      } finally {
        await s.end();
      }
    }),
  );

  it.concurrent('an instance starting against a Redis slow to answer (accepts, then answers after 1 s) starts and relays both ways', { timeout: 300_000 }, ({ expect }) =>
    serial(async () => {
      const s = scene();
      try {
        const redis = s.add(await redisOn());
        const proxy = await slowProxy(redis.port, 1000);
        s.closer(proxy.close);
        const [a, b] = await Promise.all([
          instance(prepare(s.dir, undefined, undefined, 'a.sqlite'), { REDIS_URL: proxy.url }),
          instance(prepare(s.dir, undefined, undefined, 'b.sqlite'), { REDIS_URL: redis.url }),
        ]);
        s.add(a!);
        s.add(b!);
        // Every space: the first ones subscribed are the ones a start in the middle of the ready check lost.
        const writers = [
          { token: TOKENS.dave, target: { space: 'company', keyResultId: 'company-public-kr', authorId: 'dave' } },
          { token: TOKENS.alice, target: ALICE_TEAM },
          { token: TOKENS.alice, target: ALICE_PERSON },
        ];
        for (const [from, to] of [
          [b!, a!],
          [a!, b!],
        ] as const) {
          for (const { token, target } of writers) {
            const c = s.add(client(from.url, token, [target.space]));
            await c.conn.whenSynced();
            const id = checkIn(c.doc(target.space), target.keyResultId, target.authorId, 1);
            await c.conn.flushed();
            await eventually(`a check-in in ${target.space} through ${from.port} on ${to.port}`, async () => (await viewIds(to)).has(id), 5_000);
          }
        }
        expect(s.unhandled()).toEqual([]);
      } finally {
        await s.end();
      }
    }),
  );
});
