import { describe, it, expect } from 'vitest';
import * as Y from 'yjs';
import fc from 'fast-check';
import { CandorFormatError, CandorMutationError, MAX_ALIGNMENT_DEPTH, checkIntegrity, presetCycle } from '../../core/model/index.ts';
import { Workspace, MutationOrigin, materialise, readRecord } from '../../core/store/index.ts';
import { seededWorkspace, exchange, comparable, numeric, milestones } from './store-fixtures.ts';

/** Runs `fn` and returns the error it throws (failing the test when it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('Workspace mutations', () => {
  it('creates a cycle, an objective with key results, and checks in; the document shows them with authors and timestamps', () => {
    const { ws, cycle } = seededWorkspace();
    const { objective, keyResults } = ws.createObjective({ cycleId: cycle.id, title: 'Delight customers', keyResults: [numeric('NPS'), milestones('Launch')] });
    expect(objective.owner).toEqual({ kind: 'person', id: 'ana' });
    expect(objective.createdAt).toBe(objective.updatedAt);
    expect(keyResults.map((k) => k.order)).toEqual([0, 1]);
    const c = ws.checkIn(keyResults[0]!.id, { value: 35, confidence: 0.8, note: 'good week' });
    expect(c.authorId).toBe('ana');
    const doc = ws.document;
    expect(doc.objectives.map((o) => o.title)).toEqual(['Delight customers']);
    expect(doc.keyResults).toHaveLength(2);
    expect(doc.checkIns).toEqual([expect.objectContaining({ id: c.id, value: 35, keyResultId: keyResults[0]!.id })]);
    expect(ws.spaces.has('person:ana')).toBe(true);
    expect(checkIntegrity(doc).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('tags every mutation with a MutationOrigin, one update per mutation, and notifies subscribers', () => {
    const { ws, cycle } = seededWorkspace();
    const seen: { space: string; local: boolean; action?: string }[] = [];
    ws.subscribe((c) => seen.push({ space: c.space, local: c.local, action: c.origin instanceof MutationOrigin ? c.origin.action : undefined }));
    const { keyResults } = ws.createObjective({ cycleId: cycle.id, title: 'O', keyResults: [numeric('K')] });
    ws.checkIn(keyResults[0]!.id, { value: 10, confidence: 0.5 });
    expect(seen).toEqual([
      { space: 'person:ana', local: true, action: 'createObjective' },
      { space: 'person:ana', local: true, action: 'checkIn' },
    ]);
  });

  it('keeps the materialised document cached until something changes', () => {
    const { ws, cycle } = seededWorkspace();
    const first = ws.document;
    expect(ws.document).toBe(first);
    ws.createObjective({ cycleId: cycle.id, title: 'O' });
    expect(ws.document).not.toBe(first);
    expect(ws.document.objectives).toHaveLength(1);
  });

  it('puts private objectives in the local-only private space and team objectives in the team space', () => {
    const { ws, cycle } = seededWorkspace();
    ws.upsertTeam({ id: 'core', name: 'Core', leadIds: [] });
    const p = ws.createObjective({ cycleId: cycle.id, title: 'Secret', visibility: 'private' }).objective;
    const t = ws.createObjective({ cycleId: cycle.id, title: 'Team goal', owner: { kind: 'team', id: 'core' } }).objective;
    expect(ws.find('objectives', p.id)!.space).toBe('private:ana');
    expect(ws.find('objectives', t.id)!.space).toBe('team:core');
  });

  it('moves an objective with its key results and check-ins when it becomes private', () => {
    const { ws, cycle } = seededWorkspace();
    const { objective, keyResults } = ws.createObjective({ cycleId: cycle.id, title: 'O', keyResults: [numeric('K')] });
    ws.checkIn(keyResults[0]!.id, { value: 5, confidence: 0.5 });
    ws.editObjective(objective.id, { visibility: 'private' });
    expect(ws.find('objectives', objective.id)!.space).toBe('private:ana');
    expect(ws.find('keyResults', keyResults[0]!.id)!.space).toBe('private:ana');
    const d = ws.document;
    expect(d.objectives).toHaveLength(1);
    expect(d.checkIns).toHaveLength(1);
    expect(ws.issues).toEqual([]);
    // and back
    ws.editObjective(objective.id, { visibility: 'public' });
    expect(ws.find('objectives', objective.id)!.space).toBe('person:ana');
    expect(ws.document.checkIns).toHaveLength(1);
  });

  describe('validation before writing (nothing is written when it fails)', () => {
    const cases: [string, (ws: Workspace, ids: { cycle: string; kr: string; ms: string; bool: string; obj: string }) => unknown, typeof CandorFormatError | typeof CandorMutationError, string][] = [
      ['createCycle: end before start', (ws) => ws.createCycle({ name: 'Bad', start: '2026-05-01', end: '2026-04-01' }), CandorFormatError, 'end'],
      ['createCycle: not a date', (ws) => ws.createCycle({ name: 'Bad', start: '2026-13-01', end: '2026-12-01' }), CandorFormatError, 'start'],
      ['createCycle: duplicate id', (ws, i) => ws.createCycle({ id: i.cycle, name: 'Again', start: '2026-01-01', end: '2026-01-31' }), CandorMutationError, 'id'],
      ['editCycle: empty name', (ws, i) => ws.editCycle(i.cycle, { name: '  ' }), CandorFormatError, 'name'],
      ['createObjective: empty title', (ws, i) => ws.createObjective({ cycleId: i.cycle, title: '' }), CandorFormatError, 'title'],
      ['createObjective: unknown cycle', (ws) => ws.createObjective({ cycleId: 'nope', title: 'T' }), CandorMutationError, 'cycleId'],
      ['createObjective: bad type', (ws, i) => ws.createObjective({ cycleId: i.cycle, title: 'T', type: 'stretch' as never }), CandorFormatError, 'type'],
      ['createObjective: bad key result metric', (ws, i) => ws.createObjective({ cycleId: i.cycle, title: 'T', keyResults: [{ title: 'K', metric: { kind: 'increase', start: 5, target: 5 } }] }), CandorFormatError, 'keyResults[0].metric.target'],
      ['editObjective: unknown id', (ws) => ws.editObjective('nope', { title: 'x' }), CandorMutationError, 'id'],
      ['editObjective: bad state', (ws, i) => ws.editObjective(i.obj, { state: 'done' as never }), CandorFormatError, 'state'],
      ['editObjective: parentId', (ws, i) => ws.editObjective(i.obj, { parentId: 'x' } as never), CandorMutationError, 'parentId'],
      ['addKeyResult: unknown objective', (ws) => ws.addKeyResult('nope', numeric('K')), CandorMutationError, 'objectiveId'],
      ['addKeyResult: negative weight', (ws, i) => ws.addKeyResult(i.obj, { ...numeric('K'), weight: -1 }), CandorFormatError, 'weight'],
      ['addKeyResult: unknown metric kind', (ws, i) => ws.addKeyResult(i.obj, { title: 'K', metric: { kind: 'vibes' } as never }), CandorFormatError, 'metric.kind'],
      ['addKeyResult: unknown owner', (ws, i) => ws.addKeyResult(i.obj, { ...numeric('K'), ownerId: 'ghost' }), CandorMutationError, 'ownerId'],
      ['editKeyResult: wrong direction', (ws, i) => ws.editKeyResult(i.kr, { metric: { kind: 'increase', start: 10, target: 1 } }), CandorFormatError, 'metric.target'],
      ['reorderKeyResults: missing one', (ws, i) => ws.reorderKeyResults(i.obj, [i.kr]), CandorMutationError, 'orderedIds'],
      ['reorderKeyResults: stranger', (ws, i) => ws.reorderKeyResults(i.obj, [i.kr, i.ms, i.bool, 'x']), CandorMutationError, 'orderedIds[3]'],
      ['checkIn: unknown key result', (ws) => ws.checkIn('nope', { value: 1, confidence: 0.5 }), CandorMutationError, 'keyResultId'],
      ['checkIn: confidence above 1', (ws, i) => ws.checkIn(i.kr, { value: 1, confidence: 7 }), CandorFormatError, 'confidence'],
      ['checkIn: numeric without value', (ws, i) => ws.checkIn(i.kr, { confidence: 0.5 }), CandorMutationError, 'value'],
      ['checkIn: numeric with done', (ws, i) => ws.checkIn(i.kr, { value: 3, done: true, confidence: 0.5 }), CandorMutationError, 'done'],
      ['checkIn: value not finite', (ws, i) => ws.checkIn(i.kr, { value: Infinity, confidence: 0.5 }), CandorFormatError, 'value'],
      ['checkIn: unknown milestone', (ws, i) => ws.checkIn(i.ms, { milestonesDone: ['m1', 'zz'], confidence: 0.5 }), CandorMutationError, 'milestonesDone[1]'],
      ['checkIn: milestones with value', (ws, i) => ws.checkIn(i.ms, { value: 2, confidence: 0.5 }), CandorMutationError, 'milestonesDone'],
      ['checkIn: boolean without done', (ws, i) => ws.checkIn(i.bool, { confidence: 0.5 }), CandorMutationError, 'done'],
      ['checkIn: bad instant', (ws, i) => ws.checkIn(i.kr, { value: 1, confidence: 0.5, at: 'yesterday' }), CandorFormatError, 'at'],
      ['comment: empty text', (ws, i) => ws.comment({ kind: 'objective', id: i.obj }, ''), CandorFormatError, 'text'],
      ['comment: unknown target', (ws) => ws.comment({ kind: 'objective', id: 'nope' }, 'hi'), CandorMutationError, 'target.id'],
      ['comment: unknown target kind', (ws) => ws.comment({ kind: 'planet', id: 'x' } as never, 'hi'), CandorFormatError, 'target.kind'],
      ['giveKudos: no recipients', (ws, i) => ws.giveKudos({ target: { kind: 'objective', id: i.obj }, toIds: [] }), CandorFormatError, 'toIds'],
      ['giveKudos: unknown recipient', (ws, i) => ws.giveKudos({ target: { kind: 'objective', id: i.obj }, toIds: ['ben', 'ghost'] }), CandorMutationError, 'toIds[1]'],
      ['reflect: score above 1', (ws, i) => ws.reflect(i.obj, { score: 1.5 }), CandorFormatError, 'score'],
      ['reflect: unknown objective', (ws) => ws.reflect('nope', { score: 0.5 }), CandorMutationError, 'objectiveId'],
      ['align: unknown parent', (ws, i) => ws.align(i.obj, 'nope'), CandorMutationError, 'parentId'],
      ['align: itself', (ws, i) => ws.align(i.obj, i.obj), CandorMutationError, 'parentId'],
      ['delete: unknown id', (ws) => ws.delete('objectives', 'nope'), CandorMutationError, 'id'],
      ['delete: cycle in use', (ws, i) => ws.delete('cycles', i.cycle), CandorMutationError, 'id'],
      ['upsertPerson: bad email', (ws) => ws.upsertPerson({ id: 'zed', name: 'Zed', email: 'not-an-email', teamIds: [] }), CandorFormatError, 'email'],
      ['upsertTeam: own parent', (ws) => ws.upsertTeam({ id: 'core', name: 'Core', parentId: 'core', leadIds: [] }), CandorMutationError, 'parentId'],
    ];
    for (const [name, act, kind, path] of cases) {
      it(`${name} → ${kind.name} naming ${path}`, () => {
        const { ws, cycle } = seededWorkspace();
        const { objective, keyResults } = ws.createObjective({
          cycleId: cycle.id,
          title: 'O',
          keyResults: [numeric('K'), milestones('M'), { title: 'B', metric: { kind: 'boolean' } }],
        });
        const ids = { cycle: cycle.id, obj: objective.id, kr: keyResults[0]!.id, ms: keyResults[1]!.id, bool: keyResults[2]!.id };
        const before = Object.fromEntries([...ws.spaces].map(([s, d]) => [s, Y.encodeStateVector(d).join()]));
        const e = thrown(() => act(ws, ids));
        expect(e).toBeInstanceOf(kind);
        if (e instanceof CandorMutationError) expect(e.path).toBe(path);
        else expect((e as CandorFormatError).issues.map((i) => i.path)).toContain(path);
        expect(e.message).toContain(path);
        const after = Object.fromEntries([...ws.spaces].map(([s, d]) => [s, Y.encodeStateVector(d).join()]));
        expect(after).toEqual(before);
      });
    }
  });

  it('accepts each metric kind with its own value', () => {
    const { ws, cycle } = seededWorkspace();
    const { keyResults } = ws.createObjective({
      cycleId: cycle.id,
      title: 'O',
      keyResults: [numeric('N'), milestones('M'), { title: 'B', metric: { kind: 'boolean' } }, { title: 'U', metric: { kind: 'maintain-above', threshold: 99 } }],
    });
    ws.checkIn(keyResults[0]!.id, { value: 30, confidence: 0.5 });
    ws.checkIn(keyResults[1]!.id, { milestonesDone: ['m1'], confidence: 0.5 });
    ws.checkIn(keyResults[2]!.id, { done: true, confidence: 1 });
    ws.checkIn(keyResults[3]!.id, { value: 99.5, confidence: 0.9 });
    expect(ws.document.checkIns).toHaveLength(4);
  });

  it('edits only the fields given, reorders key results, and closes a cycle with its objectives', () => {
    const { ws, cycle } = seededWorkspace({ clock: true });
    const { objective, keyResults } = ws.createObjective({ cycleId: cycle.id, title: 'O', keyResults: [numeric('A'), numeric('B'), numeric('C')] });
    const edited = ws.editObjective(objective.id, { title: 'Better', description: 'why' });
    expect(edited).toMatchObject({ title: 'Better', description: 'why', type: 'committed' });
    expect(edited.updatedAt > objective.updatedAt).toBe(true);
    ws.reorderKeyResults(objective.id, [keyResults[2]!.id, keyResults[0]!.id, keyResults[1]!.id]);
    const order = [...ws.document.keyResults].sort((a, b) => a.order - b.order).map((k) => k.title);
    expect(order).toEqual(['C', 'A', 'B']);
    ws.closeCycle(cycle.id);
    expect(ws.document.objectives[0]!.state).toBe('closed');
    expect(ws.document.cycles[0]).toHaveProperty('closedAt');
    expect(thrown(() => ws.checkIn(keyResults[0]!.id, { value: 1, confidence: 1 }))).toBeInstanceOf(CandorMutationError);
  });

  it('comments, gives kudos and reflects beside the record they are about', () => {
    const { ws, cycle } = seededWorkspace();
    const { objective } = ws.createObjective({ cycleId: cycle.id, title: 'O', owner: { kind: 'company', id: 'company' } });
    const c = ws.comment({ kind: 'objective', id: objective.id }, 'Nice');
    const k = ws.giveKudos({ target: { kind: 'objective', id: objective.id }, toIds: ['ben'], message: 'Thanks!' });
    const r = ws.reflect(objective.id, { score: 0.6, learned: 'Scope less' });
    for (const [col, id] of [['comments', c.id], ['kudos', k.id], ['reflections', r.id]] as const) expect(ws.find(col, id)!.space).toBe('company');
    expect(r).toMatchObject({ wentWell: '', learned: 'Scope less', nextTime: '' });
    const d = ws.document;
    expect([d.comments.length, d.kudos.length, d.reflections.length]).toEqual([1, 1, 1]);
  });

  it('align refuses cycles and over-deep chains, and detaches with null', () => {
    const { ws, cycle } = seededWorkspace();
    const o = (t: string) => ws.createObjective({ cycleId: cycle.id, title: t }).objective.id;
    const [a, b, c] = [o('A'), o('B'), o('C')];
    ws.align(b, a);
    ws.align(c, b);
    const e = thrown(() => ws.align(a, c));
    expect(e).toBeInstanceOf(CandorMutationError);
    expect(e.message).toMatch(/alignment cycle/);
    expect(ws.document.objectives.find((x) => x.id === a)!.parentId).toBeUndefined();
    ws.align(c, null);
    expect(ws.document.objectives.find((x) => x.id === c)!.parentId).toBeUndefined();
    // a chain MAX_ALIGNMENT_DEPTH deep is allowed; one more level is not
    const chain = [o('root')];
    for (let i = 0; i < MAX_ALIGNMENT_DEPTH; i++) {
      const next = o(`n${i}`);
      ws.align(next, chain[chain.length - 1]!);
      chain.push(next);
    }
    const extra = o('too deep');
    expect(thrown(() => ws.align(extra, chain[chain.length - 1]!)).message).toMatch(/deeper than/);
    // nor may a subtree be hung where it makes the chain too deep
    const sub = o('subtree root');
    ws.align(extra, sub);
    expect(thrown(() => ws.align(sub, chain[chain.length - 2]!)).message).toMatch(/deeper than/);
  });

  it('delete cascades (objective → key results → check-ins, reflections) and leaves tombstones that old peers cannot undo', () => {
    const { ws, cycle } = seededWorkspace();
    const { objective, keyResults } = ws.createObjective({ cycleId: cycle.id, title: 'O', keyResults: [numeric('A'), numeric('B')] });
    ws.checkIn(keyResults[0]!.id, { value: 3, confidence: 0.5 });
    ws.reflect(objective.id, { score: 0.5 });
    // an old peer holds the state from before the delete
    const old = new Y.Doc();
    Y.applyUpdate(old, Y.encodeStateAsUpdate(ws.space('person:ana')));
    ws.delete('objectives', objective.id);
    const d = ws.document;
    expect([d.objectives.length, d.keyResults.length, d.checkIns.length, d.reflections.length]).toEqual([0, 0, 0, 0]);
    // the old peer re-sends its whole state, and even re-writes the record from scratch
    Y.applyUpdate(ws.space('person:ana'), Y.encodeStateAsUpdate(old));
    const rewrite = new Y.Doc();
    Y.applyUpdate(rewrite, Y.encodeStateAsUpdate(ws.space('person:ana')));
    old.getMap('objectives').set(objective.id, new Y.Map(Object.entries(readRecord(rewrite, 'objectives', objective.id) ?? { id: objective.id, title: 'O' })));
    old.getArray('checkIns').push([{ id: 'late', keyResultId: keyResults[1]!.id, authorId: 'ana', at: '2026-01-01T00:00:00Z', value: 1, confidence: 1 }]);
    Y.applyUpdate(ws.space('person:ana'), Y.encodeStateAsUpdate(old));
    expect(ws.document.objectives).toEqual([]);
    expect(ws.document.keyResults).toEqual([]);
    // a check-in on a deleted key result hangs off nothing: it is not admissible, so not shown
    expect(ws.document.checkIns).toEqual([]);
    expect(ws.issues).toContainEqual(expect.objectContaining({ id: 'late', code: 'inadmissible' }));
  });

  it('upserts people and teams, writing only changed fields', () => {
    const { ws } = seededWorkspace();
    ws.upsertTeam({ id: 'core', name: 'Core', leadIds: [] });
    ws.upsertTeam({ id: 'web', name: 'Web', parentId: 'core', leadIds: [] });
    expect(thrown(() => ws.upsertTeam({ id: 'core', name: 'Core', parentId: 'web', leadIds: [] })).message).toMatch(/loop/);
    ws.upsertPerson({ id: 'ana', name: 'Ana María', teamIds: ['core'] });
    const ana = ws.document.people.find((p) => p.id === 'ana')!;
    expect(ana).toMatchObject({ name: 'Ana María', teamIds: ['core'], email: 'ana@example.com' });
  });
});

describe('Workspaces exchanging Yjs updates', () => {
  it('converge, and concurrent edits of different fields of one objective both survive', () => {
    const { ws: a, cycle } = seededWorkspace();
    const { objective } = a.createObjective({ cycleId: cycle.id, title: 'O', keyResults: [numeric('K')] });
    const b = new Workspace({ me: 'ben' });
    exchange(a, b);
    a.editObjective(objective.id, { title: 'Renamed by Ana' });
    b.editObjective(objective.id, { description: 'Described by Ben' });
    exchange(a, b);
    expect(comparable(a.document)).toEqual(comparable(b.document));
    expect(a.document.objectives[0]).toMatchObject({ title: 'Renamed by Ana', description: 'Described by Ben' });
  });

  it('concurrent check-ins on one key result are all kept', () => {
    const { ws: a, cycle } = seededWorkspace();
    const { keyResults } = a.createObjective({ cycleId: cycle.id, title: 'O', keyResults: [numeric('K')] });
    const b = new Workspace({ me: 'ben' });
    exchange(a, b);
    a.checkIn(keyResults[0]!.id, { value: 1, confidence: 0.5 });
    b.checkIn(keyResults[0]!.id, { value: 2, confidence: 0.5 });
    b.checkIn(keyResults[0]!.id, { value: 3, confidence: 0.5 });
    exchange(a, b);
    expect(a.document.checkIns.map((c) => c.value).sort()).toEqual([1, 2, 3]);
    expect(comparable(a.document)).toEqual(comparable(b.document));
  });

  it('property: random mutations on two replicas, exchanged in different orders, converge', () => {
    type Op = { who: 0 | 1; kind: 'objective' | 'kr' | 'checkin' | 'edit' | 'delete' | 'comment' | 'align'; n: number; m: number };
    const op = fc.record({
      who: fc.constantFrom<0 | 1>(0, 1),
      kind: fc.constantFrom<Op['kind']>('objective', 'kr', 'checkin', 'checkin', 'edit', 'delete', 'comment', 'align'),
      n: fc.nat(20),
      m: fc.nat(20),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), fc.boolean(), (ops, reverse) => {
        const { ws: a, cycle } = seededWorkspace();
        const b = new Workspace({ me: 'ben' });
        exchange(a, b);
        const logA: [string, Uint8Array][] = [];
        const logB: [string, Uint8Array][] = [];
        a.subscribe((c) => c.local && logA.push([c.space, c.update]));
        b.subscribe((c) => c.local && logB.push([c.space, c.update]));
        const replicas = [a, b];
        for (const o of ops) {
          const ws = replicas[o.who]!;
          const objectives = ws.document.objectives;
          const krs = ws.document.keyResults;
          try {
            if (o.kind === 'objective') ws.createObjective({ cycleId: cycle.id, title: `O${o.n}` });
            else if (o.kind === 'kr' && objectives.length) ws.addKeyResult(objectives[o.n % objectives.length]!.id, numeric(`K${o.m}`));
            else if (o.kind === 'checkin' && krs.length) ws.checkIn(krs[o.n % krs.length]!.id, { value: o.m, confidence: 0.5 });
            else if (o.kind === 'edit' && objectives.length) ws.editObjective(objectives[o.n % objectives.length]!.id, o.m % 2 ? { title: `T${o.m}` } : { description: `D${o.m}` });
            else if (o.kind === 'delete' && objectives.length) ws.delete('objectives', objectives[o.n % objectives.length]!.id);
            else if (o.kind === 'comment' && objectives.length) ws.comment({ kind: 'objective', id: objectives[o.n % objectives.length]!.id }, `c${o.m}`);
            else if (o.kind === 'align' && objectives.length > 1) ws.align(objectives[o.n % objectives.length]!.id, objectives[o.m % objectives.length]!.id);
          } catch (e) {
            if (!(e instanceof CandorMutationError || e instanceof CandorFormatError)) throw e;
          }
        }
        // a receives b's updates in order; b receives a's in reverse (or shuffled) order
        for (const [s, u] of logB) a.applyUpdate(s, u, 'peer');
        const toB = reverse ? [...logA].reverse() : logA;
        for (const [s, u] of toB) b.applyUpdate(s, u, 'peer');
        expect(comparable(a.document)).toEqual(comparable(b.document));
        // and the merged state is what materialising fresh copies gives
        const fresh = new Map([...a.spaces].map(([s, d]) => {
          const copy = new Y.Doc();
          Y.applyUpdate(copy, Y.encodeStateAsUpdate(d));
          return [s, copy] as const;
        }));
        expect(comparable(materialise(fresh).document)).toEqual(comparable(a.document));
      }),
      { numRuns: 60 },
    );
  });
});

describe('Workspace construction', () => {
  it('needs a person and accepts preset cycles with stable ids', () => {
    expect(() => new Workspace({ me: '' })).toThrow(CandorMutationError);
    expect(() => new Workspace({ me: 'ana' }).addSpace('somewhere')).toThrow(/not a space id/);
    const ws = new Workspace({ me: 'ana' });
    const q = ws.createCycle(presetCycle('quarter', '2026-05-10'));
    expect(q.id).toBe('2026-q2');
  });
});
