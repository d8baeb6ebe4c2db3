import * as Y from 'yjs';
import type { Persistence } from '../../extension/state/persistence.ts';
import { documentToSpaces } from '../../core/store/space.ts';
import type { CandorDocument } from '../../core/model/index.ts';

/** A persistence double that keeps spaces in memory (for state tests without IndexedDB). */
export function memoryPersistence(initial?: CandorDocument): Persistence & { writes: number } {
  const stored = initial ? documentToSpaces(initial) : new Map<string, Y.Doc>();
  const self = {
    writes: 0,
    async load() {
      return stored;
    },
    attach(ws: { subscribe(fn: (c: { local: boolean }) => void): () => void }, onChange: (local: boolean) => void) {
      return ws.subscribe((change) => {
        self.writes++;
        onChange(change.local);
      });
    },
    async flush() {},
    async replaceWith(ws: { spaces: Map<string, Y.Doc>; addSpace(id: string, d?: Y.Doc): Y.Doc }, doc: CandorDocument) {
      for (const [id, fresh] of documentToSpaces(doc)) {
        const target = ws.spaces.get(id) ?? ws.addSpace(id);
        Y.applyUpdate(target, Y.encodeStateAsUpdate(fresh));
      }
    },
    async backups() {
      return [];
    },
    async restoreBackup() {},
    close() {},
  };
  return self as unknown as Persistence & { writes: number };
}

export const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

/** Lets the backend's deferred change notification run (it re-materialises after each commit). */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
