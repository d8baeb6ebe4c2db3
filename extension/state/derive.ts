// Pure view models for the pages: which objectives are mine, what is due, what the team did lately.
// No signals, no DOM, no zod: the first-paint module uses these too.
import type { CandorDocument, Cycle, KeyResult, Objective, CheckIn, Comment, Kudos, Person } from '../../core/model/index.ts';
import type { DocumentScores, KeyResultVerdict, ObjectiveVerdict } from '../../core/scoring/index.ts';
import { alignmentPath, currentCycle, cycleElapsed } from '../../core/scoring/index.ts';

export interface CycleView {
  cycle: Cycle;
  /** 0..1 share of the cycle gone by: the pace line. */
  share: number;
  daysLeft: number;
  daysTotal: number;
  ended: boolean;
}

export interface KeyResultView {
  keyResult: KeyResult;
  verdict: KeyResultVerdict;
}

export interface ObjectiveView {
  objective: Objective;
  verdict: ObjectiveVerdict;
  keyResults: KeyResultView[];
  /** "Why it matters": the objectives it supports, nearest first, up to the root. */
  why: Objective[];
  /** Reflections I already wrote for it. */
  reflected: boolean;
}

export interface GoalsView {
  cycle?: CycleView;
  objectives: ObjectiveView[];
  /** My key results with no check-in since their last due moment (not yet done). */
  dueCount: number;
}

/** The cycle to show: the one running now, else the one that ended most recently (time to reflect), else the next. */
export function cycleToShow(doc: CandorDocument, at: Date): Cycle | undefined {
  const running = currentCycle(doc, at);
  if (running) return running;
  const day = at.toISOString().slice(0, 10);
  const ended = doc.cycles.filter((c) => c.end < day).sort((a, b) => (a.end < b.end ? 1 : -1))[0];
  return ended ?? [...doc.cycles].sort((a, b) => (a.start < b.start ? -1 : 1))[0];
}

/** Mine: owned by me, or holding a key result I own. */
export function isMine(objective: Objective, me: string | undefined, krOwners?: Map<string, Set<string>>): boolean {
  if (!me) return false;
  if (objective.owner.kind === 'person' && objective.owner.id === me) return true;
  return krOwners?.get(objective.id)?.has(me) ?? false;
}

function keyResultOwners(doc: CandorDocument): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const kr of doc.keyResults) {
    if (!kr.ownerId) continue;
    let set = owners.get(kr.objectiveId);
    if (!set) owners.set(kr.objectiveId, (set = new Set()));
    set.add(kr.ownerId);
  }
  return owners;
}

export function isDue(v: KeyResultVerdict): boolean {
  return v.due && v.status !== 'done';
}

/**
 * The part of a document my goals depend on: my objectives in `cycleId` (and those holding a key
 * result I own), everything aligned below them (their scores may roll up), their key results and
 * check-ins, and the people and cycles. Scoring this instead of the whole organisation keeps the
 * first paint fast; the objectives' verdicts are the same.
 */
export function documentForMe(doc: CandorDocument, me: string, cycleId: string): CandorDocument {
  const owners = keyResultOwners(doc);
  const children = new Map<string, Objective[]>();
  for (const o of doc.objectives) {
    if (o.parentId === undefined) continue;
    const list = children.get(o.parentId);
    if (list) list.push(o);
    else children.set(o.parentId, [o]);
  }
  const keep = new Set<string>();
  const stack = doc.objectives.filter((o) => o.cycleId === cycleId && isMine(o, me, owners));
  while (stack.length) {
    const o = stack.pop()!;
    if (keep.has(o.id)) continue;
    keep.add(o.id);
    if (o.rollup !== 'key-results') stack.push(...(children.get(o.id) ?? []));
  }
  const keyResults = doc.keyResults.filter((k) => keep.has(k.objectiveId));
  const krIds = new Set(keyResults.map((k) => k.id));
  return {
    ...doc,
    objectives: doc.objectives.filter((o) => keep.has(o.id)),
    keyResults,
    checkIns: doc.checkIns.filter((c) => krIds.has(c.keyResultId)),
    comments: [],
    kudos: [],
    reflections: doc.reflections.filter((r) => r.authorId === me && keep.has(r.objectiveId)),
  };
}

