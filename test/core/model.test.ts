import { describe, it, expect } from 'vitest';
import { parseDocument, parseDocumentText, parseRecord, presetCycle, nextPresetCycle, CandorFormatError, checkIntegrity, emptyDocument } from '../../core/model/index.ts';

const at = '2026-01-05T09:00:00Z';
function doc(): any {
  return {
    format: 'candor',
    version: 1,
    people: [{ id: 'ana', name: 'Ana' }],
    cycles: [{ id: 'q1', name: 'Q1 2026', start: '2026-01-01', end: '2026-03-31' }],
    objectives: [
      { id: 'o1', cycleId: 'q1', title: 'Delight customers', owner: { kind: 'person', id: 'ana' }, createdAt: at, updatedAt: at },
    ],
    keyResults: [
      { id: 'k0', objectiveId: 'o1', title: 'NPS', metric: { kind: 'increase', start: 20, target: 50 } },
      { id: 'k1', objectiveId: 'o1', title: 'Churn', metric: { kind: 'decrease', start: 5, target: 2, unit: '%' } },
      { id: 'k2', objectiveId: 'o1', title: 'Uptime', metric: { kind: 'maintain-above', threshold: 99.9 } },
      { id: 'k3', objectiveId: 'o1', title: 'Launch', metric: { kind: 'milestones', items: [{ id: 'm1', title: 'Beta' }] } },
      { id: 'k4', objectiveId: 'o1', title: 'Ship', metric: { kind: 'boolean' } },
    ],
    checkIns: [{ id: 'c1', keyResultId: 'k0', authorId: 'ana', at, value: 30, confidence: 0.8 }],
  };
}

