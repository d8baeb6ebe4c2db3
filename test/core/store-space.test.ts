import { describe, it, expect } from 'vitest';
import * as Y from 'yjs';
import fc from 'fast-check';
import * as z from 'zod/mini';
import { ZCheckIn, parseDocument, type CandorDocument } from '../../core/model/index.ts';
import {
  parseSpaceId,
  spaceOfRecord,
  documentToSpaces,
  materialise,
  isPlainValidCheckIn,
  writeRecord,
  patchRecord,
  readRecord,
  deleteRecord,
  appendRecords,
  recordIds,
  isLocalOnly,
  SPACE_LAYOUT,
} from '../../core/store/space.ts';
import { comparable } from './store-fixtures.ts';

const at = '2026-01-05T09:00:00Z';

function sample(): CandorDocument {
  const r = parseDocument({
    format: 'candor',
    version: 1,
    generatedAt: at,
    people: [{ id: 'ana', name: 'Ana', teamIds: ['core'] }, { id: 'ben', name: 'Ben' }],
    teams: [{ id: 'core', name: 'Core' }],
    cycles: [{ id: 'q1', name: 'Q1', start: '2026-01-01', end: '2026-03-31' }],
    objectives: [
      { id: 'co', cycleId: 'q1', title: 'Company goal', owner: { kind: 'company', id: 'acme' }, createdAt: at, updatedAt: at },
      { id: 'to', cycleId: 'q1', title: 'Team goal', owner: { kind: 'team', id: 'core' }, parentId: 'co', createdAt: at, updatedAt: at },
      { id: 'ao', cycleId: 'q1', title: 'Ana goal', owner: { kind: 'person', id: 'ana' }, parentId: 'to', createdAt: at, updatedAt: at, jira: 'OKR-1' },
      { id: 'po', cycleId: 'q1', title: 'Private', owner: { kind: 'person', id: 'ana' }, visibility: 'private', createdAt: at, updatedAt: at },
    ],
    keyResults: [
      { id: 'k1', objectiveId: 'ao', title: 'NPS', metric: { kind: 'increase', start: 20, target: 50 } },
      { id: 'k2', objectiveId: 'po', title: 'Secret', metric: { kind: 'boolean' } },
      { id: 'k3', objectiveId: 'to', title: 'Launch', metric: { kind: 'milestones', items: [{ id: 'm1', title: 'Beta' }] } },
    ],
    checkIns: [
      { id: 'c1', keyResultId: 'k1', authorId: 'ana', at, value: 30, confidence: 0.8 },
      { id: 'c2', keyResultId: 'k2', authorId: 'ana', at, done: false, confidence: 0.5, note: 'soon' },
      { id: 'c3', keyResultId: 'k3', authorId: 'ben', at, milestonesDone: ['m1'], confidence: 0.9 },
    ],
    comments: [{ id: 'cm1', target: { kind: 'objective', id: 'co' }, authorId: 'ben', at, text: 'Go!' }],
    kudos: [{ id: 'ku1', target: { kind: 'person', id: 'ana' }, fromId: 'ben', toIds: ['ana'], at, message: 'Thanks' }],
    reflections: [{ id: 'r1', objectiveId: 'po', authorId: 'ana', at, score: 0.5 }],
  });
  if (!r.ok) throw r.error;
  return r.value;
}

describe('space ids', () => {
  it('parses the five kinds and refuses anything else', () => {
    expect(parseSpaceId('company')).toEqual({ kind: 'company' });
    expect(parseSpaceId('team:core')).toEqual({ kind: 'team', id: 'core' });
    expect(parseSpaceId('person:ana')).toEqual({ kind: 'person', id: 'ana' });
    expect(parseSpaceId('private:ana')).toEqual({ kind: 'private', id: 'ana' });
    expect(parseSpaceId('members:core')).toEqual({ kind: 'members', id: 'core' });
    expect(parseSpaceId('person:a:b')).toEqual({ kind: 'person', id: 'a:b' });
    for (const bad of ['', 'Company', 'person:', 'team', 'org:x', 'person: ana', ':x']) expect(parseSpaceId(bad)).toBeNull();
    expect(isLocalOnly('private:ana')).toBe(true);
    expect(isLocalOnly('person:ana')).toBe(false);
  });
});

