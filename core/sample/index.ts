import {
  FORMAT,
  VERSION,
  presetCycle,
  METRIC_KINDS,
  type CandorDocument,
  type Cycle,
  type Person,
  type Team,
  type Objective,
  type KeyResult,
  type CheckIn,
  type Comment,
  type Kudos,
  type Reflection,
  type Metric,
  type MetricKind,
  type Cadence,
} from '../model/index.ts';
import {
  FIRST_NAMES,
  LAST_NAMES,
  TIME_ZONES,
  DIVISIONS,
  COMPANY_OBJECTIVES,
  TEAM_OBJECTIVES,
  PERSON_OBJECTIVES,
  NUMERIC_TEMPLATES,
  MAINTAIN_TEMPLATES,
  MILESTONE_TEMPLATES,
  BOOLEAN_TEMPLATES,
  CHECK_IN_NOTES,
  BLOCKERS,
  COMMENTS,
  KUDOS,
  REFLECTIONS,
  type NumericTemplate,
} from './names.ts';

export interface SampleOptions {
  /** PRNG seed; the same seed and options always give the same document. Default 1. */
  seed?: number;
  /** How many people the organisation has (≥ 1). Teams and divisions scale with it. Default 24. */
  people?: number;
  /**
   * "Now" for the sample: a `YYYY-MM-DD` day or an ISO instant. The current cycle is the calendar quarter
   * containing it; check-ins run up to it. Default: today (noon UTC), so a demo always shows the live quarter.
   */
  at?: string;
  /** Weeks of check-ins in the current cycle, counted back from `at` (default: every week since the cycle began). */
  weeks?: number;
  /** Objectives each person owns in the current cycle. Default 1. */
  objectivesPerPerson?: number;
  /** Key results per objective (all levels). Default 3. */
  keyResultsPerObjective?: number;
  /** Include the previous quarter, closed, with check-ins and reflections. Default true. */
  previousCycle?: boolean;
}

/** The options `test/fixtures/sample-small.json` is generated with (a test keeps the file in sync). */
export const SMALL_SAMPLE_OPTIONS = { seed: 7, people: 12, at: '2026-05-20T12:00:00Z' } as const satisfies SampleOptions;

/** The id used as `owner.id` for company objectives. */
export const SAMPLE_COMPANY_ID = 'northwind';
export const SAMPLE_COMPANY_NAME = 'Northwind Labs';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Float in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hiInclusive: number): number {
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const round = (x: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};
const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);
/** Day number → `YYYY-MM-DDT`; a sample spans a few hundred days, and formatting half a million instants must be cheap. */
const dayPrefixes = new Map<number, string>();
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
/** An ISO instant in UTC to the second, e.g. `2026-05-18T07:12:00Z`. */
function iso(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const day = Math.floor(seconds / 86_400);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const s = seconds - day * 86_400;
  return `${prefix}${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}Z`;
}
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function uniqueId(base: string, taken: Map<string, number>): string {
  // `taken` counts uses of each base; generated ids are recorded too, so "x-2" from "x" never collides with a base "x-2".
  let n = taken.get(base) ?? 0;
  let id = base;
  do {
    n++;
    id = n === 1 ? base : `${base}-${n}`;
  } while (n > 1 && taken.has(id));
  taken.set(base, n);
  if (id !== base) taken.set(id, taken.get(id) ?? 1);
  return id;
}

function groupThousands(n: number): string {
  const [int, frac] = String(Math.abs(n)).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (n < 0 ? '-' : '') + grouped + (frac ? `.${frac}` : '');
}

function formatValue(v: number, t: NumericTemplate): string {
  if (t.format === 'percent') return `${v}%`;
  if (t.format === 'currency') {
    const sign = t.currency === 'EUR' ? '€' : t.currency === 'GBP' ? '£' : '$';
    if (v >= 1_000_000) return `${sign}${round(v / 1_000_000, 2)}M`;
    if (v >= 10_000) return `${sign}${round(v / 1000, 0)}k`;
    return `${sign}${groupThousands(v)}`;
  }
  if (t.unit && ['ms', 'h', 'min'].includes(t.unit)) return `${groupThousands(v)} ${t.unit}`;
  return groupThousands(v);
}

