import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseDocument, type CandorDocument } from '../../core/model/index.ts';
import { generateSampleOrganisation } from '../../core/sample/index.ts';
import { exportJson, exportCsv, planImport, CandorImportError, CSV_COLUMNS, type ImportResult } from '../../core/io/index.ts';

const AT = '2026-05-20T12:00:00Z';
const NOW = '2026-05-21T08:00:00Z';
const base: CandorDocument = (() => {
  const r = parseDocument(JSON.parse(JSON.stringify(generateSampleOrganisation({ seed: 3, people: 4, keyResultsPerObjective: 2, weeks: 2, at: AT }))));
  if (!r.ok) throw r.error;
  return r.value;
})();
const baseJson = exportJson(base);
const baseCsv = exportCsv(base, { at: AT });

/**
 * The importer's contract, checked on every input: it never throws; a refusal is a CandorImportError from the
 * input (not the importer's own failure) with a message, and carries no plan; an accepted plan's document is a
 * valid Candor document.
 */
const tally = { accepted: 0, refused: 0 };
function checkContract(run: () => ImportResult): ImportResult {
  let r: ImportResult;
  try {
    r = run();
  } catch (e) {
    throw new Error(`planImport threw: ${(e as Error)?.stack ?? e}`);
  }
  if (r.ok) tally.accepted++;
  else tally.refused++;
  if (r.ok) {
    const check = parseDocument(JSON.parse(JSON.stringify(r.plan.document)));
    if (!check.ok) throw new Error(`an accepted plan holds an invalid document: ${check.error.message}`);
  } else {
    expect(r.error).toBeInstanceOf(CandorImportError);
    if (r.error.internal) throw new Error(`importer failure: ${r.error.message}`);
    expect(r.error.message.length).toBeGreaterThan(0);
    expect('plan' in r).toBe(false);
  }
  return r;
}

/** A random edit of a JSON value at a random place. */
function mutate(value: unknown, path: number[], replacement: unknown, op: number): unknown {
  if (value === null || typeof value !== 'object') return replacement;
  const keys = Object.keys(value);
  if (!keys.length || !path.length) return replacement;
  const key = keys[path[0]! % keys.length]!;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as object) };
  const rec = copy as Record<string, unknown>;
  if (path.length === 1) {
    if (op === 0) {
      if (Array.isArray(copy)) copy.splice(Number(key), 1);
      else delete rec[key];
    } else if (op === 1 && Array.isArray(copy)) copy.push(copy[Number(key)]);
    else rec[key] = replacement;
    return copy;
  }
  rec[key] = mutate(rec[key], path.slice(1), replacement, op);
  return copy;
}

const oddString = fc.oneof(
  fc.string(),
  fc.constantFrom('', ' ', '=1+1', '-', '"', '""', ',', '\r\n', '\uFEFF', 'x'.repeat(6000), '2026-02-30', '2026-01-01T00:00:00Z', 'NaN', '1e309', '__proto__', 'constructor'),
);
const replacementValue = fc.oneof(fc.jsonValue(), oddString, fc.constantFrom(Number.NaN, Infinity, -1, 1.5, 1e300, null, [], {}));

