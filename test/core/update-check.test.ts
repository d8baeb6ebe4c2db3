import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Directory } from '../../core/rules/index.ts';
import { checkUpdate, type CheckUpdateOptions } from '../../core/store/update-check.ts';
import { appendRecords, deleteRecords, documentToSpaces, writeRecord, patchRecord, materialise } from '../../core/store/space.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { emptyDocument, type CandorDocument } from '../../core/model/index.ts';

const T = '2026-01-05T09:00:00Z';
const dir = new Directory({
  organisation: 'Test Org',
  people: [
    { id: 'alice', teamIds: ['team-a'] },
    { id: 'bob', teamIds: ['team-a'] },
    { id: 'carol', teamIds: ['team-b'] },
    { id: 'dave', teamIds: [] },
  ],
  teams: [{ id: 'team-a' }, { id: 'team-b', visibility: 'members' }],
  admins: ['dave'],
});

function org(): CandorDocument {
  const doc = emptyDocument(T);
  doc.people.push({ id: 'alice', name: 'Alice', teamIds: ['team-a'] }, { id: 'bob', name: 'Bob', teamIds: ['team-a'] }, { id: 'carol', name: 'Carol', teamIds: ['team-b'] }, { id: 'dave', name: 'Dave', teamIds: [] });
  doc.teams.push({ id: 'team-a', name: 'A', leadIds: [] }, { id: 'team-b', name: 'B', leadIds: [], visibility: 'members' } as never);
  doc.cycles.push({ id: 'q1', name: 'Q1', start: '2026-01-01', end: '2026-03-31' });
  const objective = (id: string, owner: { kind: 'person' | 'team' | 'company'; id: string }, visibility: 'public' | 'team' = 'public') => {
    doc.objectives.push({ id, cycleId: 'q1', title: `Objective ${id}`, owner, type: 'committed', visibility, state: 'active', rollup: 'key-results', createdAt: T, updatedAt: T });
    doc.keyResults.push({ id: `${id}-kr`, objectiveId: id, title: `KR of ${id}`, weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 } });
  };
  objective('alice-o', { kind: 'person', id: 'alice' });
  objective('alice-team-o', { kind: 'person', id: 'alice' }, 'team');
  objective('team-a-o', { kind: 'team', id: 'team-a' });
  objective('team-b-o', { kind: 'team', id: 'team-b' });
  objective('company-o', { kind: 'company', id: 'org' });
  doc.checkIns.push({ id: 'ci-alice', keyResultId: 'team-a-o-kr', authorId: 'alice', at: T, value: 10, confidence: 0.8 });
  return doc;
}

/** The server's copy of every space, and a client's copy of each (in sync). */
function setup() {
  const server = documentToSpaces(org());
  // The server writes the organisation and its admins into the company space: clients' rule reads them.
  server.get('company')!.getMap('meta').set('organisation', 'Test Org');
  server.get('company')!.getMap('meta').set('admins', ['dave']);
  for (const id of ['person:bob', 'person:carol', 'person:dave', 'members:team-a', 'members:team-b']) if (!server.has(id)) server.set(id, new Y.Doc());
  const client = (space: string) => {
    const c = new Y.Doc();
    Y.applyUpdate(c, Y.encodeStateAsUpdate(server.get(space)!));
    return c;
  };
  /** What `fn` does to a client copy of `space`, as one update. */
  const updateOf = (space: string, fn: (doc: Y.Doc) => void) => {
    const c = client(space);
    const updates: Uint8Array[] = [];
    c.on('update', (u: Uint8Array) => updates.push(u));
    fn(c);
    return Y.mergeUpdates(updates);
  };
  const check = (space: string, writer: string, update: Uint8Array, extra: Partial<CheckUpdateOptions> = {}) =>
    checkUpdate(server.get(space)!, update, { space, writer, dir, ...extra });
  return { server, client, updateOf, check };
}

const checkIn = (id: string, keyResultId: string, authorId: string) => ({ id, keyResultId, authorId, at: T, value: 5, confidence: 0.5 });

