// The demo organisation: the sample organisation in a workspace of its own (database `candor-demo`,
// its own BroadcastChannel), opened through the same core/store code as mine and never synced. Opening
// it leaves my workspace and a connected team server exactly as they were; going back shows them again.
import { generateSampleOrganisation } from '../../core/sample/index.ts';
import type { CandorDocument } from '../../core/model/index.ts';
import { cycleToShow } from './derive.ts';
import { openBackend, type OpenBackendOptions, type WorkspaceBackend } from './workspace-backend.ts';
import { DATABASES } from '../lib/workspaces.ts';
import { CHANNELS } from '../lib/settings.ts';
import type { AppState } from './app-state.ts';

/** The sample's seed: the same organisation every time (and today's quarter). */
export const DEMO_SEED = 7;

/** Who I am in the demo: the first person owning an objective in the cycle shown now, so "my goals" shows something real. */
export function demoPerson(sample: CandorDocument, now: Date = new Date()): string {
  const cycle = cycleToShow(sample, now);
  const owned = sample.objectives.filter((o) => o.owner.kind === 'person' && o.state !== 'closed');
  const id = (owned.find((o) => o.cycleId === cycle?.id) ?? owned[0])?.owner.id ?? sample.people[0]?.id;
  if (!id) throw new Error('the sample organisation has nobody in it');
  return id;
}

/**
 * Fills the demo workspace with today's sample organisation (afresh: what was changed in it before is
 * undone), writes its first-paint snapshot, and makes it the workspace the pages show. The pages then
 * reload into it. My own workspace's database is never opened for writing here.
 */
export async function openDemo(state: AppState, open: (options: OpenBackendOptions) => Promise<WorkspaceBackend> = openBackend): Promise<void> {
  const sample = generateSampleOrganisation({ seed: DEMO_SEED });
  const me = demoPerson(sample);
  const demo = await open({ me, database: DATABASES.demo, channel: CHANNELS.demo });
  try {
    await demo.applyDocument(sample, { mode: 'replace' });
    await demo.persisted();
  } finally {
    demo.close();
  }
  await state.actions.persistSettings({ ...state.settings.value, workspace: 'demo', demo: { me } });
}

/** Back to my workspace (left as it was; sync resumes when a server is connected). The demo stays for next time. */
export async function leaveDemo(state: AppState): Promise<void> {
  await state.actions.persistSettings({ ...state.settings.value, workspace: 'mine' });
}
