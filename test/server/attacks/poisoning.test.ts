// Poisoning: updates that are valid Yjs but leave a space unloadable, unwritable, unreadable or hidden,
// or carry far more than a record may. A space must stay loadable and writable, the HTTP view must keep
// answering, and the server must come back after SIGTERM and SIGKILL.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CandorDocument } from '../../../core/model/index.ts';
import { storedSpace } from '../harness.ts';
import {
  ATTACK_TOKENS,
  Attacker,
  appendEntry,
  checkInRecord,
  deleteUpdate,
  expectRefused,
  expectRefusedAttack,
  freshClient,
  marker,
  objective,
  Org,
  putRecord,
  RawClient,
  storedContains,
  tryLoad,
  view,
  type Viewer,
} from './helpers.ts';

const EVERYONE: Viewer[] = ['alice', 'bob', 'carol', 'dave', 'erin', 'anonymous'];

/** Nests `depth` Y.Maps under `key` of a record, one level at a time (each level is integrated at once, so nothing here recurses). */
function nest(record: Y.Map<unknown>, key: string, depth: number): void {
  record.set(key, new Y.Map());
  let level = record.get(key) as Y.Map<unknown>;
  for (let i = 0; i < depth; i++) {
    level.set('c', new Y.Map());
    level = level.get('c') as Y.Map<unknown>;
  }
}

const showsObjective = (d: CandorDocument | undefined, id: string) => Boolean(d?.objectives.some((o) => o.id === id));

