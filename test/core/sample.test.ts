import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateSampleOrganisation, mulberry32, SAMPLE_COMPANY_ID, SMALL_SAMPLE_OPTIONS } from '../../core/sample/index.ts';
import { parseDocument, METRIC_KINDS, type CandorDocument } from '../../core/model/index.ts';
import { exportJson } from '../../core/io/json.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/sample-small.json', import.meta.url));

function roundTrip(doc: CandorDocument): unknown {
  return JSON.parse(JSON.stringify(doc));
}

describe('mulberry32', () => {
  it('is deterministic and spreads over [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe('generateSampleOrganisation', () => {
  it('validates with parseDocument, without errors or warnings, for many seeds and sizes', () => {
    const sizes = [1, 2, 3, 5, 12, 40, 130, 700];
    const days = ['2026-01-01', '2026-02-14', '2026-03-31', '2026-05-20', '2026-12-30T23:59:00Z'];
    let n = 0;
    for (const people of sizes)
      for (let seed = 1; seed <= 4; seed++) {
        const at = days[(seed + people) % days.length]!;
        const doc = generateSampleOrganisation({ seed, people, at, objectivesPerPerson: 1 + (seed % 3), keyResultsPerObjective: 1 + (seed % 5) });
        const r = parseDocument(roundTrip(doc));
        if (!r.ok) throw new Error(`seed ${seed}, ${people} people, at ${at}: ${r.error.message}`);
        expect(r.warnings, `seed ${seed}, ${people} people`).toEqual([]);
        n++;
      }
    expect(n).toBe(32);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateSampleOrganisation({ seed: 5, people: 20, at: '2026-05-20' });
    const b = generateSampleOrganisation({ seed: 5, people: 20, at: '2026-05-20' });
    const c = generateSampleOrganisation({ seed: 6, people: 20, at: '2026-05-20' });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('builds a whole organisation: nested teams, aligned objectives at every level, every metric kind', () => {
    const doc = generateSampleOrganisation({ seed: 2, people: 60, at: '2026-05-20' });
    expect(doc.people).toHaveLength(60);
    const divisions = doc.teams.filter((t) => !t.parentId);
    const teams = doc.teams.filter((t) => t.parentId);
    expect(divisions.length).toBeGreaterThanOrEqual(2);
    expect(teams.every((t) => divisions.some((d) => d.id === t.parentId))).toBe(true);
    expect(doc.teams.every((t) => t.leadIds.length === 1)).toBe(true);
    expect(new Set(doc.people.map((p) => p.timeZone)).size).toBeGreaterThan(3);
    expect(doc.people.every((p) => p.cadence && p.email?.endsWith('@northwind.example'))).toBe(true);

    expect(doc.cycles.map((c) => c.id)).toEqual(['2026-q1', '2026-q2']);
    const current = doc.objectives.filter((o) => o.cycleId === '2026-q2');
    const byId = new Map(doc.objectives.map((o) => [o.id, o]));
    const company = current.filter((o) => o.owner.kind === 'company');
    expect(company.length).toBeGreaterThanOrEqual(3);
    expect(company.every((o) => o.owner.id === SAMPLE_COMPANY_ID && !o.parentId)).toBe(true);
    for (const o of current.filter((o) => o.owner.kind === 'team')) expect(byId.get(o.parentId!)).toBeDefined();
    const personal = current.filter((o) => o.owner.kind === 'person');
    expect(personal).toHaveLength(60);
    const aligned = personal.filter((o) => o.parentId);
    expect(aligned.length / personal.length).toBeGreaterThan(0.6);
    for (const o of aligned) expect(byId.get(o.parentId!)!.owner.kind).toBe('team');
    expect(new Set(doc.objectives.map((o) => o.type))).toEqual(new Set(['committed', 'aspirational']));

    expect(new Set(doc.keyResults.map((k) => k.metric.kind))).toEqual(new Set(METRIC_KINDS));
    expect(doc.comments.length).toBeGreaterThan(0);
    expect(doc.kudos.length).toBeGreaterThan(0);
    expect(doc.checkIns.some((c) => c.blockers)).toBe(true);
    expect(doc.checkIns.some((c) => c.note)).toBe(true);
  });

  it('closes the previous quarter with reflections and keeps every check-in in its cycle and before "at"', () => {
    const at = '2026-05-20T12:00:00Z';
    const doc = generateSampleOrganisation({ seed: 9, people: 30, at });
    const prev = doc.objectives.filter((o) => o.cycleId === '2026-q1');
    expect(prev.length).toBeGreaterThan(0);
    expect(prev.every((o) => o.state === 'closed')).toBe(true);
    expect(new Set(doc.reflections.map((r) => r.objectiveId))).toEqual(new Set(prev.map((o) => o.id)));
    const krCycle = new Map(doc.keyResults.map((k) => [k.id, doc.objectives.find((o) => o.id === k.objectiveId)!.cycleId]));
    const cycles = new Map(doc.cycles.map((c) => [c.id, c]));
    for (const c of doc.checkIns) {
      const cycle = cycles.get(krCycle.get(c.keyResultId)!)!;
      expect(c.at >= `${cycle.start}T00:00:00Z`).toBe(true);
      expect(c.at <= `${cycle.end}T23:59:59Z`).toBe(true);
      expect(Date.parse(c.at)).toBeLessThanOrEqual(Date.parse(at));
    }
    for (const x of [...doc.comments, ...doc.kudos, ...doc.reflections]) expect(Date.parse(x.at)).toBeLessThanOrEqual(Date.parse(at));
  });

  it('drifts values realistically: some key results ahead of pace, some behind, some gone quiet', () => {
    const at = '2026-05-20T12:00:00Z';
    const doc = generateSampleOrganisation({ seed: 4, people: 80, at });
    const krs = doc.keyResults.filter((k) => k.metric.kind === 'increase' && doc.objectives.find((o) => o.id === k.objectiveId)!.cycleId === '2026-q2');
    const last = new Map<string, { at: string; value?: number }>();
    for (const c of doc.checkIns) {
      const p = last.get(c.keyResultId);
      if (!p || c.at > p.at) last.set(c.keyResultId, c);
    }
    const share = (Date.parse(at) - Date.parse('2026-04-01T00:00:00Z')) / (Date.parse('2026-07-01T00:00:00Z') - Date.parse('2026-04-01T00:00:00Z'));
    let ahead = 0, behind = 0, quiet = 0;
    for (const k of krs) {
      const c = last.get(k.id);
      if (!c || Date.parse(at) - Date.parse(c.at) > 14 * 86_400_000) { quiet++; continue; }
      if (k.metric.kind !== 'increase') continue;
      const progress = (c.value! - k.metric.start) / (k.metric.target - k.metric.start);
      if (progress >= share) ahead++;
      else if (progress < share - 0.2) behind++;
    }
    expect(ahead).toBeGreaterThan(0);
    expect(behind).toBeGreaterThan(0);
    expect(quiet).toBeGreaterThan(0);
  });

  it('honours the size knobs', () => {
    const doc = generateSampleOrganisation({ seed: 1, people: 10, objectivesPerPerson: 3, keyResultsPerObjective: 4, weeks: 2, previousCycle: false, at: '2026-06-15' });
    expect(doc.cycles).toHaveLength(1);
    expect(doc.objectives.filter((o) => o.owner.kind === 'person')).toHaveLength(30);
    expect(doc.keyResults.length).toBe(doc.objectives.length * 4);
    const perKr = new Map<string, number>();
    for (const c of doc.checkIns) perKr.set(c.keyResultId, (perKr.get(c.keyResultId) ?? 0) + 1);
    expect(Math.max(...perKr.values())).toBeLessThanOrEqual(2);
    expect(() => generateSampleOrganisation({ at: 'next tuesday' })).toThrow(/YYYY-MM-DD/);
  });

  // Benchmarks build this size; `npm run bench` (bench/core-io.bench.ts) reports how long it takes.
  it('builds 10k objectives / 40k key results / 500k check-ins', { timeout: 120_000 }, () => {
    const doc = generateSampleOrganisation({ seed: 1, people: 4000, objectivesPerPerson: 2, keyResultsPerObjective: 4, at: '2026-06-29' });
    expect(doc.objectives.length).toBeGreaterThanOrEqual(10_000);
    expect(doc.keyResults.length).toBeGreaterThanOrEqual(40_000);
    expect(doc.checkIns.length).toBeGreaterThanOrEqual(500_000);
    expect(new Set(doc.checkIns.map((c) => c.id)).size).toBe(doc.checkIns.length);
  });
});

describe('test/fixtures/sample-small.json', () => {
  it('is in sync with the generator (regenerate with UPDATE_FIXTURES=1)', () => {
    const text = exportJson(generateSampleOrganisation(SMALL_SAMPLE_OPTIONS));
    if (process.env.UPDATE_FIXTURES) writeFileSync(FIXTURE, text);
    expect(readFileSync(FIXTURE, 'utf8')).toBe(text);
  });
});