describe('spaceOfRecord and documentToSpaces', () => {
  it('routes each record to the space its writer policy says', () => {
    const doc = sample();
    const spaces = documentToSpaces(doc);
    const where = (collection: string, id: string) => [...spaces].filter(([, d]) => recordIds(d, collection as never).includes(id)).map(([s]) => s);
    expect([...spaces.keys()].sort()).toEqual(['company', 'person:ana', 'private:ana', 'team:core']);
    expect(where('objectives', 'co')).toEqual(['company']);
    expect(where('objectives', 'to')).toEqual(['team:core']);
    expect(where('objectives', 'ao')).toEqual(['person:ana']);
    expect(where('objectives', 'po')).toEqual(['private:ana']);
    expect(where('keyResults', 'k3')).toEqual(['team:core']);
    expect(where('checkIns', 'c2')).toEqual(['private:ana']);
    expect(where('checkIns', 'c3')).toEqual(['team:core']);
    // what is said about a record lives beside it, read by exactly its audience
    expect(where('comments', 'cm1')).toEqual(['company']);
    expect(where('kudos', 'ku1')).toEqual(['company']); // kudos to a person: the whole organisation reads them
    expect(where('reflections', 'r1')).toEqual(['private:ana']); // a reflection on a private objective stays private
    expect(where('people', 'ana')).toEqual(['company']);
    expect(where('cycles', 'q1')).toEqual(['company']);
  });

  it('sends private objectives to private:<me> when a workspace person is given', () => {
    const doc = sample();
    const o = doc.objectives.find((x) => x.id === 'po')!;
    expect(spaceOfRecord('objectives', o, { me: 'zoe' })).toBe('private:zoe');
    expect(() => spaceOfRecord('keyResults', doc.keyResults[0]!, {})).toThrow(/no objective/);
  });

  it('round-trips a document through spaces, keeping unknown fields and absent optional fields absent', () => {
    const doc = sample();
    const { document, issues } = materialise(documentToSpaces(doc));
    expect(issues).toEqual([]);
    expect(comparable(document)).toEqual(comparable(doc));
    expect(document.objectives.find((o) => o.id === 'ao')).toHaveProperty('jira', 'OKR-1');
    expect(document.checkIns.find((c) => c.id === 'c1')).not.toHaveProperty('note');
  });

  it('puts orphans (key results without an objective) in company, where integrity checks see them', () => {
    const doc = { ...sample(), keyResults: [{ id: 'lost', objectiveId: 'gone', title: 'Lost', weight: 1, order: 0, metric: { kind: 'boolean' as const } }] };
    const spaces = documentToSpaces(doc);
    expect(recordIds(spaces.get('company')!, 'keyResults')).toEqual(['lost']);
  });
});