/** How a key result will move over the cycle: its end point, curve and how reliably its owner checks in. */
interface Trajectory {
  momentum: number; // share of the way to target reached at the end of the cycle
  curve: number; // progress(s) = momentum * s^curve
  holdRate: number; // maintain KRs: chance a check-in holds the threshold
  stopAfter: number; // check-ins stop after this share of the cycle (stale KRs), else > 1
}

interface Member {
  person: Person;
  team: number;
  tzOffsetHours: number;
  cadence: Cadence;
}

/**
 * Builds a realistic, seeded sample organisation: company → divisions → teams → people; the quarter containing
 * `at` with company, team and personal objectives aligned to one another; every metric kind; weekly check-ins
 * that drift toward or away from their targets with confidence, notes and blockers; comments and kudos; and the
 * previous quarter closed with reflections. Deterministic for a given seed and options, and linear in size
 * (a 10k-objective / 500k-check-in organisation builds in a few seconds).
 */
export function generateSampleOrganisation(options: SampleOptions = {}): CandorDocument {
  const seed = options.seed ?? 1;
  const peopleCount = Math.max(1, Math.floor(options.people ?? 24));
  const objectivesPerPerson = Math.max(0, Math.floor(options.objectivesPerPerson ?? 1));
  const krsPerObjective = Math.max(1, Math.floor(options.keyResultsPerObjective ?? 3));
  const atMs = parseAt(options.at);
  const rng = new Random(seed);

  // ---- Teams and people -------------------------------------------------------------------------------
  const teamCount = Math.max(1, Math.min(peopleCount, Math.round(peopleCount / 6)));
  const divisionCount = teamCount < 3 ? 1 : Math.max(1, Math.min(teamCount - 1, Math.round(teamCount / 4)));
  const teamIds = new Map<string, number>();
  const personIds = new Map<string, number>();
  const divisions: Team[] = [];
  for (let d = 0; d < divisionCount; d++) {
    const [name] = DIVISIONS[d % DIVISIONS.length]!;
    const round_ = Math.floor(d / DIVISIONS.length);
    const fullName = round_ ? `${name} ${round_ + 1}` : name;
    divisions.push({ id: uniqueId(slug(fullName), teamIds), name: fullName, leadIds: [] });
  }
  const teams: Team[] = [];
  const teamDivision: number[] = [];
  const divisionTeamUse = new Array<number>(divisionCount).fill(0);
  for (let t = 0; t < teamCount; t++) {
    const d = t % divisionCount;
    const pool = DIVISIONS[d % DIVISIONS.length]![1];
    const k = divisionTeamUse[d]!++;
    const base = pool[k % pool.length]!;
    const nth = Math.floor(k / pool.length);
    const name = nth ? `${base} ${nth + 1}` : base;
    teams.push({ id: uniqueId(`team-${slug(name)}`, teamIds), name, parentId: divisions[d]!.id, leadIds: [] });
    teamDivision.push(d);
  }

  const members: Member[] = [];
  const teamMembers: Member[][] = teams.map(() => []);
  for (let i = 0; i < peopleCount; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const name = `${first} ${last}`;
    const id = uniqueId(slug(name), personIds);
    const [timeZone, tzOffsetHours] = rng.pick(TIME_ZONES);
    const r = rng.next();
    const cadence: Cadence =
      r < 0.7 ? { everyWeeks: 1, weekday: 1, hour: 9 } : r < 0.85 ? { everyWeeks: 1, weekday: 5, hour: 15 } : r < 0.95 ? { everyWeeks: 2, weekday: 2, hour: 10 } : { everyWeeks: 1, weekday: 4, hour: 17 };
    const t = i % teamCount;
    const person: Person = { id, name, email: `${id}@northwind.example`, teamIds: [teams[t]!.id], timeZone, cadence };
    const m: Member = { person, team: t, tzOffsetHours, cadence };
    members.push(m);
    teamMembers[t]!.push(m);
  }
  teams.forEach((team, t) => {
    const lead = teamMembers[t]![0];
    if (lead) team.leadIds.push(lead.person.id);
  });
  const divisionLeads: (Member | undefined)[] = divisions.map((division, d) => {
    const firstTeam = teams.findIndex((_, t) => teamDivision[t] === d);
    const lead = firstTeam >= 0 ? teamMembers[firstTeam]![0] : undefined;
    if (lead) {
      division.leadIds.push(lead.person.id);
      lead.person.teamIds.push(division.id);
    }
    return lead;
  });
  const ceo = members[0]!;

  // ---- Cycles ------------------------------------------------------------------------------------------
  const current = presetCycle('quarter', new Date(atMs));
  const previous = presetCycle('quarter', new Date(dayMs(current.start) - DAY));
  const includePrevious = options.previousCycle ?? true;
  const cycles: Cycle[] = includePrevious ? [previous, current] : [current];

  const objectives: Objective[] = [];
  const keyResults: KeyResult[] = [];
  const checkIns: CheckIn[] = [];
  const comments: Comment[] = [];
  const kudos: Kudos[] = [];
  const reflections: Reflection[] = [];
  let objectiveSeq = 0;
  let krSeq = 0;
  let checkInSeq = 0;
  let commentSeq = 0;

  const cycleSpan = (c: Cycle) => ({ startMs: dayMs(c.start), endMs: dayMs(c.end) + DAY - 1 });

  /** The check-in moments of a member in a cycle, up to `untilMs`, newest `maxWeeks` only. */
  function checkInMoments(m: Member, c: Cycle, untilMs: number, maxWeeks: number): number[] {
    const { startMs, endMs } = cycleSpan(c);
    const startDow = ((new Date(startMs).getUTCDay() + 6) % 7) + 1; // 1 = Monday
    const firstDay = startMs + (((m.cadence.weekday - startDow + 7) % 7) * DAY);
    const out: number[] = [];
    const limit = Math.min(untilMs, endMs);
    for (let w = 0; ; w += m.cadence.everyWeeks) {
      const jitter = rng.int(0, 150) * 60_000;
      const t = firstDay + w * WEEK + (m.cadence.hour - m.tzOffsetHours) * 3_600_000 + jitter;
      if (t > limit) break;
      if (t >= startMs) out.push(t);
    }
    const weeksBack = Math.ceil(maxWeeks / m.cadence.everyWeeks);
    return out.length > weeksBack ? out.slice(out.length - weeksBack) : out;
  }

  function makeMetric(kind: MetricKind): { metric: Metric; title: string; template: string; decimals: number; spread: number } {
    switch (kind) {
      case 'increase':
      case 'decrease': {
        const pool = NUMERIC_TEMPLATES.filter((t) => t.kind === kind);
        const t = rng.pick(pool);
        // Large currency amounts are tracked to the thousand, like people do.
        const decimals = t.format === 'currency' && t.start[1] > 10_000 ? -3 : (t.decimals ?? 0);
        const start = round(rng.range(t.start[0], t.start[1]), decimals);
        let target = t.targetAbs ? rng.int(t.targetAbs[0], t.targetAbs[1]) : round(start * rng.range(t.ratio![0], t.ratio![1]), decimals);
        if (target === start) target = kind === 'increase' ? start + 1 : start - 1;
        const metric: Metric = { kind, start, target };
        if (t.unit) metric.unit = t.unit;
        if (t.format) metric.format = t.format;
        if (t.currency) metric.currency = t.currency;
        const title = t.title.replace('{start}', formatValue(start, t)).replace('{target}', formatValue(target, t));
        return { metric, title, template: t.title, decimals, spread: 0 };
      }
      case 'maintain-above':
      case 'maintain-below': {
        const t = rng.pick(MAINTAIN_TEMPLATES.filter((x) => x.kind === kind));
        const metric: Metric = { kind, threshold: t.threshold };
        if (t.unit) metric.unit = t.unit;
        return { metric, title: t.title, template: t.title, decimals: t.spread < 1 ? 2 : 1, spread: t.spread };
      }
      case 'milestones': {
        const t = rng.pick(MILESTONE_TEMPLATES);
        return { metric: { kind, items: t.items.map((title, i) => ({ id: `m${i + 1}`, title })) }, title: t.title, template: t.title, decimals: 0, spread: 0 };
      }
      case 'boolean': {
        const title = rng.pick(BOOLEAN_TEMPLATES);
        return { metric: { kind }, title, template: title, decimals: 0, spread: 0 };
      }
    }
  }

  function pickKind(): MetricKind {
    // The first six key results cover every kind, so even the smallest sample shows them all.
    if (krSeq < METRIC_KINDS.length) return METRIC_KINDS[krSeq]!;
    const r = rng.next();
    return r < 0.36 ? 'increase' : r < 0.56 ? 'decrease' : r < 0.64 ? 'maintain-above' : r < 0.7 ? 'maintain-below' : r < 0.87 ? 'milestones' : 'boolean';
  }

  interface Plan {
    cycle: Cycle;
    owner: Objective['owner'];
    title: string;
    parentId?: string;
    type: Objective['type'];
    visibility: Objective['visibility'];
    state: Objective['state'];
    rollup: Objective['rollup'];
    krOwners: Member[];
    author: Member;
  }

  /** Adds an objective with its key results and their check-ins; returns the objective and its final progress. */
  function addObjective(plan: Plan): { objective: Objective; progress: number } {
    const { cycle } = plan;
    const { startMs, endMs } = cycleSpan(cycle);
    const isCurrent = cycle === current;
    const until = isCurrent ? atMs : endMs;
    const createdMs = Math.min(startMs + rng.int(0, 4) * DAY + 10 * 3_600_000 + rng.int(0, 59) * 60_000, until);
    const id = `obj-${++objectiveSeq}`;
    const objective: Objective = {
      id,
      cycleId: cycle.id,
      title: plan.title,
      owner: plan.owner,
      type: plan.type,
      visibility: plan.visibility,
      state: plan.state,
      rollup: plan.rollup,
      createdAt: iso(createdMs),
      updatedAt: iso(createdMs),
    };
    if (plan.parentId) objective.parentId = plan.parentId;
    objectives.push(objective);
    let lastMs = createdMs;
    let progressSum = 0;
    const weeks = isCurrent ? (options.weeks ?? Infinity) : Infinity;
    const objectiveFlair = rng.range(-0.2, 0.15); // objectives are not independent coin flips: some go well, some don't
    const usedTitles = new Set<string>();
    for (let k = 0; k < krsPerObjective; k++) {
      let made = makeMetric(pickKind());
      // Re-roll a key result that repeats one already under this objective (a few tries keeps it O(1)).
      for (let tries = 0; usedTitles.has(made.template) && tries < 6; tries++) made = makeMetric(pickKind());
      usedTitles.add(made.template);
      const { metric, title, decimals, spread } = made;
      const owner = plan.krOwners[k % plan.krOwners.length]!;
      const kr: KeyResult = { id: `kr-${++krSeq}`, objectiveId: id, title, ownerId: owner.person.id, weight: rng.chance(0.2) ? 2 : 1, order: k, metric };
      keyResults.push(kr);
      if (plan.state === 'draft') continue;
      const traj: Trajectory = {
        momentum: clamp(rng.range(0.45, 1.25) + objectiveFlair, 0.05, 1.3),
        curve: rng.range(0.6, 1.4),
        holdRate: rng.range(0.55, 1),
        stopAfter: isCurrent && rng.chance(0.05) ? rng.range(0.2, 0.7) : 2,
      };
      const moments = checkInMoments(owner, cycle, until, weeks);
      const span = endMs - startMs;
      let progress = 0;
      for (const t of moments) {
        const s = (t - startMs) / span;
        if (s > traj.stopAfter && isCurrent && t > atMs - 3 * WEEK) break; // owner went quiet: this KR turns stale
        if (rng.chance(0.04)) continue; // a missed week now and then
        progress = Math.max(0, traj.momentum * s ** traj.curve + rng.range(-0.05, 0.05));
        const ci: CheckIn = {
          id: `ci-${++checkInSeq}`,
          keyResultId: kr.id,
          authorId: owner.person.id,
          at: iso(t),
          confidence: round(clamp(0.4 + traj.momentum * 0.5 + rng.range(-0.12, 0.12), 0.05, 1), 1),
        };
        switch (metric.kind) {
          case 'increase':
          case 'decrease':
            ci.value = round(metric.start + (metric.target - metric.start) * progress, decimals);
            break;
          case 'maintain-above':
          case 'maintain-below': {
            const holds = rng.chance(traj.holdRate);
            const sign = (metric.kind === 'maintain-above') === holds ? 1 : -1;
            ci.value = round(metric.threshold + sign * rng.range(0.02, 1) * spread, decimals);
            // Equal to the threshold holds it; nudge a "miss" that rounded onto it.
            if (!holds && ci.value === metric.threshold) ci.value = round(metric.threshold - (metric.kind === 'maintain-above' ? 1 : -1) * spread, decimals);
            ci.confidence = round(clamp(traj.holdRate + rng.range(-0.1, 0.05), 0.05, 1), 1);
            progress = holds ? 1 : 0;
            break;
          }
          case 'milestones': {
            const n = Math.min(metric.items.length, Math.floor(progress * metric.items.length + 0.15));
            ci.milestonesDone = metric.items.slice(0, n).map((m) => m.id);
            break;
          }
          case 'boolean':
            ci.done = progress >= 0.95;
            if (ci.done) ci.confidence = 1;
            break;
        }
        if (rng.chance(0.35)) ci.note = rng.pick(CHECK_IN_NOTES);
        if (ci.confidence < 0.6 && rng.chance(0.35)) ci.blockers = rng.pick(BLOCKERS);
        checkIns.push(ci);
        if (t > lastMs) lastMs = t;
        if (rng.chance(0.05)) {
          const team = teamMembers[owner.team]!;
          const author = rng.pick(team.length > 1 ? team : members);
          const commentMs = t + rng.int(1, 30) * 3_600_000;
          if (commentMs <= until) comments.push({ id: `cm-${++commentSeq}`, target: { kind: 'checkIn', id: ci.id }, authorId: author.person.id, at: iso(commentMs), text: rng.pick(COMMENTS) });
        }
      }
      progressSum += clamp(progress, 0, 1) * 1;
    }
    objective.updatedAt = iso(lastMs);
    if (rng.chance(0.15)) {
      const author = rng.pick(members);
      const commentMs = Math.min(until, createdMs + rng.int(1, 40) * DAY);
      comments.push({ id: `cm-${++commentSeq}`, target: { kind: 'objective', id }, authorId: author.person.id, at: iso(Math.max(commentMs, createdMs)), text: rng.pick(COMMENTS) });
    }
    return { objective, progress: progressSum / krsPerObjective };
  }

  const companyOwner = { kind: 'company' as const, id: SAMPLE_COMPANY_ID };
  const leadsOrCeo = divisionLeads.filter((m): m is Member => !!m);
  const companyObjectiveCount = Math.min(COMPANY_OBJECTIVES.length, peopleCount < 30 ? 3 : peopleCount < 500 ? 4 : 5);

  function buildCycle(cycle: Cycle, withPeople: boolean) {
    const closed = cycle !== current;
    const state: Objective['state'] = closed ? 'closed' : 'active';
    const results: { objective: Objective; progress: number; author: Member }[] = [];
    const titleOffset = closed ? 2 : 0;
    const company: Objective[] = [];
    for (let i = 0; i < companyObjectiveCount; i++) {
      const r = addObjective({
        cycle,
        owner: companyOwner,
        title: COMPANY_OBJECTIVES[(i + titleOffset) % COMPANY_OBJECTIVES.length]!,
        type: i === companyObjectiveCount - 1 ? 'aspirational' : 'committed',
        visibility: 'public',
        state,
        rollup: i === 0 ? 'both' : 'key-results',
        krOwners: leadsOrCeo.length ? leadsOrCeo : [ceo],
        author: ceo,
      });
      company.push(r.objective);
      results.push({ ...r, author: ceo });
    }
    const divisionObjectives: Objective[][] = divisions.map((division, d) => {
      const lead = divisionLeads[d] ?? ceo;
      const out: Objective[] = [];
      const first = rng.int(0, TEAM_OBJECTIVES.length - 1);
      for (let i = 0; i < 2; i++) {
        const parent = company[(d * 2 + i) % company.length]!;
        const r = addObjective({
          cycle,
          owner: { kind: 'team', id: division.id },
          title: TEAM_OBJECTIVES[(first + i * 5) % TEAM_OBJECTIVES.length]!,
          parentId: parent.id,
          type: rng.chance(0.3) ? 'aspirational' : 'committed',
          visibility: 'public',
          state,
          rollup: 'key-results',
          krOwners: [lead],
          author: lead,
        });
        out.push(r.objective);
        results.push({ ...r, author: lead });
      }
      return out;
    });
    const teamObjectives: Objective[][] = teams.map((team, t) => {
      const people = teamMembers[t]!;
      const out: Objective[] = [];
      if (!people.length) return out;
      const parents = divisionObjectives[teamDivision[t]!]!;
      const first = rng.int(0, TEAM_OBJECTIVES.length - 1);
      for (let i = 0; i < 2; i++) {
        const r = addObjective({
          cycle,
          owner: { kind: 'team', id: team.id },
          title: TEAM_OBJECTIVES[(first + i * 7) % TEAM_OBJECTIVES.length]!,
          parentId: rng.pick(parents).id,
          type: rng.chance(0.3) ? 'aspirational' : 'committed',
          visibility: rng.chance(0.9) ? 'public' : 'team',
          state,
          rollup: 'key-results',
          krOwners: people,
          author: people[0]!,
        });
        out.push(r.objective);
        results.push({ ...r, author: people[0]! });
      }
      return out;
    });
    if (withPeople) {
      members.forEach((m, i) => {
        const t = i % teamCount;
        const first = rng.int(0, PERSON_OBJECTIVES.length - 1);
        for (let j = 0; j < objectivesPerPerson; j++) {
          const isPrivate = rng.chance(0.08);
          const draft = !closed && rng.chance(0.04);
          const aligned = !isPrivate && rng.chance(0.85) && teamObjectives[t]!.length > 0;
          addObjective({
            cycle,
            owner: { kind: 'person', id: m.person.id },
            title: PERSON_OBJECTIVES[(first + j * 5) % PERSON_OBJECTIVES.length]!,
            ...(aligned ? { parentId: rng.pick(teamObjectives[t]!).id } : {}),
            type: rng.chance(0.2) ? 'aspirational' : 'committed',
            visibility: isPrivate ? 'private' : rng.chance(0.1) ? 'team' : 'public',
            state: draft ? 'draft' : state,
            rollup: 'key-results',
            krOwners: [m],
            author: m,
          });
        }
      });
    }
    if (closed) {
      const { endMs } = cycleSpan(cycle);
      for (const r of results) {
        const [wentWell, learned, nextTime] = rng.pick(REFLECTIONS);
        reflections.push({
          id: `rf-${reflections.length + 1}`,
          objectiveId: r.objective.id,
          authorId: r.author.person.id,
          at: iso(Math.min(atMs, endMs + rng.int(1, 5) * DAY)),
          score: round(clamp(r.progress, 0, 1), 1),
          wentWell,
          learned,
          nextTime,
        });
      }
    }
  }

  if (includePrevious) buildCycle(previous, false);
  buildCycle(current, true);

  // ---- Kudos -------------------------------------------------------------------------------------------
  if (members.length > 1) {
    const { startMs } = cycleSpan(current);
    const kudosCount = Math.max(2, Math.round(peopleCount * 0.6));
    const firstKrOf = new Map<string, string>();
    for (const k of keyResults) if (k.ownerId && !firstKrOf.has(k.ownerId)) firstKrOf.set(k.ownerId, k.id);
    for (let i = 0; i < kudosCount; i++) {
      const from = rng.pick(members);
      let to = rng.pick(members);
      if (to === from) to = members[(members.indexOf(from) + 1) % members.length]!;
      const ms = Math.min(atMs, startMs + rng.next() * Math.max(DAY, atMs - startMs));
      const aboutKr = rng.chance(0.4) ? firstKrOf.get(to.person.id) : undefined;
      kudos.push({
        id: `kd-${i + 1}`,
        target: aboutKr ? { kind: 'keyResult', id: aboutKr } : { kind: 'person', id: to.person.id },
        fromId: from.person.id,
        toIds: [to.person.id],
        at: iso(ms),
        message: rng.pick(KUDOS),
      });
    }
  }

  return {
    format: FORMAT,
    version: VERSION,
    generatedAt: iso(atMs),
    people: members.map((m) => m.person),
    teams: [...divisions, ...teams],
    cycles,
    objectives,
    keyResults,
    checkIns,
    comments,
    kudos,
    reflections,
  };
}

function parseAt(at: string | undefined): number {
  if (at === undefined) {
    const now = new Date();
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 12);
  }
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(at) ? `${at}T12:00:00Z` : at);
  if (!Number.isFinite(ms)) throw new RangeError(`sample: "at" must be a YYYY-MM-DD day or an ISO instant, got ${JSON.stringify(at)}`);
  return ms;
}
