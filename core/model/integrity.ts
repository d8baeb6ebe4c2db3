import type { CandorDocument, CollectionName } from './document.ts';
import { COLLECTIONS } from './document.ts';
import type { FormatIssue } from './errors.ts';

/** Alignment chains deeper than this are refused: no real organisation nests goals 32 levels deep. */
export const MAX_ALIGNMENT_DEPTH = 32;

const error = (path: string, message: string): FormatIssue => ({ path, message, severity: 'error' });
const warning = (path: string, message: string): FormatIssue => ({ path, message, severity: 'warning' });

/**
 * Finds the alignment cycle that `parentId` links from `startId` would run into, if any.
 * Returns the ids along the loop (first id repeated at the end) or `null`.
 */
export function findAlignmentCycle(parentOf: (id: string) => string | undefined, startId: string): string[] | null {
  const seen = new Map<string, number>();
  const path: string[] = [];
  let cur: string | undefined = startId;
  while (cur !== undefined) {
    if (seen.has(cur)) return [...path.slice(seen.get(cur)), cur];
    seen.set(cur, path.length);
    path.push(cur);
    cur = parentOf(cur);
  }
  return null;
}

/**
 * Checks what a schema cannot: duplicate ids, references to records that are not there, alignment
 * cycles and depth. Structural references (a key result's objective, a check-in's key result, an
 * objective's cycle, a reflection's objective) and cycles are errors; references a filtered feed may
 * legitimately lack (people, an aligned parent in a space the reader cannot see, a comment's target) are warnings.
 */
export function checkIntegrity(doc: CandorDocument): FormatIssue[] {
  const issues: FormatIssue[] = [];
  const index = {} as Record<CollectionName, Map<string, number>>;
  for (const name of COLLECTIONS) {
    const ids = new Map<string, number>();
    (doc[name] as { id: string }[]).forEach((rec, i) => {
      const first = ids.get(rec.id);
      if (first !== undefined) issues.push(error(`${name}[${i}].id`, `duplicate id "${rec.id}" (also ${name}[${first}])`));
      else ids.set(rec.id, i);
    });
    index[name] = ids;
  }
  const has = (name: CollectionName, id: string) => index[name].has(id);

  doc.teams.forEach((t, i) => {
    if (t.parentId !== undefined && !has('teams', t.parentId)) issues.push(warning(`teams[${i}].parentId`, `no team with id "${t.parentId}"`));
  });
  doc.people.forEach((p, i) =>
    p.teamIds.forEach((tid, j) => {
      if (!has('teams', tid)) issues.push(warning(`people[${i}].teamIds[${j}]`, `no team with id "${tid}"`));
    }),
  );
  doc.objectives.forEach((o, i) => {
    if (!has('cycles', o.cycleId)) issues.push(error(`objectives[${i}].cycleId`, `no cycle with id "${o.cycleId}"`));
    if (o.owner.kind === 'person' && !has('people', o.owner.id)) issues.push(warning(`objectives[${i}].owner.id`, `no person with id "${o.owner.id}"`));
    if (o.owner.kind === 'team' && !has('teams', o.owner.id)) issues.push(warning(`objectives[${i}].owner.id`, `no team with id "${o.owner.id}"`));
    if (o.parentId !== undefined) {
      if (o.parentId === o.id) issues.push(error(`objectives[${i}].parentId`, 'an objective cannot support itself'));
      else if (!has('objectives', o.parentId)) issues.push(warning(`objectives[${i}].parentId`, `no objective with id "${o.parentId}" (it may be in a space you cannot see)`));
    }
  });
  const parentOf = (id: string) => {
    const i = index.objectives.get(id);
    return i === undefined ? undefined : doc.objectives[i]!.parentId;
  };
  const reported = new Set<string>();
  doc.objectives.forEach((o, i) => {
    if (o.parentId === undefined || o.parentId === o.id || reported.has(o.id)) return;
    const loop = findAlignmentCycle(parentOf, o.id);
    if (loop && loop[0] === o.id) {
      loop.forEach((id) => reported.add(id));
      issues.push(error(`objectives[${i}].parentId`, `alignment cycle: ${loop.join(' → ')}`));
      return;
    }
    let depth = 0;
    for (let cur: string | undefined = o.parentId; cur !== undefined && depth <= MAX_ALIGNMENT_DEPTH && !loop; cur = parentOf(cur)) depth++;
    if (!loop && depth > MAX_ALIGNMENT_DEPTH) issues.push(error(`objectives[${i}].parentId`, `alignment is deeper than ${MAX_ALIGNMENT_DEPTH} levels`));
  });
  doc.keyResults.forEach((k, i) => {
    if (!has('objectives', k.objectiveId)) issues.push(error(`keyResults[${i}].objectiveId`, `no objective with id "${k.objectiveId}"`));
    if (k.ownerId !== undefined && !has('people', k.ownerId)) issues.push(warning(`keyResults[${i}].ownerId`, `no person with id "${k.ownerId}"`));
    if (k.metric.kind === 'milestones') {
      const seen = new Set<string>();
      k.metric.items.forEach((m, j) => {
        if (seen.has(m.id)) issues.push(error(`keyResults[${i}].metric.items[${j}].id`, `duplicate milestone id "${m.id}"`));
        seen.add(m.id);
      });
    }
  });
  doc.checkIns.forEach((c, i) => {
    const ki = index.keyResults.get(c.keyResultId);
    if (ki === undefined) {
      issues.push(error(`checkIns[${i}].keyResultId`, `no key result with id "${c.keyResultId}"`));
      return;
    }
    const metric = doc.keyResults[ki]!.metric;
    if (metric.kind === 'milestones' && c.milestonesDone) {
      const known = new Set(metric.items.map((m) => m.id));
      c.milestonesDone.forEach((id, j) => {
        if (!known.has(id)) issues.push(warning(`checkIns[${i}].milestonesDone[${j}]`, `no milestone with id "${id}"`));
      });
    }
  });
  const targetCollection: Record<string, CollectionName> = {
    objective: 'objectives',
    keyResult: 'keyResults',
    checkIn: 'checkIns',
    reflection: 'reflections',
    person: 'people',
    team: 'teams',
  };
  for (const name of ['comments', 'kudos'] as const) {
    doc[name].forEach((r, i) => {
      const col = targetCollection[r.target.kind]!;
      if (!has(col, r.target.id)) issues.push(warning(`${name}[${i}].target.id`, `no ${r.target.kind} with id "${r.target.id}"`));
    });
  }
  doc.reflections.forEach((r, i) => {
    if (!has('objectives', r.objectiveId)) issues.push(error(`reflections[${i}].objectiveId`, `no objective with id "${r.objectiveId}"`));
  });
  return issues;
}
