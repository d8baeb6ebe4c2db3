import type { CandorDocument, Objective } from '../model/index.ts';
import { MAX_ALIGNMENT_DEPTH } from '../model/index.ts';

/**
 * "Why it matters": the objectives an objective supports, from its parent up to the root
 * (`[parent, grandparent, …, root]`; empty for a root or an unknown id). Stops at a parent that is
 * not in the document (it may live in a space the reader cannot see), before an alignment cycle
 * would repeat an objective, and after {@link MAX_ALIGNMENT_DEPTH} levels.
 */
export function alignmentPath(doc: Pick<CandorDocument, 'objectives'>, objectiveId: string): Objective[] {
  const byId = new Map<string, Objective>();
  for (const o of doc.objectives) if (!byId.has(o.id)) byId.set(o.id, o);
  const self = byId.get(objectiveId);
  if (!self) return [];
  const path: Objective[] = [];
  const seen = new Set<string>([self.id]);
  for (let next = self.parentId; next !== undefined && path.length < MAX_ALIGNMENT_DEPTH; ) {
    const parent = byId.get(next);
    if (!parent || seen.has(parent.id)) break;
    seen.add(parent.id);
    path.push(parent);
    next = parent.parentId;
  }
  return path;
}

/** Objectives aligned directly to `objectiveId` (their parentId), sorted by `order` then document order. */
export function alignedChildren(doc: Pick<CandorDocument, 'objectives'>, objectiveId: string): Objective[] {
  return sortByOrder(doc.objectives.filter((o) => o.parentId === objectiveId && o.id !== objectiveId));
}

/** A stable sort by `order` (missing order sorts last), keeping document order among equals. */
export function sortByOrder<T extends { order?: number | undefined }>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, i, key: item.order ?? Number.POSITIVE_INFINITY }))
    .sort((a, b) => (a.key === b.key ? a.i - b.i : a.key < b.key ? -1 : 1))
    .map((x) => x.item);
}
