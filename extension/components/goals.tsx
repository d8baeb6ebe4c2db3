// "My goals": the cycle header and objective cards. Pure rendering from view models, shared by the
// first-paint module (no interactivity yet) and the full new-tab app (check-ins, widgets).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { CycleView, GoalsView, KeyResultView, ObjectiveView } from '../state/derive.ts';
import { isDue } from '../state/derive.ts';
import { t } from '../lib/i18n.ts';
import { confidenceLabel, describeTarget, formatScore, formatValue, percent, relativeTime, statusLabel } from '../lib/format.ts';
import { CheckInForm, type CheckInDraft } from './checkin-form.tsx';

export interface GoalsActions {
  checkIn(draft: CheckInDraft): Promise<void>;
  /** Extra content under a key result (e.g. a sparkline widget once loaded). */
  renderKeyResultExtra?(kr: KeyResultView): ComponentChildren;
  /** Milestones done in the latest check-in. */
  milestonesDone?(keyResultId: string): readonly string[];
}

export function CycleHeader({ view }: { view: CycleView }) {
  const share = percent(view.share);
  return (
    <section class="cycle" aria-labelledby="cycle-name">
      <div class="row cycle-title">
        <h1 id="cycle-name">{view.cycle.name}</h1>
        <span class="muted">{view.ended ? t('cycleEnded') : t('daysLeft', view.daysLeft)}</span>
      </div>
      <div
        class="bar pace"
        role="progressbar"
        aria-label={t('paceLabel')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={share}
        aria-valuetext={t('paceText', share)}
      >
        <div class="fill" style={{ width: `${share}%` }} />
      </div>
    </section>
  );
}

export function KeyResultRow({ kr, now, actions }: { kr: KeyResultView; now: Date; actions?: GoalsActions | undefined }) {
  const [open, setOpen] = useState(false);
  const { keyResult, verdict } = kr;
  const due = isDue(verdict);
  const score = percent(verdict.score);
  return (
    <li class={`kr${due ? ' due' : ''}`} data-kr={keyResult.id} data-status={verdict.status}>
      <div class="kr-head">
        <span class="kr-title">{keyResult.title}</span>
        <span class={`status status-${verdict.status}`}>{statusLabel(verdict.status)}</span>
        {due ? <span class="due-tag">{t('dueNow')}</span> : null}
      </div>
      <div class="kr-progress">
        <div
          class="bar"
          role="progressbar"
          aria-label={t('scoreOf', keyResult.title)}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={score}
          aria-valuetext={t('scoreText', formatScore(verdict.score), formatScore(verdict.expected))}
        >
          <div class="fill" style={{ width: `${score}%` }} />
          <div class="marker" title={t('expectedByNow')} style={{ left: `calc(${percent(verdict.expected)}% - 1px)` }} />
        </div>
        <span class="score" data-score={formatScore(verdict.score)}>
          {formatScore(verdict.score)}
        </span>
      </div>
      <div class="kr-meta muted">
        <span>
          {formatValue(keyResult, verdict.current)} <span aria-hidden="true">·</span> {describeTarget(keyResult)}
        </span>
        <span>
          {t('confidence')} {confidenceLabel(verdict.confidence)}
        </span>
        <span>{verdict.lastCheckInAt ? t('lastCheckIn', relativeTime(verdict.lastCheckInAt, now)) : t('noCheckInYet')}</span>
      </div>
      {actions?.renderKeyResultExtra?.(kr)}
      {actions && verdict.status !== 'done' ? (
        open ? (
          <CheckInForm
            compact
            keyResult={keyResult}
            verdict={verdict}
            milestonesDone={actions.milestonesDone?.(keyResult.id)}
            autoFocus
            onCancel={() => setOpen(false)}
            onSave={async (draft) => {
              await actions.checkIn(draft);
              setOpen(false);
            }}
          />
        ) : (
          <button type="button" class="link-button" aria-expanded="false" onClick={() => setOpen(true)}>
            {t('checkIn')}
            <span class="visually-hidden">: {keyResult.title}</span>
          </button>
        )
      ) : null}
    </li>
  );
}

export function ObjectiveCard({ o, now, actions }: { o: ObjectiveView; now: Date; actions?: GoalsActions | undefined }) {
  const { objective, verdict } = o;
  return (
    <article class="card objective" data-objective={objective.id} aria-labelledby={`o-${objective.id}`}>
      <header class="objective-head">
        <h3 id={`o-${objective.id}`}>{objective.title}</h3>
        <span class={`status status-${verdict.status}`}>{statusLabel(verdict.status)}</span>
        <span class={`grade grade-${verdict.grade}`} data-score={formatScore(verdict.score)}>
          <span class="visually-hidden">{t('score')} </span>
          {formatScore(verdict.score)}
        </span>
      </header>
      {o.why.length ? (
        <p class="why">
          <span class="muted">{t('whyItMatters')} </span>
          {o.why.map((p, i) => (
            <span key={p.id}>
              {i ? <span aria-hidden="true"> → </span> : null}
              {p.title}
            </span>
          ))}
        </p>
      ) : null}
      <ul class="krs">
        {o.keyResults.map((kr) => (
          <KeyResultRow key={kr.keyResult.id} kr={kr} now={now} actions={actions} />
        ))}
      </ul>
      {o.keyResults.length === 0 ? <p class="muted">{t('noKeyResults')}</p> : null}
    </article>
  );
}

export function GoalsList({ view, now, actions }: { view: GoalsView; now: Date; actions?: GoalsActions | undefined }) {
  return (
    <section class="goals" aria-labelledby="goals-title">
      <div class="row">
        <h2 id="goals-title">{t('myGoals')}</h2>
        {view.dueCount ? <span class="due-count">{t('dueCount', view.dueCount)}</span> : null}
      </div>
      <div class="stack">
        {view.objectives.map((o) => (
          <ObjectiveCard key={o.objective.id} o={o} now={now} actions={actions} />
        ))}
      </div>
    </section>
  );
}
