// The record rule end to end, as a property: random sequences of admissible writes (through each
// person's Workspace commands) and inadmissible ones (raw Yjs writes a hostile member could send), by
// random people across spaces, exchanged in random orders between three clients and a server that
// runs the update check. Afterwards every client's materialised document equals the server's for the
// spaces it syncs, holds no inadmissible record, and no command the workspace allowed was refused.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import { Directory, mayReadSpace } from '../../core/rules/index.ts';
import { appendRecords, documentToSpaces, materialise, materialiseOne, writeRecord } from '../../core/store/space.ts';
import { checkUpdate } from '../../core/store/update-check.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { CandorFormatError, CandorMutationError, emptyDocument, type CandorDocument, type CollectionName } from '../../core/model/index.ts';

const T = '2026-01-05T09:00:00Z';
const PEOPLE = [
  { id: 'alice', teamIds: ['team-a'] },
  { id: 'bob', teamIds: ['team-a'] },
  { id: 'carol', teamIds: ['team-b'] },
  { id: 'dave', teamIds: [] as string[] },
];
const dir = new Directory({ organisation: 'Test Org', people: PEOPLE, teams: [{ id: 'team-a' }, { id: 'team-b', visibility: 'members' }], admins: ['dave'] });
const SPACES = ['company', 'team:team-a', 'team:team-b', 'members:team-a', 'members:team-b', 'person:alice', 'person:bob', 'person:carol', 'person:dave'];
const CLIENTS = ['alice', 'bob', 'carol'] as const;
type Who = (typeof CLIENTS)[number];

function org(): CandorDocument {
  const doc = emptyDocument(T);
  for (const p of PEOPLE) doc.people.push({ id: p.id, name: p.id, teamIds: p.teamIds });
  doc.teams.push({ id: 'team-a', name: 'A', leadIds: [] }, { id: 'team-b', name: 'B', leadIds: [], visibility: 'members' });
  doc.cycles.push({ id: 'q1', name: 'Q1', start: '2026-01-01', end: '2026-12-31' });
  const objective = (id: string, owner: { kind: 'person' | 'team' | 'company'; id: string }, visibility: 'public' | 'team' = 'public') => {
    doc.objectives.push({ id, cycleId: 'q1', title: id, owner, type: 'committed', visibility, state: 'active', rollup: 'key-results', createdAt: T, updatedAt: T });
    doc.keyResults.push({ id: `${id}-kr`, objectiveId: id, title: `KR ${id}`, weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 }, ...(owner.kind === 'company' ? { ownerId: 'bob' } : {}) });
  };
  objective('o-alice', { kind: 'person', id: 'alice' });
  objective('o-alice-team', { kind: 'person', id: 'alice' }, 'team');
  objective('o-team-a', { kind: 'team', id: 'team-a' });
  objective('o-team-a-hidden', { kind: 'team', id: 'team-a' }, 'team');
  objective('o-team-b', { kind: 'team', id: 'team-b' });
  objective('o-company', { kind: 'company', id: 'org' });
  return doc;
}

/** One step of a run: a command through the workspace, a raw (hostile) write, or delivering queued updates. */
type Step =
  | { kind: 'command'; who: Who; op: number; pick: number }
  | { kind: 'attack'; who: Who; op: number; pick: number }
  | { kind: 'deliver'; who: Who; count: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('command' as const), who: fc.constantFrom(...CLIENTS), op: fc.nat(5), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant('attack' as const), who: fc.constantFrom(...CLIENTS), op: fc.nat(5), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant('deliver' as const), who: fc.constantFrom(...CLIENTS), count: fc.integer({ min: 1, max: 4 }) }),
);