describe('materialise', () => {
  it('reports an invalid record with its space and path, skips it, and keeps the rest', () => {
    const spaces = documentToSpaces(sample());
    const ana = spaces.get('person:ana')!;
    appendRecords(ana, 'checkIns', [{ id: 'bad', keyResultId: 'k1', authorId: 'ana', at, confidence: 4 }]);
    ana.getArray('checkIns').push(['{not json']);
    writeRecord(ana, 'keyResults', { id: 'kbad', objectiveId: 'ao', title: 'Bad', metric: { kind: 'increase', start: 1, target: 1 } });
    spaces.get('company')!.getMap('objectives').set('mismatch', new Y.Map(Object.entries({ ...sample().objectives[0]!, id: 'other' })));
    const { document, issues } = materialise(spaces);
    expect(document.checkIns.map((c) => c.id).sort()).toEqual(['c1', 'c2', 'c3']);
    expect(document.keyResults.map((k) => k.id).sort()).toEqual(['k1', 'k2', 'k3']);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ space: 'person:ana', collection: 'checkIns', id: 'bad', path: 'checkIns["bad"].confidence', severity: 'error' }),
        expect.objectContaining({ space: 'person:ana', collection: 'checkIns', path: 'checkIns["#2"]', message: expect.stringMatching(/JSON/) }),
        expect.objectContaining({ space: 'person:ana', collection: 'keyResults', id: 'kbad', path: 'keyResults["kbad"].metric.target' }),
        expect.objectContaining({ space: 'company', collection: 'objectives', id: 'mismatch', path: 'objectives["mismatch"].id' }),
      ]),
    );
    expect(issues).toHaveLength(5); // the bad key result breaks two rules
  });

  it('hides tombstoned records, even when an old peer writes them again', () => {
    const spaces = documentToSpaces(sample());
    const ana = spaces.get('person:ana')!;
    const old = new Y.Doc();
    Y.applyUpdate(old, Y.encodeStateAsUpdate(ana));
    deleteRecord(ana, 'checkIns', 'c1', 'ana');
    deleteRecord(ana, 'objectives', 'ao', 'ana');
    // the old peer re-creates both from scratch
    old.getMap('objectives').set('ao', new Y.Map(Object.entries(sample().objectives[2]!)));
    appendRecords(old, 'checkIns', [sample().checkIns[0]!]);
    Y.applyUpdate(ana, Y.encodeStateAsUpdate(old));
    const { document } = materialise(spaces);
    expect(document.objectives.map((o) => o.id)).not.toContain('ao');
    expect(document.checkIns.map((c) => c.id)).not.toContain('c1');
    expect(readRecord(ana, 'objectives', 'ao')).toBeUndefined();
  });

  it('skips a key result away from its objective (id shadowing) and says why', () => {
    const spaces = documentToSpaces(sample());
    spaces.set('person:ben', new Y.Doc());
    writeRecord(spaces.get('person:ben')!, 'keyResults', { ...sample().keyResults[0]!, title: 'Shadow' });
    const { document, issues } = materialise(spaces);
    expect(document.keyResults.filter((k) => k.id === 'k1')).toEqual([expect.objectContaining({ title: 'NPS' })]);
    expect(issues).toEqual([expect.objectContaining({ space: 'person:ben', id: 'k1', code: 'inadmissible', path: 'keyResults["k1"].objectiveId', message: expect.stringMatching(/not in "person:ben"/) })]);
    // and when it goes, so does the report (the merge state is updated incrementally)
    deleteRecord(spaces.get('person:ben')!, 'keyResults', 'k1', 'ben');
    expect(materialise(spaces).issues).toEqual([]);
  });

  it('keeps the newer copy of an objective held in two spaces (a move in flight), with what hangs off it', () => {
    const spaces = documentToSpaces(sample());
    const ana = spaces.get('person:ana')!;
    const moved = { ...readRecord(ana, 'objectives', 'ao')!, owner: { kind: 'team', id: 'core' }, title: 'Moved', updatedAt: '2026-01-06T09:00:00Z' };
    const team = spaces.get('team:core')!;
    writeRecord(team, 'objectives', moved);
    writeRecord(team, 'keyResults', { ...readRecord(ana, 'keyResults', 'k1')!, title: 'Moved KR' });
    const { document, issues } = materialise(spaces);
    expect(document.objectives.find((o) => o.id === 'ao')!.title).toBe('Moved');
    expect(document.keyResults.find((k) => k.id === 'k1')!.title).toBe('Moved KR');
    expect(issues.filter((i) => i.code === 'duplicate').map((i) => [i.space, i.id])).toEqual([
      ['person:ana', 'ao'],
      ['person:ana', 'k1'],
    ]);
  });

  it('refuses a space written by a newer layout without failing the others', () => {
    const spaces = documentToSpaces(sample());
    spaces.get('team:core')!.getMap('meta').set('layout', SPACE_LAYOUT + 1);
    const { document, issues } = materialise(spaces);
    expect(issues).toEqual([expect.objectContaining({ space: 'team:core', message: expect.stringMatching(/newer Candor/) })]);
    expect(document.objectives.map((o) => o.id).sort()).toEqual(['ao', 'co', 'po']);
  });

  it('merges concurrent field edits of one objective and reflects every change after caching', () => {
    const spaces = documentToSpaces(sample());
    const a = spaces.get('person:ana')!;
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(materialise(spaces).document.objectives.find((o) => o.id === 'ao')!.title).toBe('Ana goal');
    patchRecord(a, 'objectives', 'ao', { title: 'Renamed' });
    patchRecord(b, 'objectives', 'ao', { state: 'closed' });
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    expect(materialise(spaces).document.objectives.find((o) => o.id === 'ao')).toMatchObject({ title: 'Renamed', state: 'closed' });
  });

  it('gives the same document on every replica whatever order updates arrive in', () => {
    const spaces = documentToSpaces(sample());
    const ana = spaces.get('person:ana')!;
    const updates: Uint8Array[] = [];
    ana.on('update', (u: Uint8Array) => updates.push(u));
    const base = Y.encodeStateAsUpdate(ana);
    for (let i = 0; i < 5; i++) appendRecords(ana, 'checkIns', [{ id: `n${i}`, keyResultId: 'k1', authorId: 'ana', at: `2026-01-0${i + 1}T10:00:00Z`, value: i, confidence: 0.5 }]);
    const replica = new Y.Doc();
    Y.applyUpdate(replica, base);
    for (const u of [...updates].reverse()) Y.applyUpdate(replica, u);
    const left = materialise([['person:ana', ana]]).document;
    const right = materialise([['person:ana', replica]]).document;
    expect(JSON.stringify({ ...right, generatedAt: '' })).toBe(JSON.stringify({ ...left, generatedAt: '' }));
    expect(left.checkIns.map((c) => c.at)).toEqual([...left.checkIns.map((c) => c.at)].sort());
  });
});