describe('importer fuzzing', { timeout: 120_000 }, () => {
  it('random JSON values and texts: never a crash, never a partial plan', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        checkContract(() => planImport(base, value));
        checkContract(() => planImport(base, JSON.stringify(value) ?? 'null'));
        checkContract(() => planImport(base, { format: 'candor', version: 1, objectives: value }));
      }),
      { numRuns: 300 },
    );
  });

  it('mutated valid exports (JSON): accepted plans are valid documents, refusals name a path', () => {
    const doc = JSON.parse(baseJson);
    tally.accepted = tally.refused = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), replacementValue, fc.nat(3)), { minLength: 1, maxLength: 4 }), (edits) => {
        let value: unknown = doc;
        for (const [path, replacement, op] of edits) value = mutate(value, path, replacement, op);
        const r = checkContract(() => planImport(base, value));
        if (!r.ok) expect(r.error.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
    // The mutations exercise both sides of the contract.
    expect(tally.accepted).toBeGreaterThan(4);
    expect(tally.refused).toBeGreaterThan(20);
  });

  it('mutated JSON text (truncated, spliced, BOM): never a crash', () => {
    fc.assert(
      fc.property(fc.nat(baseJson.length), fc.nat(200), fc.oneof(fc.string(), fc.constantFrom('\uFEFF', '"', '{', ']', ',', '\\u0000')), (at, cut, insert) => {
        checkContract(() => planImport(base, baseJson.slice(0, at) + insert + baseJson.slice(at + cut)));
      }),
      { numRuns: 300 },
    );
  });

  it('mutated valid exports (CSV): inserted quotes, delimiters, line breaks, BOMs and huge fields', () => {
    const noise = fc.oneof(fc.constantFrom('"', '""', ',', ';', '\r\n', '\n', '\r', '\uFEFF', '=', "'", '-', 'abc', '1e5', ',,,,'), fc.string(), fc.constant('z'.repeat(120_000)));
    tally.accepted = tally.refused = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(baseCsv.length), fc.nat(40), noise), { minLength: 1, maxLength: 3 }), (edits) => {
        let text = baseCsv;
        for (const [at, cut, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + cut);
        checkContract(() => planImport(base, text, { format: 'csv', now: NOW }));
      }),
      { numRuns: 300 },
    );
    expect(tally.accepted).toBeGreaterThan(4);
    expect(tally.refused).toBeGreaterThan(20);
  });

  it('random CSV tables with Candor and unknown columns: never a crash', () => {
    const header = fc.uniqueArray(fc.oneof(fc.constantFrom(...CSV_COLUMNS), fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 10 });
    const cell = fc.oneof(
      oddString,
      fc.constantFrom('2026-q2', '2026-q3', 'company', 'person', 'team', 'increase', 'decrease', 'maintain-above', 'milestones', 'boolean', '0', '10', '-3', '1,5', '[m1] a\n[m1] b', base.objectives[0]!.id, base.people[0]!.id),
    );
    fc.assert(
      fc.property(header, fc.array(fc.array(cell, { maxLength: 12 }), { maxLength: 6 }), fc.constantFrom(',', ';'), fc.boolean(), (cols, rows, delimiter, bom) => {
        const q = (v: string) => (/[",;\r\n]/.test(v) || v.trim() !== v ? `"${v.replaceAll('"', '""')}"` : v);
        const text = (bom ? '\uFEFF' : '') + [cols, ...rows].map((r) => r.map(q).join(delimiter)).join(rows.length % 2 ? '\r\n' : '\n');
        checkContract(() => planImport(base, text, { format: 'csv', now: NOW }));
      }),
      { numRuns: 400 },
    );
  });

  it('any titles survive a CSV round trip: quotes, delimiters, line breaks, leading formula characters', () => {
    const title = fc.string({ minLength: 1, maxLength: 80 }).map((s) => s.trim()).filter((s) => s.length > 0);
    const tricky = fc.oneof(title, fc.constantFrom('=cmd|"/c calc"!A1', '+1', '-', '@SUM(1)', "'=x", '"quoted"', 'a,b;c', 'line\r\nbreak', '[m1] not an id', 'tab\tinside'));
    fc.assert(
      fc.property(fc.array(tricky, { minLength: 3, maxLength: 3 }), ([objectiveTitle, krTitle, milestoneTitle]) => {
        const doc = structuredClone(base);
        doc.objectives[0]!.title = objectiveTitle!;
        doc.objectives[0]!.description = ` ${krTitle} `;
        doc.keyResults[0]!.title = krTitle!;
        const m = doc.keyResults.find((k) => k.metric.kind === 'milestones');
        if (m && m.metric.kind === 'milestones') m.metric.items[0]!.title = milestoneTitle!;
        const r = checkContract(() => planImport({ ...doc, objectives: [], keyResults: [], checkIns: [], comments: [], kudos: [], reflections: [] }, exportCsv(doc, { at: AT }), { now: NOW }));
        if (!r.ok) throw new Error(r.error.message);
        expect(r.plan.document.keyResults).toEqual(doc.keyResults);
        expect(r.plan.document.objectives[0]!.title).toBe(objectiveTitle);
        expect(r.plan.document.objectives[0]!.description).toBe(` ${krTitle} `);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips random organisations: JSON export → import is identity, CSV export → import keeps objectives and KRs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(',', ';'), (seed, people, krs, delimiter) => {
        const parsed = parseDocument(JSON.parse(JSON.stringify(generateSampleOrganisation({ seed, people, keyResultsPerObjective: krs, weeks: 3, at: AT }))));
        if (!parsed.ok) throw parsed.error;
        const doc = parsed.value;
        const viaJson = checkContract(() => planImport({ ...doc, objectives: [], keyResults: [], checkIns: [], people: [], teams: [], cycles: [], comments: [], kudos: [], reflections: [] }, exportJson(doc)));
        if (!viaJson.ok) throw viaJson.error;
        expect(viaJson.plan.document).toEqual(doc);
        const skeleton = { ...doc, objectives: [], keyResults: [], checkIns: [], comments: [], kudos: [], reflections: [] };
        const viaCsv = checkContract(() => planImport(skeleton, exportCsv(doc, { at: AT, delimiter }), { now: NOW }));
        if (!viaCsv.ok) throw viaCsv.error;
        expect(viaCsv.plan.document.keyResults).toEqual(doc.keyResults);
        expect(viaCsv.plan.document.objectives.map(({ createdAt, updatedAt, ...o }) => o)).toEqual(doc.objectives.map(({ createdAt, updatedAt, ...o }) => o));
      }),
      { numRuns: 25 },
    );
  });
});