describe('attack: poisoning a space', () => {
  let org: Org;

  // A fresh organisation for each: on today's server a poisoned space stays poisoned (and a 20,000-deep
  // map makes every view answer 500).
  describe('poisons that break a whole space or every view', () => {
    beforeEach(async () => {
      org = await Org.start();
    }, 30_000);
    afterEach(async () => {
      await org?.close();
    });

    it('one update nesting ~3,000 Y.Maps inside a record, then a 10-byte delete', async () => {
      const space = 'team:team-a';
      const attacker = await Attacker.open(org, 'alice', space);
      const record = attacker.doc.getMap('objectives').get('team-a-public');
      expect(record, 'the attacker sees team-a-public as a Y.Map').toBeInstanceOf(Y.Map);
      const clock = Y.decodeStateVector(Y.encodeStateVector(attacker.doc)).get(attacker.doc.clientID) ?? 0;
      const nested = await attacker.write(() => nest(record as Y.Map<unknown>, 'x', 3000));
      expectRefused(nested, 'a record with 3,000 nested Y.Maps (alice → team:team-a)');
      // The delete of the chain's root item: 10 bytes when the client id takes 5. Deleting it here would
      // overflow this process's stack; the attacker just sends the bytes.
      const del = deleteUpdate(attacker.doc.clientID, clock);
      let sender = attacker;
      if (nested.kind !== 'acked') {
        attacker.destroy();
        sender = await Attacker.open(org, 'alice', space);
      }
      await sender.sendRaw(del); // harmless when refused or when the chain was never stored; not asserted
      sender.destroy();

      const acknowledged: string[] = [];
      const expectHealthy = async (phase: string) => {
        // A fresh client can load the space (fetched as bytes and applied here inside try/catch, so a
        // poisoned state is a failure, not a crash of the test process).
        const loader = await RawClient.open(org.url, ATTACK_TOKENS.bob, space, { sync: true });
        const company = await RawClient.open(org.url, ATTACK_TOKENS.bob, 'company', { sync: true });
        const loaded = tryLoad(space, loader.serverState, company.serverState);
        loader.close();
        company.close();
        expect.soft(loaded.ok ? 'loadable' : loaded.error, `${phase}: a fresh client loads ${space}`).toBe('loadable');
        if (loaded.ok) expect.soft(showsObjective(loaded.document, 'team-a-public'), `${phase}: ${space} still shows team-a-public`).toBe(true);
        for (const id of acknowledged) expect.soft(Buffer.from(loader.serverState).includes(id), `${phase}: the acknowledged check-in ${id} is still in ${space}`).toBe(true);
        const res = await view(org, 'bob');
        expect.soft(res.status, `${phase}: GET /v1/document as bob`).toBe(200);
        expect.soft(showsObjective(res.document, 'team-a-public'), `${phase}: /v1/document shows team-a-public`).toBe(true);

        // A teammate's later check-in is acknowledged AND relayed AND stored. Raw clients: today's
        // server would hand a Candor client a state that crashes its Y.Doc.
        const watcher = await RawClient.open(org.url, ATTACK_TOKENS.alice, space);
        const writer = await RawClient.open(org.url, ATTACK_TOKENS.bob, space);
        const id = marker('bob-checkin');
        const fresh = new Y.Doc();
        appendEntry(fresh, 'checkIns', checkInRecord(id, 'team-a-public-kr', 'bob', 11));
        const outcome = await writer.send(Y.encodeStateAsUpdate(fresh), 5000);
        expect.soft(outcome.kind, `${phase}: bob's check-in is acknowledged`).toBe('acked');
        const relayed = await watcher.waitReceived(id, 5000);
        expect.soft(relayed, `${phase}: bob's check-in is relayed to alice`).toBe(true);
        expect.soft(storedContains(org, space, id), `${phase}: bob's check-in is stored in SQLite`).toBe(true);
        if (outcome.kind === 'acked') acknowledged.push(id);
        watcher.close();
        writer.close();
      };

      await expectHealthy('after the attack');
      await org.restart('SIGKILL');
      await expectHealthy('after a SIGKILL restart');
      expect.soft(await org.restart('SIGTERM'), 'a SIGTERM stop exits 0').toBe(0);
      await expectHealthy('after a SIGTERM restart');
    });

    it('a 20,000-deep nested map in one objective: /v1/document keeps answering, clients keep materialising', async () => {
      const key = marker('deep');
      await expectRefusedAttack({
        org,
        attacker: 'alice',
        space: 'person:alice',
        attacks: [
          {
            label: 'alice-public with a 20,000-deep nested Y.Map',
            marker: key,
            write: (doc) => nest(doc.getMap('objectives').get('alice-public') as Y.Map<unknown>, key, 20_000),
            replica: { who: 'bob', shows: (d) => Boolean(d.objectives.find((o) => o.id === 'alice-public' && key in o)) },
          },
        ],
        readers: [{ who: 'bob' }, { who: 'erin' }],
        viewers: ['alice', 'bob', 'anonymous'],
        check: async (phase) => {
          for (const who of ['alice', 'bob', 'anonymous'] as const) {
            const res = await view(org, who);
            expect.soft(showsObjective(res.document, 'alice-public'), `${phase}: /v1/document as ${who} (${res.status}) shows alice-public`).toBe(true);
          }
        },
      });
    });
  });

  describe('poisons of one space or one record', () => {
    beforeAll(async () => {
      org = await Org.start();
    }, 30_000);
    afterAll(async () => {
      await org?.close();
    });

    it("meta.layout = 99 written into team:team-a does not hide the team's objectives", async () => {
      await expectRefusedAttack({
        org,
        attacker: 'alice',
        space: 'team:team-a',
        attacks: [{ label: 'meta.layout = 99', marker: '', write: (doc) => doc.getMap('meta').set('layout', 99) }],
        readers: [{ who: 'bob' }],
        viewers: ['bob', 'anonymous'],
        check: async (phase) => {
          for (const who of ['bob', 'carol', 'anonymous'] as const) {
            const res = await view(org, who);
            expect.soft(showsObjective(res.document, 'team-a-public'), `${phase}: /v1/document as ${who} shows team-a-public`).toBe(true);
          }
          for (const who of ['bob', 'carol'] as const) {
            const c = await freshClient(org, who, ['team:team-a']);
            try {
              const m = c.materialised();
              expect.soft(m.ok && showsObjective(m.document, 'team-a-public'), `${phase}: ${who}'s client shows team-a-public`).toBe(true);
              expect.soft(c.doc('team:team-a').getMap('meta').get('layout'), `${phase}: ${who}'s copy of team:team-a keeps layout 1`).toBe(1);
            } finally {
              c.destroy();
            }
          }
          expect.soft(storedSpace(org.dbPath, 'team:team-a').getMap('meta').get('layout'), `${phase}: SQLite keeps layout 1 for team:team-a`).toBe(1);
        },
      });
    });

    it('an objective carrying 900 kB of unknown fields is served to no one', async () => {
      const id = marker('fat-objective');
      const unknown: Record<string, string> = {};
      for (let i = 0; i < 90; i++) unknown[`extra${i}`] = `${id}:`.padEnd(10_000, 'x');
      await expectRefusedAttack({
        org,
        attacker: 'alice',
        space: 'person:alice',
        attacks: [
          {
            label: 'an objective with 90 unknown fields of 10 kB each',
            marker: id,
            write: (doc) => putRecord(doc, 'objectives', objective(id, { kind: 'person', id: 'alice' }, 'public', unknown)),
            replica: { who: 'bob', shows: (d) => d.objectives.some((o) => o.id === id) },
          },
        ],
        readers: [{ who: 'bob' }, { who: 'erin' }],
        viewers: EVERYONE,
      });
    });
  });
});