describe('the fast check-in path agrees with ZCheckIn', () => {
  const id = fc.oneof(fc.string({ minLength: 0, maxLength: 5 }), fc.constantFrom('k1', ' k1', 'k1 ', 'x'.repeat(201)));
  const instant = fc.oneof(
    fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2026-01-05T09:00:00+01:00', '2026-02-30T09:00:00Z', '2026-01-05', '2026-01-05T09:00:00', 'soon'),
  );
  const num = fc.oneof(fc.double(), fc.constantFrom(0, 1, 0.5, -0, NaN, Infinity));
  const checkIn = fc.record(
    {
      id,
      keyResultId: id,
      authorId: id,
      at: instant,
      value: fc.oneof(num, fc.constant('3')),
      milestonesDone: fc.oneof(fc.array(id, { maxLength: 3 }), fc.constant('m1')),
      done: fc.oneof(fc.boolean(), fc.constant(1)),
      confidence: fc.oneof(num, fc.constant('0.5')),
      note: fc.oneof(fc.string({ maxLength: 10 }), fc.constant('x'.repeat(5001)), fc.constant(3)),
      blockers: fc.string({ maxLength: 10 }),
      extra: fc.string({ maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  it('accepts only what zod accepts, unchanged', () => {
    fc.assert(
      fc.property(checkIn, (input) => {
        if (!isPlainValidCheckIn(input)) return;
        const parsed = z.safeParse(ZCheckIn, input);
        expect(parsed.success).toBe(true);
        if (parsed.success) expect(parsed.data).toEqual(input);
      }),
      { numRuns: 3000 },
    );
  });
  it('takes the fast path for ordinary check-ins', () => {
    fc.assert(
      fc.property(
        fc.record({ id: fc.uuid(), keyResultId: fc.uuid(), authorId: fc.constantFrom('ana', 'ben'), at: instant.filter((s) => z.safeParse(ZCheckIn.shape.at, s).success), value: fc.integer(), confidence: fc.double({ min: 0, max: 1, noNaN: true }) }),
        (input) => {
          expect(isPlainValidCheckIn(input)).toBe(true);
        },
      ),
    );
  });
});

describe('materialise, one bad record at a time', () => {
  it('leaves out a record nested too deep to read, and only that record', () => {
    const spaces = documentToSpaces(sample());
    const ana = spaces.get('person:ana')!;
    const deep = new Y.Map<unknown>();
    ana.getMap('objectives').set('deep', deep);
    let at = deep;
    ana.transact(() => {
      for (let i = 0; i < 8_000; i++) {
        const next = new Y.Map<unknown>();
        at.set('x', next);
        at = next;
      }
    });
    const { document, issues } = materialise(spaces);
    expect(document.objectives.map((o) => o.id)).toContain('ao');
    expect(issues).toContainEqual(expect.objectContaining({ space: 'person:ana', id: 'deep', code: 'invalid' }));
  });
});
