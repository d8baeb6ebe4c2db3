// Storage of the workspace's spaces, on core/store's IndexedDB layer.
import type * as Y from 'yjs';
import type { Workspace } from '../../core/store/workspace.ts';
import type { CandorDocument } from '../../core/model/index.ts';
import type { BackupInfo } from './backend.ts';

export interface Persistence {
  /** Every stored space. */
  load(): Promise<Map<string, Y.Doc>>;
  /**
   * Persists every update of the workspace (and its snapshot), applies updates other pages write,
   * and calls `onChange` after any change. Returns the detach function.
   */
  attach(ws: Workspace, onChange: () => void): () => void;
  /** Resolves when every write so far is committed. */
  flush(): Promise<void>;
  /** Writes a whole document into the workspace in one step. */
  replaceWith(ws: Workspace, doc: CandorDocument): Promise<void>;
  backups(): Promise<BackupInfo[]>;
  restoreBackup(ws: Workspace, id: string): Promise<void>;
  close(): void;
}

export async function openPersistence(): Promise<Persistence> {
  throw new Error('core/store/idb.ts is not available yet');
}
