// The two workspaces the extension can show, and where each lives: mine (database `candor`, synced
// with a team server when one is connected) and the demo organisation (database `candor-demo`, local
// only, never synced). Zod-free: the first paint and the boot script read these names.
// extension/public/boot.js repeats them (it runs before any module): keep the two in step.

export type WorkspaceKind = 'mine' | 'demo';

/** Must match core/store/idb.ts DB_NAME for `mine`. */
export const DATABASES: Record<WorkspaceKind, string> = { mine: 'candor', demo: 'candor-demo' };
/** Pages of one workspace tell each other about changes on its channel; the two never share one. */
export const CHANNELS: Record<WorkspaceKind, string> = { mine: 'candor', demo: 'candor-demo' };

/** Mirrors in `localStorage`, read synchronously before first paint (boot script, first-paint module). */
export const THEME_MIRROR = 'candor:theme';
/** The person whose goals the active workspace shows. */
export const ME_MIRROR = 'candor:me';
/** `demo` while the demo organisation is shown; absent otherwise. */
export const WORKSPACE_MIRROR = 'candor:workspace';

/** The active workspace as the mirrors say (before settings have loaded); never throws. */
export function mirroredWorkspace(): { kind: WorkspaceKind; me: string | null } {
  try {
    return { kind: localStorage.getItem(WORKSPACE_MIRROR) === 'demo' ? 'demo' : 'mine', me: localStorage.getItem(ME_MIRROR) };
  } catch {
    return { kind: 'mine', me: null };
  }
}