function run(steps: Step[]) {
  const server = documentToSpaces(org());
  for (const s of SPACES) if (!server.has(s)) server.set(s, new Y.Doc());
  server.get('company')!.getMap('meta').set('organisation', 'Test Org');
  server.get('company')!.getMap('meta').set('admins', ['dave']);
  const REMOTE = Symbol('remote');
  const clients = new Map<Who, { spaces: Map<string, Y.Doc>; ws: Workspace; outbox: { space: string; update: Uint8Array; legit: boolean }[] }>();
  let writingLegit = false;
  const refusedLegit: string[] = [];
  const attach = (who: Who, space: string, doc: Y.Doc) => {
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      clients.get(who)!.outbox.push({ space, update, legit: writingLegit });
    });
  };
  for (const who of CLIENTS) {
    const spaces = new Map<string, Y.Doc>();
    for (const s of SPACES) {
      if (!mayReadSpace(dir, who, s)) continue;
      const d = new Y.Doc();
      Y.applyUpdate(d, Y.encodeStateAsUpdate(server.get(s)!), REMOTE);
      spaces.set(s, d);
    }
    const ws = new Workspace({ me: who, spaces, now: () => new Date(T) });
    clients.set(who, { spaces: ws.spaces, ws, outbox: [] });
    for (const [s, d] of spaces) attach(who, s, d);
  }
  const elsewhere = (collection: CollectionName, id: string) =>
    [...server].flatMap(([space, doc]) => {
      const r = materialiseOne(space, doc, dir).find(collection, id);
      return r ? [{ space, record: r as Record<string, unknown> }] : [];
    });
  const deliver = (who: Who, count: number) => {
    const c = clients.get(who)!;
    for (let i = 0; i < count && c.outbox.length; i++) {
      const msg = c.outbox.shift()!;
      const doc = server.get(msg.space)!;
      const verdict = checkUpdate(doc, msg.update, { space: msg.space, writer: who, dir, elsewhere });
      if (verdict.ok) {
        Y.applyUpdate(doc, msg.update);
        for (const [other, oc] of clients) if (other !== who && oc.spaces.has(msg.space)) Y.applyUpdate(oc.spaces.get(msg.space)!, msg.update, REMOTE);
        continue;
      }
      if (msg.legit) refusedLegit.push(`${who} → ${msg.space}: ${verdict.reason}`);
      // The client resyncs that space: its copy is dropped for the server's, and what it had queued there goes too.
      const fresh = new Y.Doc();
      Y.applyUpdate(fresh, Y.encodeStateAsUpdate(doc), REMOTE);
      c.ws.removeSpace(msg.space);
      c.ws.addSpace(msg.space, fresh);
      attach(who, msg.space, fresh);
      c.outbox = c.outbox.filter((m) => m.space !== msg.space);
    }
  };

  for (const s of steps) {
    const c = clients.get(s.who)!;
    const doc = c.ws.document;
    const any = <T,>(xs: readonly T[]) => (xs.length ? xs[s.kind === 'deliver' ? 0 : s.pick % xs.length] : undefined);
    if (s.kind === 'deliver') {
      deliver(s.who, s.count);
      continue;
    }
    if (s.kind === 'command') {
      writingLegit = true;
      try {
        const kr = any(doc.keyResults);
        const o = any(doc.objectives);
        switch (s.op) {
          case 0:
            if (kr) c.ws.checkIn(kr.id, { value: s.pick, confidence: 0.5 });
            break;
          case 1:
            if (o) c.ws.comment({ kind: 'objective', id: o.id }, `note ${s.pick}`);
            break;
          case 2: {
            const owner = any([{ kind: 'person' as const, id: s.who }, { kind: 'team' as const, id: PEOPLE.find((p) => p.id === s.who)!.teamIds[0] ?? 'team-a' }])!;
            c.ws.createObjective({ cycleId: 'q1', title: `New ${s.pick}`, owner, visibility: s.pick % 2 ? 'team' : 'public', keyResults: [{ title: 'KR', metric: { kind: 'increase', start: 0, target: 10 } }] });
            break;
          }
          case 3:
            if (o) c.ws.editObjective(o.id, { title: `Edited ${s.pick}` });
            break;
          case 4:
            if (kr) c.ws.giveKudos({ target: { kind: 'keyResult', id: kr.id }, toIds: ['alice'], message: 'thanks' });
            break;
          case 5: {
            const mine = doc.checkIns.filter((x) => x.authorId === s.who);
            const x = any(mine);
            if (x) c.ws.delete('checkIns', x.id);
            break;
          }
        }
      } catch (e) {
        if (!(e instanceof CandorMutationError || e instanceof CandorFormatError)) throw e;
        // The rule said no before anything was written: that is the workspace refusing first.
      } finally {
        writingLegit = false;
      }
      continue;
    }
    // Attacks: raw writes into a space this person's client holds.
    const spaces = [...c.spaces.keys()];
    const space = any(spaces)!;
    const target = c.spaces.get(space)!;
    const other = CLIENTS.find((w) => w !== s.who)!;
    const krHere = [...target.getMap('keyResults').keys()];
    switch (s.op) {
      case 0: // a check-in in someone else's name
        if (krHere.length) appendRecords(target, 'checkIns', [{ id: `forged-${s.pick}-${steps.indexOf(s)}`, keyResultId: krHere[s.pick % krHere.length]!, authorId: other, at: T, value: 1, confidence: 1 }]);
        break;
      case 1: // an objective claiming the company as its owner, in my own space
        writeRecord(target, 'objectives', { id: `fake-${s.pick}-${steps.indexOf(s)}`, cycleId: 'q1', title: 'Fake', owner: { kind: 'company', id: 'org' }, createdAt: T, updatedAt: T });
        break;
      case 2: // id shadowing: another space's objective id, owned by me
        writeRecord(target, 'objectives', { id: 'o-company', cycleId: 'q1', title: 'Mine', owner: { kind: 'person', id: s.who }, createdAt: T, updatedAt: '2026-02-01T00:00:00Z' });
        break;
      case 3: // a layout write
        target.getMap('meta').set('layout', 99);
        break;
      case 4: { // nesting below a record
        const m = new Y.Map();
        m.set('deep', new Y.Map());
        target.getMap('objectives').set(`nest-${s.pick}`, m);
        break;
      }
      case 5: // a comment about a members-only team's objective, outside its space
        appendRecords(target, 'comments', [{ id: `leak-${s.pick}-${steps.indexOf(s)}`, target: { kind: 'objective', id: 'o-team-b' }, authorId: s.who, at: T, text: 'psst' }]);
        break;
    }
  }
  for (const who of CLIENTS) deliver(who, Infinity);

  for (const [who, c] of clients) {
    const mine = materialise(c.spaces);
    const inadmissible = mine.issues.filter((i) => i.code === 'inadmissible' || i.code === 'invalid');
    expect(inadmissible, `${who} shows nothing the rule refuses`).toEqual([]);
    const theirs = materialise([...server].filter(([s]) => c.spaces.has(s)), { directory: dir });
    expect(JSON.stringify({ ...mine.document, generatedAt: '' })).toBe(JSON.stringify({ ...theirs.document, generatedAt: '' }));
  }
  // Nothing hostile ever reached the server.
  const all = materialise(server, { directory: dir });
  expect(all.issues.filter((i) => i.code === 'inadmissible' || i.code === 'invalid')).toEqual([]);
  expect(all.document.checkIns.some((x) => x.id.startsWith('forged-'))).toBe(false);
  expect(all.document.objectives.find((o) => o.id === 'o-company')!.owner).toEqual({ kind: 'company', id: 'org' });
  return refusedLegit;
}

describe('the record rule, end to end', () => {
  it('every client shows exactly the server’s admissible records, whatever is written in whatever order', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const refusedLegit = run(steps);
        // A command the workspace allowed is refused only when the client had to resync the space
        // because of an attack queued before it (the resync drops what was queued there).
        for (const r of refusedLegit) expect(r).toMatch(/depends on changes this server does not have/);
      }),
      { numRuns: 60 },
    );
  });
});
