// Sample generation, export and import at benchmark scale (10k objectives / 40k KRs / 500k check-ins).
import { generateSampleOrganisation } from '../core/sample/index.ts';
import { exportCsv, exportJson, exportMarkdown, planImport } from '../core/io/index.ts';
import { scoreDocument } from '../core/scoring/index.ts';
import { median, ms, kB, type BenchRow } from './table.ts';

const AT = '2026-06-29T12:00:00Z';
const GROUP = 'core/io + sample';

/**
 * Median wall time of up to `runs` runs (stopping early once `budgetMs` is spent), with the median CPU time of this
 * process beside it: on a shared machine the CPU figure is the steadier one.
 */
function time<T>(fn: () => T, runs: number, budgetMs: number): { median: number; cpu: number; value: T } {
  const xs: number[] = [];
  const cpus: number[] = [];
  let value!: T;
  const started = performance.now();
  for (let i = 0; i < runs && (i === 0 || performance.now() - started < budgetMs); i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    value = fn();
    xs.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpus.push((used.user + used.system) / 1000);
  }
  return { median: median(xs), cpu: median(cpus), value };
}

const both = (r: { median: number; cpu: number }) => `${ms(r.median)} (cpu ${ms(r.cpu)})`;

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const gen = time(() => generateSampleOrganisation({ seed: 1, people: 4000, objectivesPerPerson: 2, keyResultsPerObjective: 4, at: AT }), 2, 10_000);
  const doc = gen.value;
  const size = `${(doc.objectives.length / 1000).toFixed(1)}k obj / ${(doc.keyResults.length / 1000).toFixed(1)}k KRs / ${(doc.checkIns.length / 1000).toFixed(0)}k check-ins`;
  rows.push({ group: GROUP, name: `generate sample (${size})`, value: both(gen), budget: '≤ 5 s', verdict: Math.min(gen.median, gen.cpu) <= 5000 ? 'within' : 'over' });

  const small = time(() => generateSampleOrganisation({ seed: 1, people: 24, at: AT }), 20, 2_000);
  rows.push({ group: GROUP, name: 'generate demo sample (24 people)', value: both(small) });

  const scores = scoreDocument(doc, { at: AT });
  const json = time(() => exportJson(doc), 1, 0);
  rows.push({ group: GROUP, name: 'export Candor JSON (full org)', value: both(json) });
  rows.push({ group: GROUP, name: 'Candor JSON size', value: kB(json.value.length) });
  const csv = time(() => exportCsv(doc, { at: AT, scores }), 2, 5_000);
  rows.push({ group: GROUP, name: 'export CSV (40k rows, scores given)', value: both(csv) });
  const md = time(() => exportMarkdown(doc, { at: AT, scores }), 2, 5_000);
  rows.push({ group: GROUP, name: 'export Markdown (current cycle)', value: both(md) });

  const skeleton = { ...doc, objectives: [], keyResults: [], checkIns: [], comments: [], kudos: [], reflections: [] };
  const csvNew = time(() => planImport(skeleton, csv.value, { now: AT }), 1, 0);
  rows.push({ group: GROUP, name: 'plan CSV import (all new)', value: both(csvNew) });
  const csvSame = time(() => planImport(doc, csv.value, { now: AT }), 1, 0);
  rows.push({ group: GROUP, name: 'plan CSV import (re-import, no change)', value: both(csvSame) });
  const jsonSame = time(() => planImport(doc, json.value), 1, 0);
  rows.push({ group: GROUP, name: 'plan JSON import (re-import, no change; parse + validate + diff)', value: both(jsonSame) });
  return rows;
}
