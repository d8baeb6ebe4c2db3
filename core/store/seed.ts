/** Seeding spaces from a Candor document (the sample organisation, tests, benchmarks). */
import * as Y from 'yjs';
import { COLLECTIONS, type CandorDocument, type CollectionName, type RecordOf } from '../model/index.ts';
import { APPEND_ONLY, collectionLog, collectionMap, encodeEntry, ensureLayout, fieldMap } from './records.ts';
import { companySpace, type SpaceId } from '../rules/spaces.ts';
import { spaceOfRecord, type RoutingContext } from './routing.ts';


export const SEED_ORIGIN = Symbol.for('candor:seed');

/**
 * Splits a Candor document into spaces by {@link spaceOfRecord} (sample organisation, import).
 * Records whose objective or key result is missing go to `company`, where materialise will
 * show them (and integrity checks will name them).
 */
export function documentToSpaces(doc: CandorDocument, options: { me?: string } = {}): Map<SpaceId, Y.Doc> {
  const objectives = new Map(doc.objectives.map((o) => [o.id, o]));
  const keyResults = new Map(doc.keyResults.map((k) => [k.id, k]));
  const ctx: RoutingContext = { me: options.me, objective: (id) => objectives.get(id), keyResult: (id) => keyResults.get(id) };
  const grouped = new Map<SpaceId, Partial<Record<CollectionName, object[]>>>();
  for (const collection of COLLECTIONS) {
    for (const record of doc[collection] as RecordOf<typeof collection>[]) {
      let space: SpaceId;
      try {
        space = spaceOfRecord(collection, record, ctx);
      } catch {
        space = companySpace();
      }
      let group = grouped.get(space);
      if (!group) grouped.set(space, (group = {}));
      (group[collection] ??= []).push(record);
    }
  }
  const spaces = new Map<SpaceId, Y.Doc>();
  for (const space of [...grouped.keys()].sort()) {
    const ydoc = new Y.Doc();
    const group = grouped.get(space)!;
    ydoc.transact(() => {
      ensureLayout(ydoc);
      for (const collection of COLLECTIONS) {
        const records = group[collection];
        if (!records) continue;
        if (APPEND_ONLY.has(collection)) {
          collectionLog(ydoc, collection).push(records.map(encodeEntry));
          continue;
        }
        const map = collectionMap(ydoc, collection);
        for (const record of records) map.set((record as { id: string }).id, fieldMap(record as Record<string, unknown>));
      }
    }, SEED_ORIGIN);
    spaces.set(space, ydoc);
  }
  return spaces;
}

