// The popup's heavy half, loaded after it has painted from the snapshot: the workspace (Yjs, zod),
// settings and the worker link.
import type { AppState } from '../../state/app-state.ts';
import type { Backend } from '../../state/backend.ts';
import { openBackend } from '../../state/workspace-backend.ts';
import { loadSettings, onSettingsChanged, applyTheme, activeWorkspace } from '../../lib/settings.ts';

/** Opens the real workspace for a state that painted from the snapshot, and hands it over. */
export async function connect(state: AppState, handOver: (backend: Backend) => void): Promise<void> {
  const settings = await loadSettings();
  state.settings.value = settings;
  applyTheme(settings.theme);
  const active = activeWorkspace(settings);
  onSettingsChanged((next) => {
    // The other workspace (the demo, or back to mine): start again on it.
    if (activeWorkspace(next).kind !== active.kind) return location.reload();
    state.settings.value = next;
    applyTheme(next.theme);
  });
  handOver(await openBackend({ me: active.me, database: active.database, channel: active.channel }));
}