describe('parseDocument', () => {
  it('accepts a valid document and fills defaults', () => {
    const r = parseDocument(doc());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.objectives[0]).toMatchObject({ type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results' });
    expect(r.value.keyResults[0]).toMatchObject({ weight: 1, order: 0 });
    expect(r.value.comments).toEqual([]);
  });

  it('keeps unknown fields at every level', () => {
    const d = doc();
    d.custom = { a: 1 };
    d.objectives[0].jiraKey = 'OKR-1';
    d.keyResults[0].metric.source = 'grafana';
    const r = parseDocument(d);
    if (!r.ok) throw r.error;
    expect((r.value as any).custom).toEqual({ a: 1 });
    expect((r.value.objectives[0] as any).jiraKey).toBe('OKR-1');
    expect((r.value.keyResults[0]!.metric as any).source).toBe('grafana');
  });

  it('names the path and the problem', () => {
    const d = doc();
    d.keyResults[3] = { ...d.keyResults[0], id: 'k3', metric: { kind: 'increase', start: 0, target: 'ten' } };
    const r = parseDocument(d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(CandorFormatError);
    expect(r.error.message).toContain('keyResults[3].metric.target: expected a number');
  });

  it('explains missing fields, bad enums, bad dates and unknown metric kinds', () => {
    const d = doc();
    delete d.objectives[0].title;
    d.objectives[0].type = 'stretch';
    d.cycles[0].start = '01/01/2026';
    d.keyResults[1].metric.kind = 'double';
    const r = parseDocument(d);
    if (r.ok) throw new Error('should fail');
    const text = r.error.issues.map((i) => `${i.path}: ${i.message}`);
    expect(text).toContain('objectives[0].title: is required (expected a string)');
    expect(text.some((t) => t.startsWith('objectives[0].type: expected "committed" or "aspirational"'))).toBe(true);
    expect(text.some((t) => t.startsWith('cycles[0].start: expected a date as YYYY-MM-DD'))).toBe(true);
    expect(text.some((t) => t.startsWith('keyResults[1].metric.kind: unknown kind "double"'))).toBe(true);
  });

  it('refuses a start equal to the target and a target against the direction', () => {
    const d = doc();
    d.keyResults[0].metric.target = 20;
    const r = parseDocument(d);
    expect(!r.ok && r.error.message).toMatch(/keyResults\[0\]\.metric\.target: start and target are equal/);
    d.keyResults[0].metric = { kind: 'decrease', start: 1, target: 2 };
    const r2 = parseDocument(d);
    expect(!r2.ok && r2.error.message).toMatch(/does not match the direction/);
  });

  it('refuses a newer version whole, saying so', () => {
    const r = parseDocument({ ...doc(), version: 2 });
    expect(!r.ok && r.error.message).toMatch(/^version: this document is version 2, written by a newer Candor/);
  });

  it('refuses what is not a Candor document', () => {
    expect(parseDocument([]).ok).toBe(false);
    expect(parseDocument(null).ok).toBe(false);
    const r = parseDocument({ format: 'trello' });
    expect(!r.ok && r.error.message).toMatch(/^format: expected "candor"/);
  });

  it('reports JSON syntax errors and tolerates a BOM', () => {
    const r = parseDocumentText('{"format": ');
    expect(!r.ok && r.error.message).toMatch(/not valid JSON/);
    expect(parseDocumentText('\ufeff' + JSON.stringify(doc())).ok).toBe(true);
  });
});

describe('integrity', () => {
  it('reports dangling references by path', () => {
    const d = doc();
    d.keyResults.push({ id: 'k9', objectiveId: 'nope', title: 'x', metric: { kind: 'boolean' } });
    d.checkIns.push({ id: 'c9', keyResultId: 'ghost', authorId: 'ana', at, confidence: 0.5 });
    const r = parseDocument(d);
    if (r.ok) throw new Error('should fail');
    expect(r.error.issues.map((i) => i.path)).toEqual(['keyResults[5].objectiveId', 'checkIns[1].keyResultId']);
    expect(r.error.message).toContain('no objective with id "nope"');
  });

  it('reports duplicate ids and alignment cycles', () => {
    const d = doc();
    d.objectives.push({ ...d.objectives[0], id: 'o2', parentId: 'o3' }, { ...d.objectives[0], id: 'o3', parentId: 'o2' });
    d.checkIns.push({ ...d.checkIns[0] });
    const r = parseDocument(d);
    if (r.ok) throw new Error('should fail');
    const text = r.error.issues.map((i) => `${i.path}: ${i.message}`);
    expect(text).toContain('checkIns[1].id: duplicate id "c1" (also checkIns[0])');
    expect(text).toContain('objectives[1].parentId: alignment cycle: o2 → o3 → o2');
  });

  it('treats a parent outside the document as a warning, not an error', () => {
    const d = doc();
    d.objectives[0].parentId = 'company-secret';
    const r = parseDocument(d);
    expect(r.ok && r.warnings.map((w) => w.path)).toEqual(['objectives[0].parentId']);
  });

  it('finds nothing wrong in an empty document', () => {
    expect(checkIntegrity(emptyDocument())).toEqual([]);
  });
});

describe('parseRecord', () => {
  it('prefixes paths with the collection and index', () => {
    const r = parseRecord('checkIns', { id: 'c', keyResultId: 'k', authorId: 'a', at, confidence: 2 }, 4);
    expect(!r.ok && r.error.message).toBe('checkIns[4].confidence: must be at most 1');
  });
});

describe('cycle presets', () => {
  it('builds calendar quarters, halves and years', () => {
    expect(presetCycle('quarter', '2026-11-25')).toEqual({ id: '2026-q4', name: 'Q4 2026', start: '2026-10-01', end: '2026-12-31' });
    expect(presetCycle('quarter', '2024-02-10').end).toBe('2024-03-31');
    expect(presetCycle('half', '2026-03-01')).toMatchObject({ id: '2026-h1', start: '2026-01-01', end: '2026-06-30' });
    expect(presetCycle('year', '2026-07-01')).toMatchObject({ id: '2026', start: '2026-01-01', end: '2026-12-31' });
    expect(nextPresetCycle('quarter', presetCycle('quarter', '2026-11-25')).id).toBe('2027-q1');
  });
});
