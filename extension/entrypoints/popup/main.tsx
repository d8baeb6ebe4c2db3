// The popup paints from the stored snapshot (read by /boot.js while the page was parsed) and
// focuses the first check-in at once; the workspace loads meanwhile, and a save made before it has
// loaded waits for it. Without a snapshot (first run) it opens the full app first.
import '../../components/base.css';
import './popup.css';
import { render, type ComponentType } from 'preact';
import { AppStateContext, createAppState, type AppState } from '../../state/app-state.ts';
import { deferredBackend } from '../../state/deferred-backend.ts';
import type { Backend } from '../../state/backend.ts';
import { snapshotOf } from '../../lib/snapshot.ts';
import { DATABASES, mirroredWorkspace } from '../../lib/workspaces.ts';
import { t } from '../../lib/i18n.ts';
import type { Settings } from '../../lib/settings.ts';
import { Popup } from './popup.tsx';

const tellWorker = (dueCount: number) => void import('../../lib/messages.ts').then((m) => m.tellWorker({ type: 'document-changed', dueCount }));
const saveSettings = async (s: Settings) => (await import('../../lib/settings.ts')).saveSettings(s);

function show(state: AppState, empty: ComponentType) {
  render(
    <AppStateContext.Provider value={state}>
      <Popup empty={empty} />
    </AppStateContext.Provider>,
    document.getElementById('app')!,
  );
  performance.mark('candor:popup-ready');
}

async function fromSnapshot(): Promise<boolean> {
  const { kind, me } = mirroredWorkspace();
  const doc = me ? await snapshotOf(me, DATABASES[kind]) : null;
  if (!me || !doc) return false;
  let handOver!: (b: Backend) => void;
  const ready = new Promise<Backend>((resolve) => (handOver = resolve));
  // Until the stored settings load, what first paint needs: who I am (the rest is not used here).
  const settings: Settings = {
    theme: 'system',
    reminders: { enabled: true, everyWeeks: 1, weekday: 1, hour: 9 },
    feeds: [],
    celebrated: [],
    ...(kind === 'demo' ? { workspace: 'demo', demo: { me } } : { workspace: 'mine', me }),
  };
  const state = createAppState({ backend: deferredBackend(doc, ready), settings, saveSettings, onDocumentChanged: tellWorker });
  if (state.goals.value.objectives.length === 0) {
    state.dispose();
    return false;
  }
  document.title = t('popupTitle');
  show(state, () => null);
  // Let the focused form reach the screen before Yjs and zod load.
  await new Promise<void>((resolve) => (document.hidden ? resolve() : requestAnimationFrame(() => setTimeout(resolve, 0))));
  const { connect } = await import('./connect.ts');
  await connect(state, handOver);
  performance.mark('candor:popup-connected');
  return true;
}

async function main() {
  performance.mark('candor:popup-start');
  if (await fromSnapshot()) return;
  const { openApp, FirstRun } = await import('../../components/shell.tsx');
  show(await openApp({ page: 'popup' }), FirstRun);
  performance.mark('candor:popup-connected');
}

void main();
