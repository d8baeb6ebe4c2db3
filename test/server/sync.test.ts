// Team sync against real server processes: offline edits converge, refusals, durability after kill -9.
import { hasRecord, writeRecord } from '../../core/store/space.ts';
import { SpaceStorage } from '../../server/storage.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIn, checkInIds, client, docUntil, docsUntil, prepare, startServer, storedSpace, tempDir, TOKENS, until, type RunningServer, type ServerSetup } from './harness.ts';

describe('team sync (real server on loopback)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let setup: ServerSetup;
  let server: RunningServer;

  beforeAll(async () => {
    tmp = tempDir();
    setup = prepare(tmp.dir);
    server = await startServer(setup);
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    tmp?.cleanup();
  });

  it('two clients edit the same space offline, reconnect, and converge with nothing lost', async () => {
    const a = client(server.url, TOKENS.alice, ['team:team-a']);
    const b = client(server.url, TOKENS.bob, ['team:team-a']);
    await Promise.all([a.conn.whenSynced(), b.conn.whenSynced()]);
    expect(a.conn.status.spaces[0]).toMatchObject({ space: 'team:team-a', access: 'read-write', synced: true });

    // The server goes away; both keep working.
    await server.stop('SIGTERM');
    await Promise.all([until(a.conn, (s) => s.state === 'offline'), until(b.conn, (s) => s.state === 'offline')]);
    expect(a.conn.status.reason).toMatch(/lost|reach|retrying/);
    const fromA = [checkIn(a.doc('team:team-a'), 'team-a-public-kr', 'alice', 10), checkIn(a.doc('team:team-a'), 'team-a-public-kr', 'alice', 20)];
    const fromB = [checkIn(b.doc('team:team-a'), 'team-a-public-kr', 'bob', 30)];
    // Both edit the same record's field too: one wins on both sides, and both sides agree.
    a.doc('team:team-a').getMap('objectives').get('team-a-public') && (a.doc('team:team-a').getMap('objectives').get('team-a-public') as import('yjs').Map<unknown>).set('title', 'A title');
    (b.doc('team:team-a').getMap('objectives').get('team-a-public') as import('yjs').Map<unknown>).set('description', 'B description');

    server = await startServer(setup, { port: server.port });
    await Promise.all([a.conn.flushed(), b.conn.flushed()]);
    const all = [...fromA, ...fromB].sort();
    const [da, db] = [a.doc('team:team-a'), b.doc('team:team-a')];
    const objective = (d: import('yjs').Doc) => JSON.stringify((d.getMap('objectives').get('team-a-public') as import('yjs').Map<unknown>).toJSON());
    await docsUntil([da, db], () => all.every((id) => checkInIds(da).includes(id) && checkInIds(db).includes(id)) && objective(da) === objective(db), 8000, 'convergence');
    const objA = JSON.parse(objective(da));
    const objB = JSON.parse(objective(db));
    expect(objA).toEqual(objB);
    expect(objA).toMatchObject({ title: 'A title', description: 'B description' });
    a.conn.destroy();
    b.conn.destroy();
  });

  it('refuses a bad token with a reason, and private spaces always', async () => {
    const bad = client(server.url, 'candor_not-a-real-token-xxxxxxxxxxxxxxxxxxxxxxx', ['person:alice']);
    const s = await until(bad.conn, (st) => st.state === 'error');
    expect(s.reason).toMatch(/token/);
    expect(s.spaces[0]).toMatchObject({ access: 'refused' });
    bad.conn.destroy();

    const priv = client(server.url, TOKENS.alice, ['private:alice', 'person:alice']);
    await priv.conn.whenSynced();
    expect(priv.conn.status.spaces.map((x) => x.space)).toEqual(['person:alice']); // never even sent
    priv.conn.destroy();

    // The server refuses it too, for a client that tries anyway.
    const { HocuspocusProvider } = await import('@hocuspocus/provider');
    const WebSocket = (await import('ws')).default;
    const raw = new HocuspocusProvider({ url: server.url, name: 'private:alice', token: TOKENS.alice, WebSocketPolyfill: WebSocket } as ConstructorParameters<typeof HocuspocusProvider>[0]);
    const reason = await new Promise<string>((res) => raw.on('authenticationFailed', ({ reason }: { reason: string }) => res(reason)));
    expect(reason).toMatch(/private-space: .*never leave the browser/);
    raw.destroy();
  });

  it('refuses a non-member reading a members-only team space', async () => {
    const c = client(server.url, TOKENS.alice, ['team:team-b']);
    const s = await until(c.conn, (st) => st.state === 'error');
    expect(s.reason).toMatch(/members only/);
    c.conn.destroy();
    // Among other spaces, one not shared with this person is noted but does not stop the rest.
    const mixed = client(server.url, TOKENS.alice, ['team:team-b', 'person:alice']);
    const m = await until(mixed.conn, (st) => st.state === 'synced' && st.spaces.every((x) => x.access !== 'unknown'));
    expect(m.reason).toBe('not shared with you: team:team-b');
    expect(m.spaces.find((x) => x.space === 'team:team-b')).toMatchObject({ access: 'refused' });
    mixed.conn.destroy();
  });

  it('an unauthorised write is refused, never reaches others, and is absent after a restart', async () => {
    // bob may read alice's space (teammate) and company (not an admin): he may comment there, but
    // neither check in on alice's key result in her name nor add a cycle.
    const reader = client(server.url, TOKENS.bob, ['person:alice', 'company']);
    const owner = client(server.url, TOKENS.alice, ['person:alice']);
    await Promise.all([reader.conn.whenSynced(), owner.conn.whenSynced()]);
    expect(reader.conn.status.spaces.map((s) => s.access)).toEqual(['read-write', 'read-write']);
    const forged = checkIn(reader.doc('person:alice'), 'alice-public-kr', 'alice', 999, 'forged-check-in');
    reader.doc('company').getMap('cycles').set('evil', { id: 'evil' });
    // Each refusal closes that space for this client, with the reason.
    const refused = await until(reader.conn, (st) => st.spaces.every((x) => /refused/.test(x.error ?? '')));
    expect(refused.spaces.find((x) => x.space === 'person:alice')!.error).toMatch(/authorId: "alice" is not you \("bob"\)/);
    expect(refused.spaces.find((x) => x.space === 'company')!.error).toMatch(/cycles\["evil"\]/);
    // A legitimate write after it, from the owner, does arrive at another reader: so the forged one had its chance.
    const watcher = client(server.url, TOKENS.bob, ['person:alice']);
    await watcher.conn.whenSynced();
    const real = checkIn(owner.doc('person:alice'), 'alice-public-kr', 'alice', 5);
    await owner.conn.flushed();
    await docUntil(watcher.doc('person:alice'), () => checkInIds(watcher.doc('person:alice')).includes(real));
    expect(checkInIds(watcher.doc('person:alice'))).not.toContain(forged);
    expect(checkInIds(owner.doc('person:alice'))).not.toContain(forged);
    reader.conn.destroy();
    watcher.conn.destroy();
    owner.conn.destroy();

    expect(await server.stop('SIGTERM')).toBe(0);
    // A graceful stop folded every update log into its space's state.
    const storage = new SpaceStorage(setup.dbPath);
    expect(storage.logLength('person:alice')).toBe(0);
    storage.close();
    expect(checkInIds(storedSpace(setup.dbPath, 'person:alice'))).toContain(real);
    expect(checkInIds(storedSpace(setup.dbPath, 'person:alice'))).not.toContain(forged);
    expect(storedSpace(setup.dbPath, 'company').getMap('cycles').has('evil')).toBe(false);
    server = await startServer(setup, { port: server.port });
    const fresh = client(server.url, TOKENS.alice, ['person:alice', 'company']);
    await fresh.conn.whenSynced();
    expect(checkInIds(fresh.doc('person:alice'))).toContain(real);
    expect(checkInIds(fresh.doc('person:alice'))).not.toContain(forged);
    expect(fresh.doc('company').getMap('cycles').has('evil')).toBe(false);
    fresh.conn.destroy();
  });

  it('every update a client saw acknowledged survives kill -9 mid-stream', async () => {
    const writer = client(server.url, TOKENS.alice, ['person:alice']);
    await writer.conn.whenSynced();
    const doc = writer.doc('person:alice');
    const acknowledged: string[] = [];
    // Stream check-ins; after each, note it as acknowledged once the server has acked everything so far.
    let killed = false;
    const stream = (async () => {
      for (let i = 0; i < 400 && !killed; i++) {
        const id = checkIn(doc, 'alice-public-kr', 'alice', i);
        if (i % 5 === 4) {
          try {
            await writer.conn.flushed(3000);
          } catch {
            break;
          }
          if (killed) break;
          acknowledged.splice(0, acknowledged.length, ...checkInIds(doc));
        } else if (!killed) await new Promise((r) => setImmediate(r));
        void id;
      }
    })();
    await docUntil(doc, () => acknowledged.length >= 40, 10_000, 'some acknowledged check-ins');
    await server.stop('SIGKILL');
    killed = true;
    await stream;
    writer.conn.destroy();
    const stored = new Set(checkInIds(storedSpace(setup.dbPath, 'person:alice')));
    const lost = acknowledged.filter((id) => !stored.has(id));
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    expect(lost).toEqual([]);
    server = await startServer(setup, { port: server.port });
    const fresh = client(server.url, TOKENS.alice, ['person:alice']);
    await fresh.conn.whenSynced();
    const after = new Set(checkInIds(fresh.doc('person:alice')));
    expect(acknowledged.filter((id) => !after.has(id))).toEqual([]);
    fresh.conn.destroy();
  });

  it('refuses an update over the size limit with a clear error, and does not store it', async () => {
    const c = client(server.url, TOKENS.alice, ['person:alice']);
    await c.conn.whenSynced();
    writeRecord(c.doc('person:alice'), 'comments', { id: 'huge', target: { kind: 'objective', id: 'alice-public' }, authorId: 'alice', at: new Date().toISOString(), text: 'x'.repeat(1_200_000) });
    const s = await until(c.conn, (st) => st.state === 'error');
    expect(s.reason).toMatch(/update-too-large|over this server's limit/);
    c.conn.destroy();
    const again = client(server.url, TOKENS.bob, ['person:alice']);
    await again.conn.whenSynced();
    expect(hasRecord(again.doc('person:alice'), 'comments', 'huge')).toBe(false);
    again.conn.destroy();
  });
});
