import type * as Y from 'yjs';
import type { CandorDocument } from '../../core/model/index.ts';
import type { Workspace } from '../../core/store/workspace.ts';
import type { ApplyOptions, ApplySummary } from '../../core/store/apply.ts';

/**
 * The Workspace's typed commands: the only way the pages write. Each validates before it writes,
 * and the backend resolves it with what the command returned — the record as stored, with the
 * store's id — once it is committed to storage.
 */
export const COMMANDS = [
  'createCycle',
  'editCycle',
  'closeCycle',
  'createObjective',
  'editObjective',
  'closeObjective',
  'addKeyResult',
  'editKeyResult',
  'reorderKeyResults',
  'align',
  'checkIn',
  'comment',
  'giveKudos',
  'reflect',
  'delete',
  'upsertPerson',
  'upsertTeam',
  'applyDocument',
] as const satisfies readonly (keyof Workspace | 'applyDocument')[];

export type CommandName = (typeof COMMANDS)[number];

type Committed<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;

export type Commands = { [K in Exclude<CommandName, 'applyDocument'>]: Committed<Workspace[K]> } & {
  /**
   * Brings the workspace to a whole document (import: `merge`; restore: `replace`) through the
   * commands, all or nothing — core/store/apply.ts.
   */
  applyDocument(doc: CandorDocument, options?: ApplyOptions): Promise<ApplySummary>;
};

/**
 * What the pages need from the workspace: the materialised document, change notifications (local
 * writes and other pages via BroadcastChannel), and the commands. `workspace-backend.ts` implements
 * it on core/store; `deferred-backend.ts` answers from a snapshot until that has loaded.
 */
export interface Backend extends Commands {
  /** The current materialised document. */
  current(): CandorDocument;
  /** Called after every change, local or from another page/device. */
  subscribe(listener: () => void): () => void;
  /** The Yjs spaces behind the document, for team sync (absent for backends without spaces). */
  spaces?(): Map<string, Y.Doc>;
  /** Makes sure these spaces exist (empty until synced), e.g. the spaces a team server will fill. */
  ensureSpaces?(ids: readonly string[]): void;
  /** Called when a new space is created locally (so sync can add it). */
  onSpaceAdded?(listener: (id: string, doc: Y.Doc) => void): () => void;
  /**
   * The server refused an update to this space: drop the local copy (memory and storage) for an empty
   * one the server fills again. `replay()`, called once that copy is synced, writes again — through the
   * commands, so the rule holds — the check-ins, comments, kudos and reflections of mine that the old
   * copy held and the server does not: honest work made next to a refused write is not lost. It
   * returns how many it wrote.
   */
  resetSpace?(id: string): Promise<{ doc: Y.Doc; replay: () => Promise<number> }>;
  /** Backups kept before storage migrations, newest first. */
  backups?(): Promise<BackupInfo[]>;
  /** The document a backup holds (restoring it is `applyDocument(doc, { mode: 'replace' })`). */
  backupDocument?(id: string): Promise<CandorDocument>;
  /** Switches whose workspace this is (authorship of writes, private space, snapshot key). */
  setMe?(me: string): void;
  /** Resolves once every change so far is committed and the first-paint snapshot is written. */
  persisted?(): Promise<void>;
  close(): void;
}

export interface BackupInfo {
  id: string;
  at: string;
  /** Why it was taken, e.g. the storage version it preceded. */
  reason: string;
}