/** My goals in the cycle to show, with verdicts and "why it matters". */
export function goalsView(doc: CandorDocument, scores: DocumentScores, me: string | undefined, at: Date, full?: CandorDocument): GoalsView {
  const cycle = cycleToShow(doc, at);
  if (!cycle || !me) return { objectives: [], dueCount: 0, ...(cycle ? { cycle: cycleView(cycle, at) } : {}) };
  const owners = keyResultOwners(doc);
  const krById = new Map(doc.keyResults.map((k) => [k.id, k]));
  const reflected = new Set(doc.reflections.filter((r) => r.authorId === me).map((r) => r.objectiveId));
  const objectives: ObjectiveView[] = [];
  let dueCount = 0;
  for (const objective of doc.objectives) {
    if (objective.cycleId !== cycle.id || !isMine(objective, me, owners)) continue;
    const verdict = scores.objectives.get(objective.id);
    if (!verdict) continue;
    const keyResults: KeyResultView[] = [];
    for (const v of verdict.keyResults) {
      const keyResult = krById.get(v.id);
      if (!keyResult) continue;
      keyResults.push({ keyResult, verdict: v });
      if (objective.state !== 'closed' && isDue(v) && (!keyResult.ownerId || keyResult.ownerId === me)) dueCount++;
    }
    objectives.push({ objective, verdict, keyResults, why: alignmentPath(full ?? doc, objective.id), reflected: reflected.has(objective.id) });
  }
  objectives.sort((a, b) => (a.objective.order ?? 0) - (b.objective.order ?? 0) || a.objective.createdAt.localeCompare(b.objective.createdAt));
  return { cycle: cycleView(cycle, at), objectives, dueCount };
}

export function cycleView(cycle: Cycle, at: Date): CycleView {
  return { cycle, ...cycleElapsed(cycle, at) };
}

/** My open key results, due ones first (then by objective order): the popup's list. */
export function checkInList(view: GoalsView, me: string | undefined): (KeyResultView & { objective: Objective })[] {
  const rows: (KeyResultView & { objective: Objective; rank: number })[] = [];
  let rank = 0;
  for (const o of view.objectives) {
    if (o.objective.state === 'closed') continue;
    for (const k of o.keyResults) {
      if (k.keyResult.ownerId && k.keyResult.ownerId !== me) continue;
      rows.push({ ...k, objective: o.objective, rank: rank++ });
    }
  }
  rows.sort((a, b) => Number(isDue(b.verdict)) - Number(isDue(a.verdict)) || a.rank - b.rank);
  return rows.map(({ rank: _rank, ...row }) => row);
}

export type PulseItem =
  | { kind: 'check-in'; at: string; id: string; record: CheckIn; person?: Person; keyResult?: KeyResult; source?: string }
  | { kind: 'comment'; at: string; id: string; record: Comment; person?: Person; source?: string }
  | { kind: 'kudos'; at: string; id: string; record: Kudos; person?: Person; source?: string };

/**
 * Team pulse: the most recent check-ins, comments and kudos by other people, from my workspace and
 * the feeds I follow (newest first, each record once).
 */
export function pulse(doc: CandorDocument, feeds: readonly { url: string; document: CandorDocument }[], me: string | undefined, limit = 12): PulseItem[] {
  const items: PulseItem[] = [];
  const seen = new Set<string>();
  const sources: { document: CandorDocument; source?: string }[] = [{ document: doc }, ...feeds.map((f) => ({ document: f.document, source: f.url }))];
  for (const { document, source } of sources) {
    const people = new Map(document.people.map((p) => [p.id, p]));
    const krs = new Map(document.keyResults.map((k) => [k.id, k]));
    const src = source ? { source } : {};
    for (const c of document.checkIns) {
      if (c.authorId === me || seen.has(`c:${c.id}`)) continue;
      seen.add(`c:${c.id}`);
      items.push({ kind: 'check-in', at: c.at, id: c.id, record: c, person: people.get(c.authorId), keyResult: krs.get(c.keyResultId), ...src });
    }
    for (const c of document.comments) {
      if (c.authorId === me || seen.has(`m:${c.id}`)) continue;
      seen.add(`m:${c.id}`);
      items.push({ kind: 'comment', at: c.at, id: c.id, record: c, person: people.get(c.authorId), ...src });
    }
    for (const k of document.kudos) {
      if (seen.has(`k:${k.id}`)) continue;
      seen.add(`k:${k.id}`);
      items.push({ kind: 'kudos', at: k.at, id: k.id, record: k, person: people.get(k.fromId), ...src });
    }
  }
  items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return items.slice(0, limit);
}

/** Objectives of an ended cycle that are not done: candidates to roll over into the next cycle. */
export function unfinished(view: GoalsView): ObjectiveView[] {
  return view.objectives.filter((o) => o.verdict.status !== 'done' && o.verdict.score < 1);
}

/** Key results that reached their target and have not been celebrated yet. */
export function newlyDone(view: GoalsView, celebrated: readonly string[]): KeyResultView[] {
  const done = new Set(celebrated);
  return view.objectives.flatMap((o) => o.keyResults).filter((k) => k.verdict.status === 'done' && !done.has(k.keyResult.id));
}
