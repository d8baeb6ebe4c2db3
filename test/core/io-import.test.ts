import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument, emptyDocument, type CandorDocument, type Objective } from '../../core/model/index.ts';
import { generateSampleOrganisation } from '../../core/sample/index.ts';
import { exportJson, exportCsv, planImport, readCsv, CSV_COLUMNS, CandorImportError, detectFormat } from '../../core/io/index.ts';

const AT = '2026-05-20T12:00:00Z';
const NOW = '2026-05-21T08:00:00Z';
const fixture = (): CandorDocument => {
  const r = parseDocument(JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/sample-small.json', import.meta.url)), 'utf8')));
  if (!r.ok) throw r.error;
  return r.value;
};
/** People, teams and cycles only: what an organisation has before anyone writes OKRs. */
const skeleton = (doc: CandorDocument): CandorDocument => ({ ...doc, objectives: [], keyResults: [], checkIns: [], comments: [], kudos: [], reflections: [] });
const withoutStamps = (o: Objective) => {
  const { createdAt, updatedAt, ...rest } = o;
  return rest;
};
function expectError(r: ReturnType<typeof planImport>): CandorImportError {
  if (r.ok) throw new Error(`expected the import to be refused, got a plan adding ${r.plan.added.length}`);
  expect(r.error).toBeInstanceOf(CandorImportError);
  expect(r.error.internal).toBe(false);
  return r.error;
}
function expectPlan(r: ReturnType<typeof planImport>) {
  if (!r.ok) throw new Error(`expected a plan, got: ${r.error.message}`);
  return r.plan;
}

describe('JSON import', () => {
  it('round-trips: export → import into an empty workspace gives the same document', () => {
    const doc = fixture();
    const plan = expectPlan(planImport(emptyDocument(AT), exportJson(doc)));
    expect(plan.changed).toEqual([]);
    expect(plan.added).toHaveLength(doc.people.length + doc.teams.length + doc.cycles.length + doc.objectives.length + doc.keyResults.length + doc.checkIns.length + doc.comments.length + doc.kudos.length + doc.reflections.length);
    expect({ ...plan.document, generatedAt: doc.generatedAt }).toEqual(doc);
    expect(plan.added[0]).toEqual({ collection: 'people', id: doc.people[0]!.id, title: doc.people[0]!.name });
  });

  it('re-importing the same document changes nothing', () => {
    const doc = fixture();
    const plan = expectPlan(planImport(doc, exportJson(doc)));
    expect(plan.added).toEqual([]);
    expect(plan.changed).toEqual([]);
    expect(plan.unchanged).toBeGreaterThan(800);
    expect(plan.document).toEqual(doc);
  });

  it('previews what changes, field by field, and keeps records it does not mention', () => {
    const doc = fixture();
    const incoming = JSON.parse(exportJson(doc));
    incoming.objectives[2].title = 'A sharper title';
    incoming.keyResults[0].metric.target = 42;
    incoming.keyResults[0].weight = 3;
    incoming.checkIns = incoming.checkIns.slice(0, 5);
    incoming.people = [];
    incoming.checkIns.push({ id: 'ci-new', keyResultId: doc.keyResults[1]!.id, authorId: doc.people[0]!.id, at: AT, value: 1, confidence: 0.5, note: 'new' });
    const plan = expectPlan(planImport(doc, incoming));
    expect(plan.changed).toEqual([
      { collection: 'objectives', id: doc.objectives[2]!.id, fields: ['title'] },
      { collection: 'keyResults', id: doc.keyResults[0]!.id, fields: ['weight', 'metric'] },
    ]);
    expect(plan.added).toEqual([{ collection: 'checkIns', id: 'ci-new', title: 'new' }]);
    expect(plan.document.people).toEqual(doc.people);
    expect(plan.document.checkIns).toHaveLength(doc.checkIns.length + 1);
    expect(plan.document.objectives[2]!.title).toBe('A sharper title');
    expect(doc.objectives[2]!.title).not.toBe('A sharper title'); // the existing document is untouched
  });

  it('accepts a partial document that points at existing records', () => {
    const doc = fixture();
    const k = doc.keyResults[3]!;
    const plan = expectPlan(planImport(doc, { format: 'candor', version: 1, checkIns: [{ id: 'x1', keyResultId: k.id, authorId: k.ownerId, at: AT, confidence: 0.9, done: true }] }));
    expect(plan.added).toEqual([{ collection: 'checkIns', id: 'x1', title: 'x1' }]);
  });

  it('names the path of what is wrong and returns no plan', () => {
    const doc = fixture();
    const bad = JSON.parse(exportJson(doc));
    bad.keyResults[3].metric = { kind: 'increase', start: 0, target: 'ten' };
    const e = expectError(planImport(doc, bad));
    expect(e.message).toBe('keyResults[3].metric.target: expected a number, got "ten"');
    expect(e.format).toBe('json');

    expect(expectError(planImport(doc, '{"format":"candor","version":1,')).message).toMatch(/^not valid JSON/);
    expect(expectError(planImport(doc, { format: 'candor', version: 9 })).message).toMatch(/version 9, written by a newer Candor/);
    expect(expectError(planImport(doc, 42)).message).toMatch(/expected a Candor document/);
    expect(expectError(planImport(doc, { format: 'candor', version: 1, keyResults: [{ id: 'k', objectiveId: 'nope', title: 'T', metric: { kind: 'boolean' } }] })).message).toBe(
      'keyResults[0].objectiveId: no objective with id "nope"',
    );
    const dup = { format: 'candor', version: 1, cycles: [doc.cycles[0], doc.cycles[0]] };
    expect(expectError(planImport(doc, dup)).message).toMatch(/^cycles\[1\]\.id: duplicate id/);
  });

  it('refuses an import that would close an alignment cycle', () => {
    const doc = fixture();
    const child = doc.objectives.find((o) => o.parentId)!;
    const parent = doc.objectives.find((o) => o.id === child.parentId)!;
    const e = expectError(planImport(doc, { format: 'candor', version: 1, objectives: [{ ...parent, parentId: child.id }] }));
    expect(e.message).toMatch(/alignment cycle/);
  });
});

describe('CSV export', () => {
  it('writes the documented header and one row per key result', () => {
    const doc = fixture();
    const table = readCsv(exportCsv(doc, { at: AT }));
    expect(table.rows[0]).toEqual([...CSV_COLUMNS]);
    expect(table.rows).toHaveLength(1 + doc.keyResults.length);
    const col = (name: string) => CSV_COLUMNS.indexOf(name as never);
    const row = table.rows.find((r) => r[col('metric_kind')] === 'milestones')!;
    expect(row[col('milestones')]).toMatch(/^\[m1\] /);
    expect(row[col('milestones_done')]).toMatch(/^\d+\/\d+$/);
    expect(['on-track', 'at-risk', 'off-track', 'stale', 'done']).toContain(row[col('status')]);
  });

  it('documents every column in core/io/CSV.md', () => {
    const md = readFileSync(fileURLToPath(new URL('../../core/io/CSV.md', import.meta.url)), 'utf8');
    for (const c of CSV_COLUMNS) expect(md, c).toContain(`\`${c}\``);
  });

  it('guards text against formula injection but never numbers, and writes objectives without key results', () => {
    const doc = skeleton(fixture());
    doc.objectives.push({ id: 'o1', cycleId: doc.cycles[1]!.id, title: '=HYPERLINK("http://evil")', owner: { kind: 'company', id: 'acme' }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: AT, updatedAt: AT });
    doc.objectives.push({ id: 'o2', cycleId: doc.cycles[1]!.id, title: 'No KRs yet', owner: { kind: 'company', id: 'acme' }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: AT, updatedAt: AT });
    doc.keyResults.push({ id: 'k1', objectiveId: 'o1', title: '-5 bugs', weight: 1, order: 0, metric: { kind: 'decrease', start: -1, target: -5 } });
    const csv = exportCsv(doc, { at: AT });
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csv).toContain(",'-5 bugs,");
    expect(csv).toContain(',decrease,-1,-5,');
    expect(csv.split('\r\n').filter((l) => l.includes('No KRs yet'))).toHaveLength(1);
    expect(exportCsv(doc, { at: AT, spreadsheetSafe: false })).toContain('"=HYPERLINK(""http://evil"")"');
    const plan = expectPlan(planImport(skeleton(doc), csv, { now: NOW }));
    expect(plan.document.objectives.map((o) => o.title)).toEqual(['=HYPERLINK("http://evil")', 'No KRs yet']);
    expect(plan.document.keyResults[0]!.title).toBe('-5 bugs');
  });
});

