// The quick check-in: my key results, due ones first; the first one's input is focused on open.
import type { ComponentType } from 'preact';
import { useState } from 'preact/hooks';
import { useAppState } from '../../state/app-state.ts';
import { isDue } from '../../state/derive.ts';
import { CheckInForm } from '../../components/checkin-form.tsx';
import { DemoBanner } from '../../components/demo-banner.tsx';
import { t } from '../../lib/i18n.ts';
import { formatScore, relativeTime, statusLabel } from '../../lib/format.ts';

export function Popup({ empty: Empty }: { empty: ComponentType }) {
  const state = useAppState();
  const rows = state.checkIns.value;
  const [saved, setSaved] = useState('');
  const now = state.now.value;
  if (!state.me.value || state.goals.value.objectives.length === 0) return <Empty />;
  return (
    <>
    {state.demo.value ? <DemoBanner onLeave={() => void state.actions.persistSettings({ ...state.settings.value, workspace: 'mine' }).then(() => location.reload())} /> : null}
    <main class="popup">
      <header class="row">
        <h1>{t('popupHeading')}</h1>
        <span class="muted" id="due-summary">
          {state.dueCount.value ? t('dueCount', state.dueCount.value) : t('nothingDue')}
        </span>
      </header>
      <p class="visually-hidden" role="status" aria-live="polite" id="saved-status">
        {saved}
      </p>
      {saved ? (
        <p class="notice ok" aria-hidden="true">
          {saved}
        </p>
      ) : null}
      <ol class="checkin-list">
        {rows.map((row, i) => (
          <li key={row.keyResult.id} class={isDue(row.verdict) ? 'due' : ''} data-kr={row.keyResult.id}>
            <div class="row kr-head">
              <h2>{row.keyResult.title}</h2>
              <span class={`status status-${row.verdict.status}`}>{statusLabel(row.verdict.status)}</span>
              <span class="score">{formatScore(row.verdict.score)}</span>
            </div>
            <p class="muted small">
              {row.objective.title}
              {' · '}
              {isDue(row.verdict) ? <strong>{t('dueNow')}</strong> : row.verdict.lastCheckInAt ? t('lastCheckIn', relativeTime(row.verdict.lastCheckInAt, now)) : t('noCheckInYet')}
            </p>
            {row.verdict.status === 'done' ? (
              <p class="muted">{t('statusDone')}</p>
            ) : (
              <CheckInForm
                keyResult={row.keyResult}
                verdict={row.verdict}
                milestonesDone={state.milestonesDone.value.get(row.keyResult.id)?.milestonesDone ?? []}
                autoFocus={i === 0}
                onSave={async (draft) => {
                  const stored = await state.actions.checkIn(draft);
                  // The check-in as stored (its id is the store's): benchmarks and tests read it here.
                  performance.mark('candor:checkin-committed', { detail: { id: stored.id } });
                  setSaved(t('savedCheckIn', row.keyResult.title));
                }}
              />
            )}
          </li>
        ))}
      </ol>
      <footer class="row">
        <a href="/newtab.html" target="_blank">
          {t('openMyGoals')}
        </a>
        <a href="/options.html" target="_blank">
          {t('options')}
        </a>
      </footer>
    </main>
    </>
  );
}
