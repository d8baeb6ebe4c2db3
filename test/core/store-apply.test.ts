import { describe, it, expect } from 'vitest';
import * as Y from 'yjs';
import fc from 'fast-check';
import { CandorFormatError, CandorMutationError, emptyDocument, presetCycle, VERSION, type CandorDocument, type CollectionName } from '../../core/model/index.ts';
import { generateSampleOrganisation, SMALL_SAMPLE_OPTIONS } from '../../core/sample/index.ts';
import { Workspace, applyDocument, summaryTotals, documentToSpaces, hasRecord, writeRecord, spaceOfRecord } from '../../core/store/index.ts';
import { comparable } from './store-fixtures.ts';

const AT = '2026-07-01T09:00:00Z';

/** Ana and Ben, one quarter, Ana's objective with a numeric and a boolean key result and two check-ins by Ana. */
function doc(changes: { owner?: string; visibility?: 'public' | 'team' | 'private'; updatedAt?: string } = {}): CandorDocument {
  const d = emptyDocument('2026-08-12T12:00:00Z');
  d.people.push({ id: 'ana', name: 'Ana', teamIds: [] }, { id: 'ben', name: 'Ben', teamIds: [] });
  d.cycles.push(presetCycle('quarter', '2026-08-12'));
  d.objectives.push({
    id: 'o1',
    cycleId: '2026-q3',
    title: 'Faster onboarding',
    owner: { kind: 'person', id: changes.owner ?? 'ana' },
    type: 'committed',
    visibility: changes.visibility ?? 'public',
    state: 'active',
    rollup: 'key-results',
    createdAt: AT,
    updatedAt: changes.updatedAt ?? AT,
  });
  d.keyResults.push(
    { id: 'k1', objectiveId: 'o1', title: 'Signups', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 } },
    { id: 'k2', objectiveId: 'o1', title: 'Docs done', weight: 1, order: 1, metric: { kind: 'boolean' } },
  );
  d.checkIns.push(
    { id: 'c1', keyResultId: 'k1', authorId: 'ana', at: '2026-08-03T09:00:00Z', value: 20, confidence: 0.8 },
    { id: 'c2', keyResultId: 'k2', authorId: 'ana', at: '2026-08-04T09:00:00Z', done: false, confidence: 0.6, note: 'drafting' },
  );
  d.kudos.push({ id: 'kd1', target: { kind: 'checkIn', id: 'c1' }, fromId: 'ben', toIds: ['ana'], at: '2026-08-05T09:00:00Z', message: 'Nice' });
  return d;
}

/** The spaces holding a live copy of a record. */
function holding(ws: Workspace, collection: CollectionName, id: string): string[] {
  return [...ws.spaces].filter(([, d]) => hasRecord(d, collection, id)).map(([s]) => s).sort();
}

