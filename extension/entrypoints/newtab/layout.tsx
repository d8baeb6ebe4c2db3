// The new tab's layout, shared by the first paint (static, from the stored snapshot) and the full app.
import type { ComponentChildren } from 'preact';
import type { GoalsView, PulseItem } from '../../state/derive.ts';
import { CycleHeader, GoalsList, type GoalsActions } from '../../components/goals.tsx';
import { t } from '../../lib/i18n.ts';
import { DemoBanner } from '../../components/demo-banner.tsx';
import { relativeTime, formatValue } from '../../lib/format.ts';

export interface LayoutProps {
  view: GoalsView;
  pulse: PulseItem[];
  now: Date;
  actions?: GoalsActions | undefined;
  /** Kudos button for a pulse item (full app only). */
  renderKudos?: ((item: PulseItem) => ComponentChildren) | undefined;
  /** Above the goals: reflection prompt, celebration, sync notices. */
  top?: ComponentChildren;
  /** Under the goals (full app: nothing-yet state, links). */
  bottom?: ComponentChildren;
  /** The demo organisation is shown: the notice on top (with the way back, once the app has loaded). */
  demo?: { onLeave?: (() => void) | undefined } | undefined;
}

export function NewTabLayout({ view, pulse, now, actions, renderKudos, top, bottom, demo }: LayoutProps) {
  return (
    <div class="page newtab">
      {demo ? <DemoBanner onLeave={demo.onLeave} /> : null}
      <header class="top">
        {view.cycle ? <CycleHeader view={view.cycle} /> : <h1>{t('extName')}</h1>}
        <nav class="links" aria-label={t('navLabel')}>
          <a href="/popup.html">{t('checkIn')}</a>
          <a href="/options.html">{t('options')}</a>
        </nav>
      </header>
      <main>
        {top}
        <div class="columns">
          <div class="main-column">
            <GoalsList view={view} now={now} actions={actions} />
            {bottom}
          </div>
          <Pulse items={pulse} now={now} renderKudos={renderKudos} />
        </div>
      </main>
    </div>
  );
}

export function Pulse({ items, now, renderKudos }: { items: PulseItem[]; now: Date; renderKudos?: ((item: PulseItem) => ComponentChildren) | undefined }) {
  return (
    <aside class="pulse card" aria-labelledby="pulse-title">
      <h2 id="pulse-title">{t('teamPulse')}</h2>
      {items.length === 0 ? <p class="muted">{t('pulseEmpty')}</p> : null}
      <ul>
        {items.map((item) => (
          <li key={`${item.kind}:${item.id}`} class={`pulse-item pulse-${item.kind}`}>
            <p>
              <strong>{item.person?.name ?? t('someone')}</strong>{' '}
              {item.kind === 'check-in'
                ? t('pulseCheckIn', item.keyResult?.title ?? '…', item.keyResult && item.record.value !== undefined ? formatValue(item.keyResult, item.record.value) : '')
                : item.kind === 'comment'
                  ? t('pulseComment', item.record.text)
                  : (item.record.message ? t('pulseKudos', item.record.message) : t('pulseKudosPlain'))}
            </p>
            <p class="muted small">
              {relativeTime(item.at, now)}
              {item.source ? ` · ${new URL(item.source).host}` : ''}
            </p>
            {renderKudos?.(item)}
          </li>
        ))}
      </ul>
    </aside>
  );
}