describe('the server’s update check', () => {
  it('admits a member’s own check-in and names what it adds', () => {
    const { updateOf, check } = setup();
    const u = updateOf('team:team-a', (d) => appendRecords(d, 'checkIns', [checkIn('c1', 'team-a-o-kr', 'bob')]));
    const v = check('team:team-a', 'bob', u);
    expect(v).toEqual({ ok: true, changes: [expect.objectContaining({ collection: 'checkIns', id: 'c1', kind: 'add' })] });
  });

  it('refuses a check-in in someone else’s name, a teammate’s or a non-member’s', () => {
    const { updateOf, check } = setup();
    for (const author of ['alice', 'carol']) {
      const u = updateOf('team:team-a', (d) => appendRecords(d, 'checkIns', [checkIn('forged', 'team-a-o-kr', author)]));
      const v = check('team:team-a', 'bob', u);
      expect(v.ok).toBe(false);
      expect(!v.ok && v.reason).toMatch(/^checkIns\["forged"\]\.authorId: "\w+" is not you \("bob"\)/);
    }
  });

  it('refuses a check-in by a person who is not the team’s, even in their own name', () => {
    const { updateOf, check } = setup();
    const u = updateOf('team:team-a', (d) => appendRecords(d, 'checkIns', [checkIn('c2', 'team-a-o-kr', 'carol')]));
    expect(check('team:team-a', 'carol', u)).toMatchObject({ ok: false, reason: expect.stringMatching(/carol" may not check in/) });
  });

  it('admits the workspace’s own commands: an objective with key results, an edit, a comment beside its target, a delete', () => {
    const { server, client, check } = setup();
    const spaces = new Map([...server].map(([id]) => [id, client(id)] as const));
    const ws = new Workspace({ me: 'alice', spaces, now: () => new Date(T) });
    const sent: { space: string; update: Uint8Array }[] = [];
    ws.subscribe((c) => sent.push({ space: c.space, update: c.update }));
    const { objective } = ws.createObjective({ cycleId: 'q1', title: 'Mine', keyResults: [{ title: 'KR', metric: { kind: 'increase', start: 0, target: 10 } }] });
    ws.editObjective(objective.id, { title: 'Renamed' });
    ws.comment({ kind: 'objective', id: 'team-a-o' }, 'Nice');
    ws.delete('objectives', objective.id);
    for (const { space, update } of sent) {
      const v = check(space, 'alice', update);
      expect(v.ok, !v.ok ? v.reason : '').toBe(true);
      Y.applyUpdate(server.get(space)!, update);
    }
  });

  it('admits a teammate’s comment on a team-visible objective, beside it in the owner’s space', () => {
    const { updateOf, check } = setup();
    const u = updateOf('person:alice', (d) => appendRecords(d, 'comments', [{ id: 'cm', target: { kind: 'objective', id: 'alice-team-o' }, authorId: 'bob', at: T, text: 'Go!' }]));
    expect(check('person:alice', 'bob', u).ok).toBe(true);
  });

  it('refuses what is said about a members-only team’s objective outside that team’s space', () => {
    const { updateOf, check } = setup();
    const u = updateOf('person:carol', (d) => appendRecords(d, 'comments', [{ id: 'leak', target: { kind: 'objective', id: 'team-b-o' }, authorId: 'carol', at: T, text: 'secret' }]));
    expect(check('person:carol', 'carol', u)).toMatchObject({ ok: false, reason: expect.stringMatching(/^comments\["leak"\]\.target: objective "team-b-o" is not in "person:carol"/) });
  });

  it('refuses a team-visible objective in the team’s public space', () => {
    const { updateOf, check } = setup();
    const o = { id: 'hidden', cycleId: 'q1', title: 'Hidden', owner: { kind: 'team', id: 'team-a' }, visibility: 'team', createdAt: T, updatedAt: T };
    const u = updateOf('team:team-a', (d) => writeRecord(d, 'objectives', o));
    expect(check('team:team-a', 'alice', u)).toMatchObject({ ok: false, reason: expect.stringMatching(/belongs in "members:team-a"/) });
    const ok = updateOf('members:team-a', (d) => writeRecord(d, 'objectives', o));
    expect(check('members:team-a', 'alice', ok).ok).toBe(true);
  });

  it('refuses an objective that claims another owner, and one in someone else’s name', () => {
    const { updateOf, check } = setup();
    const o = { id: 'fake', cycleId: 'q1', title: 'Fake', owner: { kind: 'company', id: 'org' }, createdAt: T, updatedAt: T };
    expect(check('person:bob', 'bob', updateOf('person:bob', (d) => writeRecord(d, 'objectives', o)))).toMatchObject({ ok: false, reason: expect.stringMatching(/belongs in "company"/) });
    const theirs = { ...o, owner: { kind: 'person', id: 'alice' } };
    expect(check('person:alice', 'bob', updateOf('person:alice', (d) => writeRecord(d, 'objectives', theirs)))).toMatchObject({ ok: false, reason: expect.stringMatching(/may not write objectives/) });
  });

  it('refuses an id another space already uses (id shadowing), unless the writer could move that record', () => {
    const { server, updateOf, check } = setup();
    const elsewhere = (collection: string, id: string) =>
      [...server].flatMap(([space, doc]) => (materialise([[space, doc]], { directory: dir }).document[collection as 'objectives'].some((r) => r.id === id) ? [{ space, record: {} }] : []));
    const shadow = { id: 'team-a-o', cycleId: 'q1', title: 'Mine now', owner: { kind: 'person', id: 'carol' }, createdAt: T, updatedAt: T };
    const u = updateOf('person:carol', (d) => writeRecord(d, 'objectives', shadow));
    expect(check('person:carol', 'carol', u, { elsewhere })).toMatchObject({ ok: false, reason: expect.stringMatching(/is the id of a record in "team:team-a"/) });
    // alice is a member of team-a: writing its objective into her own space is a move
    const move = updateOf('person:alice', (d) => writeRecord(d, 'objectives', { ...shadow, owner: { kind: 'person', id: 'alice' } }));
    expect(check('person:alice', 'alice', move, { elsewhere }).ok).toBe(true);
  });

  it('refuses a layout break: nesting below a record, an unknown root, meta writes, plain objects in a log', () => {
    const { updateOf, check } = setup();
    const nested = updateOf('person:bob', (d) => {
      const record = new Y.Map();
      d.getMap('objectives').set('deep', record);
      let at = record;
      for (let i = 0; i < 3000; i++) {
        const next = new Y.Map();
        at.set('x', next);
        at = next;
      }
    });
    expect(check('person:bob', 'bob', nested)).toMatchObject({ ok: false, reason: expect.stringMatching(/field "x" must hold a plain value/) });
    expect(check('person:bob', 'bob', updateOf('person:bob', (d) => d.getMap('surprise').set('a', 1)))).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown part "surprise"/) });
    expect(check('team:team-a', 'alice', updateOf('team:team-a', (d) => d.getMap('meta').set('layout', 99)))).toMatchObject({ ok: false, reason: expect.stringMatching(/^meta/) });
    expect(check('person:bob', 'bob', updateOf('person:bob', (d) => d.getArray('checkIns').push([{ id: 'x' }])))).toMatchObject({ ok: false, reason: expect.stringMatching(/JSON text/) });
  });

  it('refuses 900 kB of unknown fields', () => {
    const { updateOf, check } = setup();
    const u = updateOf('person:bob', (d) => writeRecord(d, 'objectives', { id: 'big', cycleId: 'q1', title: 'Big', owner: { kind: 'person', id: 'bob' }, createdAt: T, updatedAt: T, blob: 'x'.repeat(900_000) }));
    expect(check('person:bob', 'bob', u)).toMatchObject({ ok: false, reason: expect.stringMatching(/kB/) });
  });

  it('lets only the author withdraw a check-in, and a key result’s removal take its check-ins along', () => {
    const { updateOf, check } = setup();
    const withdraw = updateOf('team:team-a', (d) => deleteRecords(d, 'checkIns', ['ci-alice'], 'bob'));
    expect(check('team:team-a', 'bob', withdraw)).toMatchObject({ ok: false, reason: expect.stringMatching(/only its author \("alice"\) may withdraw it/) });
    const own = updateOf('team:team-a', (d) => deleteRecords(d, 'checkIns', ['ci-alice'], 'alice'));
    expect(check('team:team-a', 'alice', own)).toMatchObject({ ok: true, changes: [expect.objectContaining({ kind: 'remove', id: 'ci-alice' })] });
    const cascade = updateOf('team:team-a', (d) => {
      deleteRecords(d, 'checkIns', ['ci-alice'], 'bob');
      deleteRecords(d, 'keyResults', ['team-a-o-kr'], 'bob');
    });
    expect(check('team:team-a', 'bob', cascade).ok).toBe(true);
  });

  it('refuses a tombstone in someone else’s name, and a field edit by a non-writer', () => {
    const { updateOf, check } = setup();
    const t = updateOf('person:alice', (d) => d.getMap('tombstones').set('objectives/alice-o', { at: T, by: 'alice' }));
    expect(check('person:alice', 'bob', t)).toMatchObject({ ok: false, reason: expect.stringMatching(/tombstones\["objectives\/alice-o"\]\.by/) });
    const edit = updateOf('person:alice', (d) => patchRecord(d, 'objectives', 'alice-o', { title: 'Hijacked' }));
    expect(check('person:alice', 'bob', edit)).toMatchObject({ ok: false, reason: expect.stringMatching(/may not write objectives/) });
    expect(check('person:alice', 'alice', edit)).toMatchObject({ ok: true, changes: [expect.objectContaining({ kind: 'change', fields: ['title'] })] });
  });

  it('checks a 110 kB update of 800 check-ins (its cost is in npm run bench)', () => {
    const { updateOf, check } = setup();
    const u = updateOf('team:team-a', (d) => {
      for (let i = 0; i < 800; i++) appendRecords(d, 'checkIns', [{ ...checkIn(`bulk-${i}`, 'team-a-o-kr', 'bob'), note: 'n'.repeat(100) }]);
    });
    expect(u.byteLength).toBeGreaterThan(100_000);
    const v = check('team:team-a', 'bob', u);
    expect(v.ok && v.changes.length).toBe(800);
  });

  it('admits an objective moving to its new owner’s space with a teammate’s comment, from either end', () => {
    const { server, client, check } = setup();
    const spacesOf = (me: string) => new Map([...server].map(([id]) => [id, client(id)] as const));
    const apply = (sent: { space: string; update: Uint8Array }[], writer: string) => {
      const elsewhere = (collection: string, id: string) =>
        [...server].flatMap(([space, doc]) => {
          const r = (materialise([[space, doc]], { directory: dir }).document[collection as 'comments'] as { id: string }[]).find((x) => x.id === id);
          return r ? [{ space, record: r as Record<string, unknown> }] : [];
        });
      for (const { space, update } of sent) {
        const v = check(space, writer, update, { elsewhere });
        expect(v.ok, !v.ok ? v.reason : '').toBe(true);
        Y.applyUpdate(server.get(space)!, update);
      }
    };
    const bob = new Workspace({ me: 'bob', spaces: spacesOf('bob'), now: () => new Date(T) });
    const fromBob: { space: string; update: Uint8Array }[] = [];
    bob.subscribe((c) => fromBob.push(c));
    bob.comment({ kind: 'objective', id: 'alice-o' }, 'Keep going');
    apply(fromBob, 'bob');
    const alice = new Workspace({ me: 'alice', spaces: spacesOf('alice'), now: () => new Date(T) });
    const fromAlice: { space: string; update: Uint8Array }[] = [];
    alice.subscribe((c) => fromAlice.push(c));
    alice.checkIn('alice-o-kr', { value: 20, confidence: 0.7 });
    alice.editObjective('alice-o', { owner: { kind: 'team', id: 'team-a' } });
    expect(alice.find('comments', bob.document.comments[0]!.id)!.space).toBe('team:team-a');
    apply(fromAlice, 'alice');
    const after = materialise(server, { directory: dir }).document;
    expect(after.objectives.find((o) => o.id === 'alice-o')!.owner).toEqual({ kind: 'team', id: 'team-a' });
    expect(after.comments.map((c) => c.text)).toEqual(['Keep going']);
    expect(after.checkIns.filter((c) => c.keyResultId === 'alice-o-kr')).toHaveLength(1);
  });

  it('the workspace refuses first what the server would refuse, in the same words', () => {
    const { server, client } = setup();
    const ws = new Workspace({ me: 'alice', spaces: new Map([...server].map(([id]) => [id, client(id)] as const)), now: () => new Date(T) });
    expect(() => ws.checkIn('company-o-kr', { value: 1, confidence: 0.5 })).toThrow(/"alice" may not check in on key result "company-o-kr"/);
    expect(() => ws.createCycle({ id: 'q9', name: 'Q9', start: '2026-07-01', end: '2026-09-30' })).toThrow(/only the organisation's admins/);
    expect(() => ws.editObjective('team-a-o', { title: 'Ours' })).not.toThrow(); // a member of team-a
  });
});

describe('people who leave a team', () => {
  it('keep what they wrote there while members; they may not write anew', () => {
    const after = new Directory({
      organisation: 'Test Org',
      people: [
        { id: 'alice', teamIds: ['team-a'] },
        { id: 'bob', teamIds: [], formerTeamIds: ['team-a'] },
      ],
      teams: [{ id: 'team-a' }],
      admins: [],
    });
    const space = documentToSpaces(org()).get('team:team-a')!;
    appendRecords(space, 'checkIns', [checkIn('old-bob', 'team-a-o-kr', 'bob')]);
    const seen = materialise([['team:team-a', space]], { directory: after });
    expect(seen.document.checkIns.map((c) => c.id)).toContain('old-bob');
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(space));
    const updates: Uint8Array[] = [];
    client.on('update', (u: Uint8Array) => updates.push(u));
    appendRecords(client, 'checkIns', [checkIn('new-bob', 'team-a-o-kr', 'bob')]);
    expect(checkUpdate(space, updates[0]!, { space: 'team:team-a', writer: 'bob', dir: after })).toMatchObject({ ok: false, reason: expect.stringMatching(/may not check in/) });
  });
});