/** Every update the workspace makes while `fn` runs, by space. */
function updatesDuring(ws: Workspace, fn: () => void): Map<string, number> {
  const seen = new Map<string, number>();
  const stop = ws.subscribe((c) => seen.set(c.space, (seen.get(c.space) ?? 0) + 1));
  try {
    fn();
  } finally {
    stop();
  }
  return seen;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

const stateOf = (ws: Workspace) => new Map([...ws.spaces].map(([id, d]) => [id, Y.encodeStateVector(d).join()]));

describe('applyDocument: import, sample and restore through the commands', () => {
  it('writes a document into an empty workspace with its ids, timestamps and authors, each record in its space', () => {
    const ws = new Workspace({ me: 'nobody' });
    const summary = applyDocument(ws, doc());
    expect(comparable(ws.document)).toEqual(comparable(doc()));
    expect(ws.issues).toEqual([]);
    expect(summary.objectives).toEqual({ created: 1, changed: 0, moved: 0, unchanged: 0, removed: 0 });
    expect(summary.checkIns.created).toBe(2);
    expect(holding(ws, 'objectives', 'o1')).toEqual(['person:ana']);
    expect(holding(ws, 'checkIns', 'c1')).toEqual(['person:ana']);
    expect(holding(ws, 'kudos', 'kd1')).toEqual(['person:ana']); // beside the check-in it is about
    // Nothing is stamped on the way in: no createdBy, the check-in's author is Ana, not the workspace's person.
    expect(ws.document.objectives[0]).not.toHaveProperty('createdBy');
    expect(ws.document.checkIns.map((c) => c.authorId)).toEqual(['ana', 'ana']);
  });

  it('an objective whose owner changed ends up in exactly one copy, in the new owner’s space, with its key results and check-ins', () => {
    const ws = new Workspace({ me: 'ana' });
    applyDocument(ws, doc());
    const next = doc({ owner: 'ben', updatedAt: '2026-08-10T09:00:00Z' });
    const summary = applyDocument(ws, next);
    for (const [collection, id] of [['objectives', 'o1'], ['keyResults', 'k1'], ['keyResults', 'k2'], ['checkIns', 'c1'], ['checkIns', 'c2']] as const) {
      expect({ collection, id, spaces: holding(ws, collection, id) }).toEqual({ collection, id, spaces: ['person:ben'] });
    }
    expect(comparable(ws.document)).toEqual(comparable(next));
    expect(ws.issues).toEqual([]);
    expect(summary.objectives.moved).toBe(1);
    expect(summary.keyResults.moved).toBe(2);
    expect(summary.checkIns.moved).toBe(2);
    expect(summary.kudos.moved).toBe(1); // kudos live beside the check-in they are about, so they move with it
    expect(holding(ws, 'kudos', 'kd1')).toEqual(['person:ben']);
  });

  it('a visibility change moves the objective into the private space and back', () => {
    const ws = new Workspace({ me: 'ana' });
    applyDocument(ws, doc());
    applyDocument(ws, doc({ visibility: 'private' }));
    expect(holding(ws, 'objectives', 'o1')).toEqual(['private:ana']);
    expect(holding(ws, 'checkIns', 'c2')).toEqual(['private:ana']);
    applyDocument(ws, doc());
    expect(holding(ws, 'objectives', 'o1')).toEqual(['person:ana']);
    expect(holding(ws, 'checkIns', 'c2')).toEqual(['person:ana']);
    expect(comparable(ws.document)).toEqual(comparable(doc()));
  });

  it('re-applying the same document is a no-op: no update, everything unchanged', () => {
    const ws = new Workspace({ me: 'ana' });
    applyDocument(ws, doc());
    const before = stateOf(ws);
    let summary!: ReturnType<typeof applyDocument>;
    const updates = updatesDuring(ws, () => (summary = applyDocument(ws, doc())));
    expect(updates.size).toBe(0);
    expect(stateOf(ws)).toEqual(before);
    const totals = summaryTotals(summary);
    expect(totals).toEqual({ created: 0, changed: 0, moved: 0, unchanged: totals.unchanged, removed: 0 });
    expect(totals.unchanged).toBe(9); // people 2, cycle 1, objective 1, key results 2, check-ins 2, kudos 1
  });

  it('a document an export wrote comes back unchanged, including fields the commands stamp (createdBy)', () => {
    const ws = new Workspace({ me: 'ana' });
    ws.upsertPerson({ id: 'ana', name: 'Ana', teamIds: [] });
    ws.createCycle(presetCycle('quarter', '2026-08-12'));
    const { keyResults } = ws.createObjective({ cycleId: '2026-q3', title: 'Mine', keyResults: [{ title: 'K', metric: { kind: 'increase', start: 0, target: 5 } }] });
    ws.checkIn(keyResults[0]!.id, { value: 2, confidence: 0.5 });
    const exported = structuredClone(ws.document);
    const updates = updatesDuring(ws, () => applyDocument(ws, exported));
    expect(updates.size).toBe(0);
  });

  it('carries each space’s changes over in one update', () => {
    const ws = new Workspace({ me: 'ana' });
    const updates = updatesDuring(ws, () => applyDocument(ws, generateSampleOrganisation(SMALL_SAMPLE_OPTIONS)));
    expect(updates.size).toBeGreaterThan(3);
    expect([...updates.values()].every((n) => n === 1)).toBe(true);
  });

  it('the sample organisation applies whole: the document is the sample, every id in one space', () => {
    const sample = generateSampleOrganisation(SMALL_SAMPLE_OPTIONS);
    const ws = new Workspace({ me: sample.people[0]!.id });
    applyDocument(ws, sample);
    expect(comparable(ws.document)).toEqual(comparable(sample));
    expect(ws.issues).toEqual([]);
    const seen = new Map<string, string>();
    for (const [space, d] of ws.spaces) {
      for (const id of d.getMap('objectives').keys()) {
        expect({ id, also: seen.get(id) }).toEqual({ id, also: undefined });
        seen.set(id, space);
      }
    }
  });

  describe('an invalid document is refused whole and nothing is written', () => {
    const refusedWithoutWriting = (input: unknown) => {
      const ws = new Workspace({ me: 'ana' });
      applyDocument(ws, doc());
      const before = stateOf(ws);
      let error!: Error;
      const updates = updatesDuring(ws, () => (error = thrown(() => applyDocument(ws, input))));
      expect(updates.size).toBe(0);
      expect(stateOf(ws)).toEqual(before);
      expect(comparable(ws.document)).toEqual(comparable(doc()));
      return error;
    };

    it('not the model’s shape (named by path)', () => {
      const bad = doc({ owner: 'ben' }) as unknown as { keyResults: { metric: { target: unknown } }[] };
      bad.keyResults[0]!.metric.target = 'lots';
      const error = refusedWithoutWriting(bad);
      expect(error).toBeInstanceOf(CandorFormatError);
      expect(error.message).toMatch(/keyResults\[0\]\.metric/);
    });

    it('a dangling reference or a newer version', () => {
      const dangling = doc({ owner: 'ben' });
      dangling.checkIns.push({ id: 'c9', keyResultId: 'nope', authorId: 'ana', at: AT, value: 1, confidence: 0.5 });
      expect(refusedWithoutWriting(dangling).message).toMatch(/checkIns\[2\]\.keyResultId/);
      expect(refusedWithoutWriting({ ...doc(), version: VERSION + 1 }).message).toMatch(/newer Candor/);
    });

    it('a record a command refuses, even after earlier records were accepted (the owner change is not half done)', () => {
      const bad = doc({ owner: 'ben' });
      // Valid for the schema and the integrity checks, but a done/not-done key result takes `done`, not a value.
      bad.checkIns.push({ id: 'c3', keyResultId: 'k2', authorId: 'ana', at: AT, value: 3, confidence: 0.5 });
      const error = refusedWithoutWriting(bad);
      expect(error).toBeInstanceOf(CandorMutationError);
      expect(error.message).toMatch(/^checkIns\[2\]\.(done|value): /);
    });

    it('kudos to someone who is not a person, or an alignment loop', () => {
      const kudos = doc();
      kudos.kudos[0]!.toIds = ['zed'];
      kudos.kudos[0]!.id = 'kd2';
      expect(refusedWithoutWriting(kudos).message).toMatch(/kudos\[0\]\.toIds\[0\]: no person/);
      const loop = doc();
      loop.objectives.push({ ...loop.objectives[0]!, id: 'o2', parentId: 'o1' });
      loop.objectives[0]!.parentId = 'o2';
      expect(refusedWithoutWriting(loop).message).toMatch(/cycle/);
    });
  });

  it('writes parents before children, whatever the document’s order', () => {
    const d = doc();
    d.teams.push({ id: 'child', name: 'Child', parentId: 'root', leadIds: [] }, { id: 'root', name: 'Root', leadIds: [] });
    d.objectives.unshift({ ...d.objectives[0]!, id: 'o0', title: 'Supports o1', parentId: 'o1' });
    const ws = new Workspace({ me: 'ana' });
    applyDocument(ws, d);
    expect(comparable(ws.document)).toEqual(comparable(d));
  });

  it('keeps imported history: a check-in on a closed objective is accepted', () => {
    const d = doc();
    d.objectives[0]!.state = 'closed';
    const ws = new Workspace({ me: 'ana' });
    applyDocument(ws, d);
    expect(ws.document.checkIns).toHaveLength(2);
  });

  it('a key result moved to an objective in another space takes its check-ins along', () => {
    const d = doc();
    d.objectives.push({ ...d.objectives[0]!, id: 'ob', title: 'Ben’s', owner: { kind: 'person', id: 'ben' } });
    const ws = new Workspace({ me: 'ana' });
    applyDocument(ws, d);
    const next = structuredClone(d);
    next.keyResults[0]!.objectiveId = 'ob';
    const summary = applyDocument(ws, next);
    expect(holding(ws, 'keyResults', 'k1')).toEqual(['person:ben']);
    expect(holding(ws, 'checkIns', 'c1')).toEqual(['person:ben']);
    expect(summary.keyResults.moved).toBe(1);
    expect(summary.checkIns.moved).toBe(1);
    expect(comparable(ws.document)).toEqual(comparable(next));
  });

  it('a write-once record with the same id and other content is corrected in place', () => {
    const ws = new Workspace({ me: 'ana' });
    applyDocument(ws, doc());
    const next = doc();
    next.checkIns[0]!.value = 25;
    const summary = applyDocument(ws, next);
    expect(summary.checkIns).toMatchObject({ changed: 1, unchanged: 1 });
    expect(ws.document.checkIns.find((c) => c.id === 'c1')!.value).toBe(25);
    expect(ws.issues).toEqual([]);
  });

  it('heals a workspace an older Candor left with two copies of an objective', () => {
    // What writeDocument did: the changed objective written into the new owner's space, the old copy left behind.
    const spaces = documentToSpaces(doc());
    const ben = new Y.Doc();
    writeRecord(ben, 'objectives', doc({ owner: 'ben' }).objectives[0]!);
    spaces.set('person:ben', ben);
    const ws = new Workspace({ me: 'ana', spaces });
    expect(holding(ws, 'objectives', 'o1')).toEqual(['person:ana', 'person:ben']);
    expect(ws.document.objectives[0]!.owner.id).toBe('ana'); // the stale copy wins
    applyDocument(ws, doc({ owner: 'ben' }));
    expect(holding(ws, 'objectives', 'o1')).toEqual(['person:ben']);
    expect(holding(ws, 'checkIns', 'c1')).toEqual(['person:ben']);
    expect(ws.document.objectives[0]!.owner.id).toBe('ben');
    expect(ws.issues).toEqual([]);
  });

  it('replace (restore): records the document lacks are deleted, with what hangs off them', () => {
    const ws = new Workspace({ me: 'ana' });
    applyDocument(ws, doc());
    const { objective } = ws.createObjective({ cycleId: '2026-q3', title: 'Made after the backup', keyResults: [{ title: 'K', metric: { kind: 'boolean' } }] });
    ws.checkIn(ws.document.keyResults.find((k) => k.objectiveId === objective.id)!.id, { done: true, confidence: 1 });
    ws.editObjective('o1', { title: 'Renamed after the backup' });
    const summary = applyDocument(ws, doc(), { mode: 'replace' });
    expect(comparable(ws.document)).toEqual(comparable(doc()));
    expect(summary.objectives).toMatchObject({ changed: 1, removed: 1 });
    expect(summary.keyResults.removed).toBe(1);
    expect(summary.checkIns.removed).toBe(1);
    // merge (import) leaves them
    const kept = ws.createObjective({ cycleId: '2026-q3', title: 'Stays' }).objective;
    applyDocument(ws, doc());
    expect(ws.document.objectives.map((o) => o.id)).toContain(kept.id);
  });

  it('property: after any owner and visibility changes, the workspace is the document and every record is in one space', () => {
    const sample = generateSampleOrganisation({ ...SMALL_SAMPLE_OPTIONS, people: 6 });
    const people = sample.people.map((p) => p.id);
    const teams = sample.teams.map((t) => t.id);
    const owner = fc.oneof(
      fc.constantFrom(...people).map((id) => ({ kind: 'person' as const, id })),
      fc.constantFrom(...teams).map((id) => ({ kind: 'team' as const, id })),
    );
    const change = fc.record({ index: fc.nat(sample.objectives.length - 1), owner, visibility: fc.constantFrom('public' as const, 'team' as const, 'private' as const) });
    const ws = new Workspace({ me: people[0]! });
    applyDocument(ws, sample);
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 6 }), (changes) => {
        const next = structuredClone(sample);
        for (const c of changes) Object.assign(next.objectives[c.index]!, { owner: c.owner, visibility: c.visibility });
        applyDocument(ws, next);
        expect(comparable(ws.document)).toEqual(comparable(next));
        expect(ws.issues.filter((i) => /same id/.test(i.message))).toEqual([]);
        for (const c of changes) expect(holding(ws, 'objectives', next.objectives[c.index]!.id)).toHaveLength(1);
        expect(summaryTotals(applyDocument(ws, next))).toMatchObject({ created: 0, changed: 0, moved: 0, removed: 0 });
      }),
      { numRuns: 12 },
    );
  });
});
