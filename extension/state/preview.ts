// Pure helpers behind the options page's widgets: the document an objective card previews while the
// objective is being edited, and which cycle the alignment view shows.
import type { CandorDocument, Cycle, Objective } from '../../core/model/index.ts';
import { cycleToShow } from './derive.ts';

/**
 * The document as it would be once `draft` is saved: the draft replaces the stored objective with its
 * id, or is added. The draft's key results, check-ins and alignment come from the document, so the
 * card shows real scores. An empty title is shown as `untitled`; a blank description or parent as none.
 * Returns `doc` itself when the draft equals what is stored (nothing to preview, nothing to rescore).
 */
export function previewDocument(doc: CandorDocument, draft: Objective, untitled: string): CandorDocument {
  const shown: Objective = { ...draft, title: draft.title.trim() || untitled };
  const description = draft.description?.trim();
  if (description) shown.description = description;
  else delete shown.description;
  if (!draft.parentId) delete shown.parentId;
  const index = doc.objectives.findIndex((o) => o.id === draft.id);
  if (index >= 0 && sameObjective(doc.objectives[index]!, shown)) return doc;
  const objectives = index >= 0 ? doc.objectives.map((o, i) => (i === index ? shown : o)) : [...doc.objectives, shown];
  return { ...doc, objectives };
}

function sameObjective(a: Objective, b: Objective): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof Objective)[]);
  for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false;
  return true;
}

/** The cycle the alignment view shows: the one chosen if it still exists, else the current (or latest) one. */
export function alignmentCycle(doc: CandorDocument, now: Date, chosenId: string | undefined): Cycle | undefined {
  return doc.cycles.find((c) => c.id === chosenId) ?? cycleToShow(doc, now);
}

/** Cycles newest first, for the cycle picker. */
export function cyclesNewestFirst(doc: CandorDocument): Cycle[] {
  return [...doc.cycles].sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
}
