// Scoring + rollup + statuses for 10k objectives / 40k KRs / 500k check-ins (budget ≤ 100 ms),
// at 1×, 2× and 4× that size to show it grows linearly. Figures only; never fails on timing.
import type { CandorDocument, CheckIn, KeyResult, Metric, Objective, Person, Team } from '../core/model/index.ts';
import { orgTree, scoreDocument, type DocumentScores } from '../core/scoring/index.ts';
import { median, ms, type BenchRow } from './table.ts';

const BUDGET_MS = 100;
const TIME_ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC', 'Australia/Sydney', 'America/Los_Angeles'];
const OFFSETS: Record<string, string> = {
  'Europe/Berlin': '+01:00',
  'America/New_York': '-05:00',
  'Asia/Kolkata': '+05:30',
  UTC: 'Z',
  'Australia/Sydney': '+11:00',
  'America/Los_Angeles': '-08:00',
};

/** A seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


/** The local ISO string with an offset (as a person's client would write it) of a UTC instant. */
function localIso(msUtc: number, offset: string): string {
  const sign = offset === 'Z' ? 0 : offset[0] === '-' ? -1 : 1;
  const minutes = offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const d = new Date(msUtc + minutes * 60_000);
  return d.toISOString().slice(0, 19) + offset;
}

/**
 * A synthetic organisation of `scale` × (10k objectives, 40k key results, 500k check-ins): a company
 * layer, team objectives aligned to it, personal objectives aligned to their team's, every metric
 * kind, weekly-ish check-ins with offsets in six time zones, a few out of time order.
 */
export function buildDocument(scale: number, seed = 42): CandorDocument {
  const random = rng(seed);
  const objectivesTotal = 10_000 * scale;
  const krsPerObjective = 4;
  const checkInsTotal = 500_000 * scale;
  const at = '2026-02-20T12:00:00Z';
  const cycleStart = Date.UTC(2026, 0, 1);
  const atMs = Date.parse(at);
  const teamsCount = Math.max(1, Math.round(objectivesTotal / 40));
  const peopleCount = Math.round(objectivesTotal * 0.8);
  const teams: Team[] = [];
  for (let t = 0; t < teamsCount; t++) teams.push({ id: `t${t}`, name: `Team ${t}`, leadIds: [], ...(t >= 10 ? { parentId: `t${t % 10}` } : {}) });
  const people: Person[] = [];
  for (let p = 0; p < peopleCount; p++) {
    people.push({ id: `p${p}`, name: `Person ${p}`, teamIds: [`t${p % teamsCount}`], timeZone: TIME_ZONES[p % TIME_ZONES.length]!, ...(p % 7 === 0 ? { cadence: { everyWeeks: 2, weekday: 5, hour: 15 } } : {}) });
  }
  const objectives: Objective[] = [];
  const stamp = '2026-01-02T09:00:00Z';
  const companyCount = 10;
  for (let i = 0; i < objectivesTotal; i++) {
    let owner: Objective['owner'];
    let parentId: string | undefined;
    if (i < companyCount) owner = { kind: 'company', id: 'acme' };
    else if (i < companyCount + teamsCount) {
      owner = { kind: 'team', id: `t${i - companyCount}` };
      parentId = `o${i % companyCount}`;
    } else {
      owner = { kind: 'person', id: `p${i % peopleCount}` };
      parentId = `o${companyCount + (i % teamsCount)}`;
    }
    objectives.push({
      id: `o${i}`,
      cycleId: 'q1',
      title: `Objective ${i}`,
      owner,
      ...(parentId ? { parentId } : {}),
      type: i % 3 === 0 ? 'aspirational' : 'committed',
      visibility: 'public',
      state: 'active',
      rollup: i < companyCount ? 'children' : i < companyCount + teamsCount ? 'both' : 'key-results',
      createdAt: stamp,
      updatedAt: stamp,
    });
  }
  const keyResults: KeyResult[] = [];
  const kinds: Metric[] = [
    { kind: 'increase', start: 0, target: 100 },
    { kind: 'decrease', start: 50, target: 10 },
    { kind: 'maintain-above', threshold: 99 },
    { kind: 'milestones', items: [{ id: 'a', title: 'A' }, { id: 'b', title: 'B', weight: 2 }, { id: 'c', title: 'C' }] },
    { kind: 'increase', start: 10, target: 20 },
    { kind: 'boolean' },
  ];
  for (let i = 0; i < objectivesTotal; i++) {
    for (let k = 0; k < krsPerObjective; k++) {
      const n = keyResults.length;
      keyResults.push({ id: `k${n}`, objectiveId: `o${i}`, title: `KR ${n}`, ...(n % 3 === 0 ? { ownerId: `p${n % peopleCount}` } : {}), weight: 1 + (n % 2), order: krsPerObjective - k, metric: kinds[n % kinds.length]! });
    }
  }
  const checkIns: CheckIn[] = [];
  const perKr = checkInsTotal / keyResults.length; // 12.5
  const span = atMs - cycleStart;
  for (let n = 0; n < keyResults.length; n++) {
    const kr = keyResults[n]!;
    const count = Math.floor(perKr) + (n % 2 === 0 && perKr % 1 ? 1 : 0);
    const tz = TIME_ZONES[n % TIME_ZONES.length]!;
    for (let c = 0; c < count; c++) {
      const t = cycleStart + Math.floor(((c + random() * 0.5) / count) * span);
      const share = (c + 1) / count;
      const id = `c${checkIns.length}`;
      const authorId = `p${n % peopleCount}`;
      const atIso = localIso(t, OFFSETS[tz]!);
      const confidence = Math.round(random() * 10) / 10;
      const m = kr.metric;
      // Plain literals of one shape per kind, as JSON.parse or a store would produce.
      if (m.kind === 'increase' || m.kind === 'decrease') {
        checkIns.push({ id, keyResultId: kr.id, authorId, at: atIso, value: m.start + (m.target - m.start) * share * (0.4 + random() * 0.6), confidence });
      } else if (m.kind === 'maintain-above' || m.kind === 'maintain-below') {
        checkIns.push({ id, keyResultId: kr.id, authorId, at: atIso, value: 98.5 + random(), confidence });
      } else if (m.kind === 'milestones') {
        checkIns.push({ id, keyResultId: kr.id, authorId, at: atIso, milestonesDone: ['a', 'b', 'c'].slice(0, Math.floor(share * 3)), confidence });
      } else checkIns.push({ id, keyResultId: kr.id, authorId, at: atIso, done: share > 0.9 && random() > 0.5, confidence });
    }
  }
  // A few check-ins out of time order, as merged spaces produce.
  for (let i = 0; i + 1 < checkIns.length; i += 997) {
    const a = checkIns[i]!;
    const b = checkIns[i + 1]!;
    if (a.keyResultId === b.keyResultId) [checkIns[i], checkIns[i + 1]] = [b, a];
  }
  // Through JSON, chunk by chunk, as a document arrives from a `src` URL, a file or storage: flat
  // strings and plain objects (strings built by concatenation here would be ropes, much slower to read).
  const viaJson = <T>(list: T[]): T[] => {
    const out: T[] = [];
    for (let i = 0; i < list.length; i += 50_000) out.push(...(JSON.parse(JSON.stringify(list.slice(i, i + 50_000))) as T[]));
    return out;
  };
  return {
    format: 'candor',
    version: 1,
    generatedAt: at,
    people: viaJson(people),
    teams: viaJson(teams),
    cycles: [{ id: 'q1', name: 'Q1 2026', start: '2026-01-01', end: '2026-03-31' }],
    objectives: viaJson(objectives),
    keyResults: viaJson(keyResults),
    checkIns: viaJson(checkIns),
    comments: [],
    kudos: [],
    reflections: [],
  };
}

