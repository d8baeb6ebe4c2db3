import type * as Y from 'yjs';
import type { Persistence } from '../../extension/state/persistence.ts';
import { Workspace } from '../../core/store/workspace.ts';
import { applyDocument } from '../../core/store/apply.ts';
import type { CandorDocument } from '../../core/model/index.ts';

/**
 * A persistence double that keeps spaces in memory (for state tests without IndexedDB). The initial
 * document is written the one way records are written: the Workspace's commands (applyDocument).
 */
export function memoryPersistence(initial?: CandorDocument): Persistence & { writes: number } {
  const seeded = new Workspace({ me: 'seed' });
  if (initial) applyDocument(seeded, initial);
  const stored: Map<string, Y.Doc> = new Map(seeded.spaces);
  seeded.destroy();
  const self = {
    writes: 0,
    async load() {
      return stored;
    },
    async dropSpace(space: string) {
      stored.delete(space);
    },
    attach(ws: { subscribe(fn: (c: { local: boolean }) => void): () => void }, onChange: (local: boolean) => void) {
      return ws.subscribe((change) => {
        self.writes++;
        onChange(change.local);
      });
    },
    async flush() {},
    async snapshot() {},
    async backups() {
      return [];
    },
    async backupDocument(): Promise<CandorDocument> {
      throw new Error('no backups in memory');
    },
    close() {},
  };
  return self as unknown as Persistence & { writes: number };
}

export const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

/** Lets the backend's deferred change notification run (it re-materialises after each commit). */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
