// The IndexedDB + BroadcastChannel suite, shared by the node run (fake-indexeddb) and the real
// Chromium run so the two never diverge. Each test uses its own database name.
import { describe, it, expect, afterEach } from 'vitest';
import { openDB, unwrap } from 'idb';
import * as Y from 'yjs';
import {
  openCandorDB,
  loadWorkspace,
  persistWorkspace,
  saveWorkspace,
  loadInto,
  LocalStore,
  DB_VERSION,
  MIGRATIONS,
  type CandorDatabase,
  type Migration,
} from '../../core/store/idb.ts';
import { connectBroadcast } from '../../core/store/broadcast.ts';
import { CandorStorageError, toStorageError } from '../../core/store/errors.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { seededWorkspace, numeric, comparable } from './store-fixtures.ts';

/**
 * What a page does at start (the extension's persistence does the same): open the database, listen to
 * the other pages, then load the log into a workspace and persist it.
 */
async function openLocalWorkspace(options: { name: string; me: string; snapshotDelayMs: false; broadcast: false | string }) {
  const db = await openCandorDB({ name: options.name });
  const workspace = new Workspace({ me: options.me });
  // Listen to the other pages before reading the log, so nothing they write in between is missed.
  const broadcast = options.broadcast === false ? undefined : connectBroadcast(workspace, { name: options.broadcast });
  const counts = await db.logCounts();
  const store = new LocalStore(workspace, db, { snapshotDelayMs: options.snapshotDelayMs }, counts);
  await loadInto(db, workspace);
  return { db, workspace, store, broadcast };
}

const opened: CandorDatabase[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  for (const fn of cleanups.splice(0)) fn();
});

const dbName = () => `candor-test-${Math.random().toString(36).slice(2)}`;