describe('CSV import', () => {
  it('round-trips: CSV export → import into the skeleton gives the same objectives and key results', () => {
    const doc = fixture();
    const plan = expectPlan(planImport(skeleton(doc), exportCsv(doc, { at: AT }), { now: NOW }));
    expect(plan.document.objectives.map(withoutStamps)).toEqual(doc.objectives.map(withoutStamps));
    expect(plan.document.keyResults).toEqual(doc.keyResults);
    expect(plan.document.objectives.every((o) => o.createdAt === NOW)).toBe(true);
    expect(plan.added.filter((a) => a.collection === 'objectives')).toHaveLength(doc.objectives.length);
  });

  it('re-importing an export changes nothing, with either delimiter and without the spreadsheet guard', () => {
    const doc = fixture();
    for (const csv of [exportCsv(doc, { at: AT }), exportCsv(doc, { at: AT, delimiter: ';' }), exportCsv(doc, { at: AT, spreadsheetSafe: false })]) {
      const plan = expectPlan(planImport(doc, csv, { now: NOW }));
      expect(plan.added).toEqual([]);
      expect(plan.changed).toEqual([]);
      expect(plan.document).toEqual(doc);
    }
  });

  it('updates what a sheet changed, stamping updatedAt, and keeps everything it does not carry', () => {
    const doc = fixture();
    const table = readCsv(exportCsv(doc, { at: AT })).rows;
    const col = (name: string) => CSV_COLUMNS.indexOf(name as never);
    const row = table.findIndex((r) => r[col('metric_kind')] === 'increase');
    const objectiveId = table[row]![col('objective_id')]!;
    for (const r of table) if (r[col('objective_id')] === objectiveId) r[col('objective_type')] = 'aspirational';
    table[row]![col('target')] = '9999';
    const csv = table.map((r) => r.map((c) => (/[",\n\r]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\n');
    const plan = expectPlan(planImport(doc, csv, { now: NOW }));
    const krId = table[row]![col('key_result_id')]!;
    expect(plan.changed).toEqual([
      { collection: 'objectives', id: objectiveId, fields: ['type', 'updatedAt'] },
      { collection: 'keyResults', id: krId, fields: ['metric'] },
    ]);
    const o = plan.document.objectives.find((x) => x.id === objectiveId)!;
    expect(o.updatedAt).toBe(NOW);
    expect(o.createdAt).toBe(doc.objectives.find((x) => x.id === objectiveId)!.createdAt);
    expect(plan.document.checkIns).toBe(doc.checkIns);
  });

  it('builds cycles, objectives and key results from a hand-written sheet without ids', () => {
    const doc = fixture();
    const person = doc.people[3]!;
    const team = doc.teams.find((t) => t.parentId)!;
    const csv = [
      'Cycle;Objective;Owner kind;Owner;Parent objective;Key result;KR owner;Kind;Start;Target;Threshold;Unit;Milestones',
      `2026-q3;Win the DACH market;team;${team.name};;Grow DACH customers;${person.name};increase;40;80;;customers;`,
      `2026-q3;Win the DACH market;;;;Keep churn low;;maintain-below;;;1,5;%;`,
      `2026-q3;Win the DACH market;;;;Open the Berlin office;;;;;;;"Lease signed\nFirst hire\n[ga; weight=2] Opening party"`,
      `2026-q3;Learn German;person;${person.name};Win the DACH market;Pass B1 exam;;boolean;;;;;`,
    ].join('\r\n');
    const plan = expectPlan(planImport(doc, '\uFEFF' + csv, { now: NOW }));
    expect(plan.added.map((a) => `${a.collection}:${a.title}`)).toEqual([
      'cycles:Q3 2026',
      'objectives:Win the DACH market',
      'objectives:Learn German',
      'keyResults:Grow DACH customers',
      'keyResults:Keep churn low',
      'keyResults:Open the Berlin office',
      'keyResults:Pass B1 exam',
    ]);
    const d = plan.document;
    expect(d.cycles.at(-1)).toEqual({ id: '2026-q3', name: 'Q3 2026', start: '2026-07-01', end: '2026-09-30' });
    const win = d.objectives.find((o) => o.title === 'Win the DACH market')!;
    const learn = d.objectives.find((o) => o.title === 'Learn German')!;
    expect(win.owner).toEqual({ kind: 'team', id: team.id });
    expect(learn).toMatchObject({ owner: { kind: 'person', id: person.id }, parentId: win.id, type: 'committed', state: 'active' });
    const krs = d.keyResults.filter((k) => k.objectiveId === win.id);
    expect(krs.map((k) => k.metric)).toEqual([
      { kind: 'increase', start: 40, target: 80, unit: 'customers' },
      { kind: 'maintain-below', threshold: 1.5, unit: '%' },
      { kind: 'milestones', items: [{ id: 'm1', title: 'Lease signed' }, { id: 'm2', title: 'First hire' }, { id: 'ga', title: 'Opening party', weight: 2 }] },
    ]);
    expect(krs.map((k) => k.order)).toEqual([0, 1, 2]);
    expect(krs[0]!.ownerId).toBe(person.id);

    // Importing the same sheet again finds the same records by title instead of duplicating them.
    const again = expectPlan(planImport(d, csv, { now: NOW }));
    expect(again.added).toEqual([]);
    expect(again.changed).toEqual([]);
  });

  it('names the row and column of a bad value, counting the header as row 1', () => {
    const doc = fixture();
    const lines = exportCsv(doc, { at: AT }).split('\r\n');
    const cells = lines[6]!.split(',');
    const t = CSV_COLUMNS.indexOf('target');
    const kind = CSV_COLUMNS.indexOf('metric_kind');
    // Find a row that has a target to break.
    const i = lines.findIndex((l, n) => n > 0 && ['increase', 'decrease'].includes(l.split(',')[kind] ?? '') && !l.includes('"'));
    const broken = lines[i]!.split(',');
    broken[t] = 'abc';
    lines[i] = broken.join(',');
    const e = expectError(planImport(doc, lines.join('\r\n'), { now: NOW }));
    expect(e.message).toBe(`row ${i + 1}, column target: expected a number, got "abc"`);
    expect(e.row).toBe(i + 1);
    expect(e.column).toBe('target');
    expect(e.format).toBe('csv');
    void cells;
  });

  it('explains sheets it cannot read', () => {
    const doc = fixture();
    const msg = (csv: string) => expectError(planImport(doc, csv, { format: 'csv', now: NOW })).message;
    expect(msg('')).toMatch(/row 1: the file is empty/);
    expect(msg('objective_title,key_result_title\nA,B')).toBe('row 1, column cycle: the column is missing: every row needs the id of its cycle (e.g. 2026-q3)');
    expect(msg('cycle,objective_title\n2026-q2,Only a header\n')).toMatch(/row 2, column objective_owner_kind: is required for a new objective/);
    expect(msg('cycle,objective_title,objective_owner_kind,key_result_title,metric_kind\n2026-q2,A,company,B,grow')).toMatch(/^row 2, column metric_kind: expected increase, decrease/);
    expect(msg('cycle,objective_title,objective_owner_kind,key_result_title,metric_kind,start\n2026-q2,A,company,B,increase,1')).toBe('row 2, column target: is required for an increase key result');
    expect(msg('cycle,objective_title,objective_owner_kind,key_result_title,metric_kind,start,target\n2026-q2,A,company,B,increase,5,5')).toMatch(/^row 2, column target: start and target are equal/);
    expect(msg('cycle,objective_title,objective_owner_kind\nsprint-9,A,company')).toMatch(/^row 2, column cycle_start: cycle "sprint-9" is new/);
    expect(msg('cycle,cycle_start,cycle_end,objective_title,objective_owner_kind\nq,2026-02-01,2026-01-01,A,company')).toMatch(/^row 2, column cycle_end: the end must not be before the start/);
    expect(msg('cycle,objective_id,objective_title,objective_owner_kind,objective_type\n2026-q2,x,A,company,committed\n2026-q2,x,A,company,aspirational')).toMatch(
      /^row 3, column objective_type: "aspirational" differs from row 2/,
    );
    expect(msg('cycle,objective_title,objective_owner_kind,objective_owner_name\n2026-q2,A,person,Nobody Here')).toBe('row 2, column objective_owner_name: no person named "Nobody Here"');
    expect(msg('cycle,objective_title,objective_owner_kind,parent_objective_title\n2026-q2,A,company,Missing parent')).toBe('row 2, column parent_objective_title: no objective titled "Missing parent"');
    expect(msg('cycle,objective_title\n2026-q2,"open')).toMatch(/^row 2, column #2: a quoted field is not closed/);
    expect(msg('cycle,objective_title,objective_owner_kind\n2026-q2,A,company,extra')).toMatch(/^row 2: has 4 fields but the header has 3/);
    expect(msg('cycle,cycle\n1,2')).toMatch(/row 1, column cycle: the column appears twice/);
    expect(msg('cycle,objective_title,objective_owner_kind,key_result_title,metric_kind\n2026-q2,A,company,B,constructor')).toMatch(/^row 2, column metric_kind: expected increase/);
    expect(msg('cycle,objective_title,objective_owner_kind,key_result_title,metric_kind,milestones\n2026-q2,A,company,B,milestones,"[a] x\n[a] y"')).toBe('row 2, column milestones: milestone id "a" appears twice');
  });

  it('reports every bad row of a sheet at once, in row order', () => {
    const e = expectError(
      planImport(fixture(), 'cycle,objective_title,objective_owner_kind,key_result_title,metric_kind,start,target\n2026-q2,A,company,B,increase,1,abc\n2026-q2,A,company,C,grow,1,2\n2026-q2,D,boss,E,increase,1,2\n2026-q2,F,company,G,decrease,1,x\n', { now: NOW }),
    );
    expect(e.issues.map((i) => i.path)).toEqual(['row 2, column target', 'row 3, column metric_kind', 'row 4, column objective_owner_kind', 'row 5, column target']);
    expect(e.message).toBe('row 2, column target: expected a number, got "abc"; row 3, column metric_kind: expected increase, decrease, maintain-above, maintain-below, milestones or boolean, got "grow"; row 4, column objective_owner_kind: expected person, team or company, got "boss" (and 1 more problem)');
    expect(e.row).toBe(2);
  });

  it('warns about unknown columns and dangling optional references without refusing', () => {
    const doc = fixture();
    const plan = expectPlan(planImport(doc, 'cycle,objective_title,objective_owner_kind,objective_owner_id,notes\n2026-q2,A,person,ghost,hello', { now: NOW }));
    expect(plan.warnings).toEqual(['column "notes" is not a Candor column and was ignored', 'row 2: no person with id "ghost"']);
  });
});

describe('hostile JSON', () => {
  it('refuses deep nesting with a message instead of overflowing the stack', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expectError(planImport(fixture(), deep));
    let nested: unknown = 1;
    for (let i = 0; i < 100_000; i++) nested = { x: nested };
    const doc = fixture();
    const r = planImport(doc, { format: 'candor', version: 1, cycles: [{ ...doc.cycles[0], extra: nested }] });
    if (!r.ok) expect(r.error.internal).toBe(false);
  });

  it('keeps an unknown field named __proto__ as a field, through export and import', () => {
    const doc = fixture();
    const text = exportJson(doc).replace('"format": "candor",', '"format": "candor",\n  "__proto__": { "polluted": true },');
    const plan = expectPlan(planImport(emptyDocument(AT), text));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const withField = JSON.parse(text.replace('"__proto__"', '"__proto__"'));
    expect(Object.prototype.hasOwnProperty.call(withField, '__proto__')).toBe(true);
    const out = JSON.parse(exportJson(withField));
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect(plan.document.objectives).toHaveLength(doc.objectives.length);
  });
});

describe('detectFormat', () => {
  it('tells JSON from CSV', () => {
    expect(detectFormat('\uFEFF  {"format":"candor"}')).toBe('json');
    expect(detectFormat('cycle,objective_title')).toBe('csv');
  });
});

describe('larger organisations', () => {
  it('round-trips a 300-person organisation through CSV and JSON', () => {
    const doc = generateSampleOrganisation({ seed: 11, people: 300, at: AT });
    const parsed = parseDocument(JSON.parse(JSON.stringify(doc)));
    if (!parsed.ok) throw parsed.error;
    const csvPlan = expectPlan(planImport(skeleton(parsed.value), exportCsv(parsed.value, { at: AT }), { now: NOW }));
    expect(csvPlan.document.keyResults).toEqual(parsed.value.keyResults);
    const jsonPlan = expectPlan(planImport(parsed.value, exportJson(parsed.value)));
    expect(jsonPlan.changed).toEqual([]);
  });
});
