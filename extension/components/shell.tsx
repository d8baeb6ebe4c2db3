// What every page shares: opening the workspace and settings into an AppState, the first-run state,
// and the sync status line.
import { useState } from 'preact/hooks';
import { createAppState, useAppState, type AppState } from '../state/app-state.ts';
import { openBackend } from '../state/workspace-backend.ts';
import { openDemo, leaveDemo } from '../state/demo.ts';
import { loadSettings, saveSettings, onSettingsChanged, applyTheme, mirror, activeWorkspace, withMe } from '../lib/settings.ts';
import { tellWorker } from '../lib/messages.ts';
import { loadFeedDocuments, onFeedsChanged } from '../lib/feeds.ts';
import { startSync } from '../lib/sync.ts';
import { newId } from '../lib/format.ts';
import { t } from '../lib/i18n.ts';
import { DemoBanner } from './demo-banner.tsx';

/**
 * Opens settings and the active workspace (mine, or the demo organisation), and wires the state to
 * the worker, other pages and feeds. When another page switches workspaces, this one reloads into it.
 */
export async function openApp({ page }: { page: 'newtab' | 'popup' | 'options' }): Promise<AppState> {
  const settings = await loadSettings();
  mirror(settings);
  applyTheme(settings.theme);
  const active = activeWorkspace(settings);
  const backend = await openBackend({ me: active.me, database: active.database, channel: active.channel });
  const state = createAppState({
    backend,
    settings,
    saveSettings,
    onDocumentChanged: (dueCount) => void tellWorker({ type: 'document-changed', dueCount }),
  });
  onSettingsChanged((next) => {
    const now = activeWorkspace(next);
    if (now.kind !== active.kind) return location.reload();
    if (now.me && now.me !== state.me.value) backend.setMe(now.me);
    state.settings.value = next;
    applyTheme(next.theme);
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme(state.settings.value.theme));
  if (page !== 'popup') {
    void loadFeedDocuments().then((feeds) => (state.feeds.value = feeds));
    onFeedsChanged((feeds) => (state.feeds.value = feeds));
    void startSync(state);
  }
  document.title = page === 'newtab' ? t('newTabTitle') : page === 'popup' ? t('popupTitle') : t('optionsTitle');
  return state;
}

/** First run: who am I, then create / import / sample. Friendly, never blocking. */
export function FirstRun() {
  const state = useAppState();
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const me = state.me.value;

  async function loadSample() {
    setBusy(true);
    try {
      // The sample is a demo workspace of its own: mine (and a connected server) stay as they are.
      await openDemo(state);
      location.reload();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }

  async function createMe(event: Event) {
    event.preventDefault();
    if (!name.trim()) {
      setError(t('errorNameNeeded'));
      return;
    }
    setBusy(true);
    try {
      const id = newId('p');
      await state.actions.savePerson({ id, name: name.trim(), teamIds: [] });
      await state.actions.persistSettings(withMe(state.settings.value, id));
      setError('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="first-run card">
      <h1>{t('welcomeTitle')}</h1>
      <p>{t('welcomeIntro')}</p>
      {!me ? (
        <form onSubmit={createMe} class="stack" aria-labelledby="who-title">
          <h2 id="who-title">{t('whoAreYou')}</h2>
          <label for="my-name">{t('yourName')}</label>
          <div class="row">
            <input id="my-name" name="name" value={name} autoComplete="name" aria-invalid={error ? 'true' : 'false'} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
            <button type="submit" class="primary" disabled={busy}>
              {t('continue')}
            </button>
          </div>
          {error ? (
            <p class="field-error" role="alert">
              {error}
            </p>
          ) : null}
        </form>
      ) : (
        <div class="choices">
          <a class="button primary" href="/options.html#objectives" id="create-first">
            {t('createFirstObjective')}
          </a>
          <a class="button" href="/options.html#data">
            {t('importFile')}
          </a>
        </div>
      )}
      <p>
        <button type="button" onClick={loadSample} disabled={busy} id="load-sample">
          {t('loadSample')}
        </button>{' '}
        <span class="muted">{t('loadSampleHint')}</span>
      </p>
    </main>
  );
}

export function SyncBadge() {
  const state = useAppState();
  const s = state.sync.value;
  const refused = state.refusal.value;
  if (s.state === 'local') return null;
  const label =
    s.state === 'synced' ? t('syncSynced') : s.state === 'connecting' ? t('syncConnecting') : s.state === 'offline' ? t('syncOffline') : t('syncError', s.reason);
  return (
    <>
      <p class={`sync sync-${s.state}`} role="status">
        {label}
        {s.state === 'offline' && s.reason ? ` (${s.reason})` : ''}
      </p>
      {refused && (
        <p class="sync sync-refused" role="alert" id="sync-refused">
          {t('syncRefused', refused.space, refused.reason.replace(/^refused by the server:\s*/, ''))}
        </p>
      )}
    </>
  );
}

/** While the demo organisation is open: the notice and the one control back to my workspace. */
export function DemoNotice() {
  const state = useAppState();
  if (!state.demo.value) return null;
  return <DemoBanner onLeave={() => void backToMine(state)} />;
}

/** Leaves the demo; every page reloads into my workspace (this one at once). */
export async function backToMine(state: AppState): Promise<void> {
  await leaveDemo(state);
  location.reload();
}