async function open(name: string, options: Parameters<typeof openCandorDB>[0] = {}): Promise<CandorDatabase> {
  const db = await openCandorDB({ name, ...options });
  opened.push(db);
  return db;
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A workspace with one objective and key result, persisted to a fresh database. */
async function persisted(name = dbName(), options: Parameters<typeof persistWorkspace>[2] = { snapshotDelayMs: false }) {
  const db = await open(name);
  const { ws, cycle } = seededWorkspace();
  await saveWorkspace(db, ws);
  const store = persistWorkspace(ws, db, options);
  const { objective, keyResults } = ws.createObjective({ cycleId: cycle.id, title: 'Ship it', keyResults: [numeric('Users')] });
  await store.flush();
  return { name, db, ws, store, objective, kr: keyResults[0]! };
}

export interface SuiteHooks {
  /** Closes a connection the way a browser does on its own (e.g. site data cleared): it fires `close`. */
  forceClose(db: IDBDatabase): void;
}

export function storeSuite(environment: string, hooks: SuiteHooks): void {
  describe(`IndexedDB persistence (${environment})`, () => {
    it('keeps a workspace across close and reopen', async () => {
      const { name, db, ws, store, kr } = await persisted();
      ws.checkIn(kr.id, { value: 42, confidence: 0.9 });
      await store.flush();
      expect(store.status).toBe('saved');
      const before = comparable(ws.document);
      db.close();
      const again = await open(name);
      const loaded = await loadWorkspace(again, { me: 'ana' });
      expect(comparable(loaded.document)).toEqual(before);
      expect(loaded.document.checkIns.map((c) => c.value)).toEqual([42]);
    });

    it('reports saved only after the transaction committed (another connection can read it then)', async () => {
      const { name, ws, store, kr } = await persisted();
      const other = await open(name);
      const seen: string[] = [];
      let readAtSaved = -1;
      store.onStatus((s) => {
        seen.push(s);
        if (s === 'saved') void other.readLog('person:ana').then((log) => (readAtSaved = log.length));
      });
      const logBefore = (await other.readLog('person:ana')).length;
      ws.checkIn(kr.id, { value: 1, confidence: 0.5 });
      expect(store.status).toBe('saving');
      await store.flush();
      expect(seen).toEqual(['saving', 'saved']);
      await until(() => readAtSaved >= 0);
      expect(readAtSaved).toBe(logBefore + 1);
    });

    it('writes the updates of one task in one transaction', async () => {
      const { ws, store, kr } = await persisted();
      const before = store.committed;
      for (let i = 0; i < 5; i++) ws.checkIn(kr.id, { value: i, confidence: 0.5 });
      await store.flush();
      expect(store.committed - before).toBe(5);
      expect(store.status).toBe('saved');
    });

    it('serves two connections at once', async () => {
      const name = dbName();
      const a = await open(name);
      const b = await open(name);
      const wa = new Workspace({ me: 'ana' });
      const sa = persistWorkspace(wa, a, { snapshotDelayMs: false });
      wa.upsertPerson({ id: 'ana', name: 'Ana', teamIds: [] });
      await sa.flush();
      const wb = await loadWorkspace(b, { me: 'ana' });
      expect(wb.document.people.map((p) => p.name)).toEqual(['Ana']);
      const sb = persistWorkspace(wb, b, { snapshotDelayMs: false });
      wb.upsertPerson({ id: 'ben', name: 'Ben', teamIds: [] });
      wa.upsertPerson({ id: 'cy', name: 'Cy', teamIds: [] });
      await Promise.all([sa.flush(), sb.flush()]);
      const merged = await loadWorkspace(a, { me: 'ana' });
      expect(merged.document.people.map((p) => p.id)).toEqual(['ana', 'ben', 'cy']);
    });

    it('an aborted transaction leaves no partial write', async () => {
      const { name, db } = await persisted();
      const count = async () => (await db.readAllLogs()).get('person:ana')!.length;
      const before = await count();
      // a transaction aborted after one of its writes
      const tx = db.db.transaction('updates', 'readwrite');
      void tx.store.add({ space: 'person:ana', update: new Uint8Array([1]), at: 0, bytes: 1 }).catch(() => {});
      tx.abort();
      await expect(tx.done).rejects.toBeTruthy();
      expect(await count()).toBe(before);
      // a batch whose second entry cannot be stored: the first is not kept either
      const bad = { space: 'person:ana', update: (() => 1) as unknown as Uint8Array };
      await expect(db.append([{ space: 'person:ana', update: new Uint8Array([0, 0]) }, bad])).rejects.toBeInstanceOf(CandorStorageError);
      expect(await count()).toBe(before);
      const reopened = await loadWorkspace(await open(name), { me: 'ana' });
      expect(reopened.document.objectives).toHaveLength(1);
    });

    it('does not write back what it loaded', async () => {
      const { name } = await persisted();
      const db = await open(name);
      const counts = await db.logCounts();
      const { workspace, store, broadcast } = await openLocalWorkspace({ name, me: 'ana', snapshotDelayMs: false, broadcast: false });
      opened.push(store.db);
      expect(broadcast).toBeUndefined();
      expect(workspace.document.objectives).toHaveLength(1);
      await store.flush();
      expect(store.committed).toBe(0);
      expect(await db.logCounts()).toEqual(counts);
    });

    it('compacts a long log into one update and keeps every record', async () => {
      const { name, db, ws, store, kr } = await persisted(undefined, { compactAfter: 5, snapshotDelayMs: false });
      for (let i = 0; i < 12; i++) {
        ws.checkIn(kr.id, { value: i, confidence: 0.5 });
        await store.flush();
      }
      // the store compacted by itself once the log passed 5 entries
      let entries = Infinity;
      for (const end = Date.now() + 3000; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
        entries = (await db.logCounts()).get('person:ana')!;
        if (entries <= 6) break;
      }
      expect(entries).toBeLessThanOrEqual(6);
      const result = await db.compact('person:ana');
      expect(result.after).toBe(1);
      expect((await db.logCounts()).get('person:ana')).toBe(1);
      const loaded = await loadWorkspace(await open(name), { me: 'ana' });
      expect(loaded.document.checkIns.map((c) => c.value!).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(comparable(loaded.document)).toEqual(comparable(ws.document));
    });

    it('keeps deletions (tombstones) across reloads, even when an old copy is written again', async () => {
      const { name, db, ws, store, objective } = await persisted();
      const oldCopy = Y.encodeStateAsUpdate(ws.space('person:ana'));
      ws.delete('objectives', objective.id);
      await store.flush();
      await db.append([{ space: 'person:ana', update: oldCopy }]);
      const loaded = await loadWorkspace(await open(name), { me: 'ana' });
      expect(loaded.document.objectives).toEqual([]);
      expect(loaded.document.keyResults).toEqual([]);
    });

    it('saves and reads the materialised snapshot for first paint', async () => {
      const { name, ws, store } = await persisted();
      await store.snapshot();
      const db = await open(name);
      const snap = await db.loadSnapshot('ana');
      expect(snap).toBeDefined();
      expect(comparable(snap!.document)).toEqual(comparable(ws.document));
      expect(typeof snap!.at).toBe('string');
      expect(await db.loadSnapshot('nobody')).toBeUndefined();
    });

    it('takes a snapshot by itself a little after changes', async () => {
      const { name, ws, store, kr } = await persisted(undefined, { snapshotDelayMs: 20 });
      ws.checkIn(kr.id, { value: 7, confidence: 0.5 });
      await store.flush();
      const db = await open(name);
      let snap: Awaited<ReturnType<CandorDatabase['loadSnapshot']>>;
      const end = Date.now() + 3000;
      while (!(snap = await db.loadSnapshot('ana'))?.document.checkIns.length && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(snap!.document.checkIns.map((c) => c.value)).toEqual([7]);
    });

    it('turns a quota failure into a CandorStorageError offering export, loses nothing stored, and saves on retry', async () => {
      const { name, db, ws, store, kr } = await persisted();
      const storedBefore = (await db.readAllLogs()).get('person:ana')!.length;
      const proto = IDBObjectStore.prototype;
      const realAdd = proto.add;
      proto.add = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
      let error: unknown;
      try {
        ws.checkIn(kr.id, { value: 99, confidence: 0.7 });
        await store.flush().catch((e) => (error = e));
      } finally {
        proto.add = realAdd;
      }
      expect(error).toBeInstanceOf(CandorStorageError);
      expect((error as CandorStorageError).kind).toBe('quota');
      expect((error as Error).message).toMatch(/Export/);
      expect((error as Error).message).toMatch(/Nothing already saved was lost/);
      expect(store.status).toBe('error');
      expect((await db.readAllLogs()).get('person:ana')!.length).toBe(storedBefore);
      // the change is still in memory, and the next save writes it
      expect(ws.document.checkIns.map((c) => c.value)).toEqual([99]);
      await store.flush();
      expect(store.status).toBe('saved');
      const loaded = await loadWorkspace(await open(name), { me: 'ana' });
      expect(loaded.document.checkIns.map((c) => c.value)).toEqual([99]);
      // a quota error reported by a transaction (as browsers do) maps the same way
      expect(toStorageError(new DOMException('full', 'QuotaExceededError'), 'save').kind).toBe('quota');
    });
  });

  describe(`IndexedDB schema migrations (${environment})`, () => {
    it('lists ordered versions, each with a description', () => {
      expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
      for (const m of MIGRATIONS) expect(m.description.length).toBeGreaterThan(20);
      expect(DB_VERSION).toBe(MIGRATIONS.length);
    });

    it('creates a fresh database at the latest version with no backup', async () => {
      const db = await open(dbName());
      expect(db.version).toBe(DB_VERSION);
      expect([...db.db.objectStoreNames].sort()).toEqual(['backups', 'meta', 'snapshots', 'updates']);
      expect(await db.listBackups()).toEqual([]);
    });

    for (let from = 1; from < DB_VERSION; from++) {
      it(`migrates from version ${from}, keeping the data and a backup of it`, async () => {
        const name = dbName();
        const { ws } = seededWorkspace();
        ws.createObjective({ cycleId: 'q1', title: 'From the past', keyResults: [numeric('K')] });
        const old = await open(name, { version: from });
        expect(old.version).toBe(from);
        // rows as this version wrote them: no `at` or `bytes` before version 3
        const tx = old.db.transaction(from >= 2 ? ['updates', 'meta', 'snapshots'] : ['updates', 'meta'], 'readwrite');
        for (const [space, doc] of ws.spaces) void tx.objectStore('updates').add({ space, update: Y.encodeStateAsUpdate(doc) } as never);
        void tx.objectStore('meta').put('dark', 'theme');
        if (from >= 2) void tx.objectStore('snapshots').put({ key: 'ana', document: ws.document, at: '2026-01-01T00:00:00Z' });
        await tx.done;
        old.close();

        const db = await open(name);
        expect(db.version).toBe(DB_VERSION);
        const rows = await db.db.getAll('updates');
        expect(rows.length).toBe(ws.spaces.size);
        for (const r of rows) {
          expect(r.update).toBeInstanceOf(Uint8Array);
          expect(r.bytes).toBe(r.update.byteLength);
          expect(typeof r.at).toBe('number');
        }
        const loaded = await loadWorkspace(db, { me: 'ana' });
        expect(comparable(loaded.document)).toEqual(comparable(ws.document));
        expect(await db.getMeta('theme')).toBe('dark');
        if (from >= 2) expect((await db.loadSnapshot('ana'))!.document.objectives[0]!.title).toBe('From the past');
        const backups = await db.listBackups();
        expect(backups).toHaveLength(1);
        expect(backups[0]).toMatchObject({ fromVersion: from, toVersion: 3 });
        expect(backups[0]!.data.updates).toHaveLength(ws.spaces.size);
        expect(backups[0]!.reason).toMatch(/before migration 3/);
      });
    }
  });

  it(`a failing migration rolls the whole upgrade back and keeps the old data (${environment})`, async () => {
    const name = dbName();
    const { ws } = seededWorkspace();
    const old = await open(name, { version: 2 });
    await saveWorkspace(old, ws);
    old.close();
    const broken = [
      ...MIGRATIONS,
      {
        version: DB_VERSION + 1,
        description: 'A step that fails half way, after rewriting some rows.',
        changesData: true,
        async upgrade(_db, tx) {
          await tx.objectStore('updates').clear();
          throw new Error('boom');
        },
      } satisfies Migration,
    ];
    const quiet = console.error;
    console.error = () => {};
    const err = await openCandorDB({ name, migrations: broken }).catch((e) => e);
    console.error = quiet;
    expect(err).toBeInstanceOf(CandorStorageError);
    const db = await open(name, { version: 2 }); // would fail if the broken upgrade had gone through
    expect(db.version).toBe(2);
    const loaded = await loadWorkspace(db, { me: 'ana' });
    expect(comparable(loaded.document)).toEqual(comparable(ws.document));
    expect(await db.listBackups()).toEqual([]);
  });

  describe(`IndexedDB connections across tabs (${environment})`, () => {
    it('closes itself and tells the app when another tab upgrades (blocking), so the upgrade never waits', async () => {
      const name = dbName();
      const calls: unknown[] = [];
      const old = await open(name, { version: 2, onVersionChange: (info) => calls.push(info) });
      const fresh = await open(name);
      expect(fresh.version).toBe(DB_VERSION);
      expect(calls).toEqual([{ currentVersion: 2, wantedVersion: DB_VERSION }]);
      expect(old.closed).toBe(true);
      const err = await old.append([{ space: 'company', update: new Uint8Array([0, 0]) }]).catch((e) => e);
      expect(err).toBeInstanceOf(CandorStorageError);
      expect(err.kind).toBe('closed');
    });

    it('tells the app when an old tab that does not close blocks the upgrade, and opens once it closes', async () => {
      const name = dbName();
      const stubborn = await openDB(name, 2, {
        upgrade(db) {
          db.createObjectStore('updates', { autoIncrement: true }).createIndex('space', 'space');
          db.createObjectStore('meta');
          db.createObjectStore('snapshots', { keyPath: 'key' });
          db.createObjectStore('backups', { keyPath: 'id', autoIncrement: true });
        },
      });
      const blocked: unknown[] = [];
      const opening = open(name, { onBlocked: (info) => blocked.push(info) });
      await until(() => blocked.length > 0);
      expect(blocked[0]).toEqual({ currentVersion: 2, wantedVersion: DB_VERSION });
      stubborn.close();
      const db = await opening;
      expect(db.version).toBe(DB_VERSION);
    });

    it('tells the app when the browser closes the connection abnormally (terminated), and refuses writes after', async () => {
      let terminated = 0;
      const db = await open(dbName(), { onTerminated: () => terminated++ });
      hooks.forceClose(unwrap(db.db));
      expect(terminated).toBe(1);
      expect(db.closed).toBe(true);
      const err = await db.append([{ space: 'company', update: new Uint8Array([0, 0]) }]).catch((e) => e);
      expect(err).toBeInstanceOf(CandorStorageError);
      expect(err.kind).toBe('closed');
    });

    it('gives up waiting on a blocking tab after blockedTimeoutMs with a clear error', async () => {
      const name = dbName();
      const stubborn = await openDB(name, 1, {
        upgrade(db) {
          db.createObjectStore('updates', { autoIncrement: true }).createIndex('space', 'space');
          db.createObjectStore('meta');
        },
      });
      cleanups.push(() => stubborn.close());
      const err = await openCandorDB({ name, blockedTimeoutMs: 50 }).catch((e) => e);
      expect(err).toBeInstanceOf(CandorStorageError);
      expect(err.kind).toBe('blocked');
      expect(err.message).toMatch(/another tab/);
    });
  });

  describe(`BroadcastChannel between pages (${environment})`, () => {
    it('delivers a check-in from one workspace to another; the receiver neither re-broadcasts nor re-persists it', async () => {
      const channel = `candor-test-${Math.random().toString(36).slice(2)}`;
      const { name, ws: a, store: sa, kr } = await persisted();
      const dbB = await open(name);
      const b = await loadWorkspace(dbB, { me: 'ana' });
      const sb = persistWorkspace(b, dbB, { snapshotDelayMs: false });
      const heard: string[] = [];
      const la = connectBroadcast(a, { name: channel });
      const lb = connectBroadcast(b, { name: channel, onRemoteChange: (space) => heard.push(space) });
      const spy = new BroadcastChannel(channel);
      let posted = 0;
      spy.onmessage = () => posted++;
      cleanups.push(() => (la.close(), lb.close(), spy.close()));

      a.checkIn(kr.id, { value: 64, confidence: 0.8 });
      await until(() => b.document.checkIns.length === 1);
      expect(b.document.checkIns[0]!.value).toBe(64);
      expect(heard).toEqual(['person:ana']);
      await sa.flush();
      await sb.flush();
      await new Promise((r) => setTimeout(r, 50));
      expect(posted).toBe(1);
      expect(sb.committed).toBe(0);
      // and the other way round
      b.comment({ kind: 'keyResult', id: kr.id }, 'Nice!');
      await until(() => a.document.comments.length === 1);
      expect(comparable(a.document)).toEqual(comparable(b.document));
    });

    it('openLocalWorkspace listens before it loads, so a page that starts while another writes misses nothing', async () => {
      const channel = `candor-test-${Math.random().toString(36).slice(2)}`;
      const { name, ws: a, store: sa, kr } = await persisted();
      const la = connectBroadcast(a, { name: channel });
      const opening = openLocalWorkspace({ name, me: 'ana', snapshotDelayMs: false, broadcast: channel });
      a.checkIn(kr.id, { value: 5, confidence: 0.5 }); // while the other page is still opening
      const { workspace: b, store: sb, broadcast: lb } = await opening;
      opened.push(sb.db);
      cleanups.push(() => (la.close(), lb?.close()));
      await sa.flush();
      await until(() => b.document.checkIns.length === 1);
      expect(comparable(b.document)).toEqual(comparable(a.document));
    });

    it("ignores another person's workspace on the same origin", async () => {
      const channel = `candor-test-${Math.random().toString(36).slice(2)}`;
      const { ws: a } = seededWorkspace();
      const other = new Workspace({ me: 'ben' });
      const la = connectBroadcast(a, { name: channel });
      const lo = connectBroadcast(other, { name: channel });
      cleanups.push(() => (la.close(), lo.close()));
      a.createObjective({ cycleId: 'q1', title: 'Mine' });
      await new Promise((r) => setTimeout(r, 50));
      expect(other.document.objectives).toEqual([]);
    });
  });

  describe(`saveWorkspace (${environment})`, () => {
    it('writes a seeded workspace whole', async () => {
      const name = dbName();
      const db = await open(name);
      const { ws } = seededWorkspace();
      ws.createObjective({ cycleId: 'q1', title: 'Seeded' });
      await saveWorkspace(db, ws);
      const loaded = await loadWorkspace(db, { me: 'ana' });
      expect(comparable(loaded.document)).toEqual(comparable(ws.document));
    });
  });
}