const AT = '2026-02-20T12:00:00Z';

function timeRuns(doc: CandorDocument, runs: number, deadline: number): { score: number[]; withTree: number[]; last: DocumentScores } {
  const score: number[] = [];
  const withTree: number[] = [];
  let last = scoreDocument(doc, { at: AT }); // warm-up (JIT)
  orgTree(doc, last, 'q1');
  for (let r = 0; r < runs && performance.now() < deadline; r++) {
    const t0 = performance.now();
    last = scoreDocument(doc, { at: AT });
    const t1 = performance.now();
    orgTree(doc, last, 'q1');
    const t2 = performance.now();
    score.push(t1 - t0);
    withTree.push(t2 - t0);
  }
  return { score, withTree, last };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const started = performance.now();
  const scales = [1, 2, 4];
  let base: number | undefined;
  for (const scale of scales) {
    if (performance.now() - started > 45_000) {
      rows.push({ group: 'scoring', name: `${scale}× skipped`, value: 'time bound of the bench reached' });
      continue;
    }
    const t0 = performance.now();
    const doc = buildDocument(scale);
    const built = performance.now() - t0;
    const runs = scale === 1 ? 9 : scale === 2 ? 7 : 5;
    const { score, withTree, last } = timeRuns(doc, runs, performance.now() + 15_000);
    const m = median(withTree);
    base ??= m;
    const label = `${scale}× (${doc.objectives.length / 1000}k obj / ${doc.keyResults.length / 1000}k KRs / ${doc.checkIns.length / 1000}k check-ins)`;
    rows.push({ group: 'scoring', name: `scoreDocument ${label}`, value: `${ms(median(score))} median of ${score.length}` });
    rows.push({
      group: 'scoring',
      name: `scoreDocument + orgTree ${label}`,
      value: `${ms(m)} median of ${withTree.length}`,
      ...(scale === 1 ? { budget: `≤ ${BUDGET_MS} ms`, verdict: m <= BUDGET_MS ? ('within' as const) : ('over' as const) } : {}),
    });
    if (scale !== 1) rows.push({ group: 'scoring', name: `  ratio to 1× (linear = ${scale}.0)`, value: `${(m / base).toFixed(2)}×`, budget: `≈ ${scale}× (linear)`, verdict: m / base <= scale * 1.35 ? 'within' : 'over' });
    if (scale === 1) {
      const statuses = new Map<string, number>();
      for (const v of last.keyResults.values()) statuses.set(v.status, (statuses.get(v.status) ?? 0) + 1);
      rows.push({ group: 'scoring', name: '  statuses at 1× (sanity)', value: [...statuses].map(([k, n]) => `${k} ${n}`).join(', ') });
      rows.push({ group: 'scoring', name: '  synthetic document build (not timed above)', value: ms(built) });
    }
  }
  return rows;
}
