import type * as Y from 'yjs';
import type { CandorDocument, CollectionName, RecordOf } from '../../core/model/index.ts';

/**
 * What the pages need from the workspace: the materialised document, change notifications (local
 * writes and other pages via BroadcastChannel), and validated writes that resolve only once committed.
 * `workspace-backend.ts` implements it on core/store; tests may pass their own.
 */
export interface Backend {
  /** The current materialised document. */
  current(): CandorDocument;
  /** Called after every change, local or from another page/device. */
  subscribe(listener: () => void): () => void;
  /** Creates or replaces a record (validated); resolves after it is committed to storage. */
  put<C extends Exclude<CollectionName, 'checkIns'>>(collection: C, record: RecordOf<C>): Promise<void>;
  /** Records a check-in; resolves after it is committed to storage. */
  checkIn(record: RecordOf<'checkIns'>): Promise<void>;
  /** Deletes a record (with a tombstone). */
  remove(collection: CollectionName, id: string): Promise<void>;
  /** Writes a whole validated document into the workspace in one step (import, sample). */
  importDocument(doc: CandorDocument): Promise<void>;
  /** The Yjs spaces behind the document, for team sync (absent for backends without spaces). */
  spaces?(): Map<string, Y.Doc>;
  /** Makes sure these spaces exist (empty until synced), e.g. the spaces a team server will fill. */
  ensureSpaces?(ids: readonly string[]): void;
  /** Called when a new space is created locally (so sync can add it). */
  onSpaceAdded?(listener: (id: string, doc: Y.Doc) => void): () => void;
  /** Backups kept before storage migrations, newest first. */
  backups?(): Promise<BackupInfo[]>;
  /** Replaces the workspace with a backup. */
  restoreBackup?(id: string): Promise<void>;
  /** Switches whose workspace this is (authorship of writes, private space, snapshot key). */
  setMe?(me: string): void;
  close(): void;
}

export interface BackupInfo {
  id: string;
  at: string;
  /** Why it was taken, e.g. the storage version it preceded. */
  reason: string;
}
