// The two workspaces the extension can show, and where each lives: mine (database `candor`, synced with
// a team server when one is connected) and the demo organisation (database `candor-demo`, local only,
// never synced). Part of the new tab's first paint: zod-free and small. boot.js repeats the database
// names and the mirror keys below (it runs before any module), settings.ts writes the mirrors: keep all
// three in step.

export type WorkspaceKind = 'mine' | 'demo';

/** Must match core/store/idb.ts DB_NAME for `mine`. */
export const DATABASES: Record<WorkspaceKind, string> = { mine: 'candor', demo: 'candor-demo' };

/** The active workspace and who I am in it, as the `localStorage` mirrors say (before settings load); never throws. */
export function mirroredWorkspace(): { kind: WorkspaceKind; me: string | null } {
  try {
    return { kind: localStorage.getItem('candor:workspace') === 'demo' ? 'demo' : 'mine', me: localStorage.getItem('candor:me') };
  } catch {
    return { kind: 'mine', me: null };
  }
}
