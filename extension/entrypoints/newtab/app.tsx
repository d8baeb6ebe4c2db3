// The full new-tab app, loaded after the first paint: live state, check-ins, kudos, reflection,
// celebration and the first-run state.
import { render } from 'preact';
import { useState, useEffect } from 'preact/hooks';
import { nextPresetCycle, type Cycle } from '../../../core/model/index.ts';
import { AppStateContext, useAppState, type AppState } from '../../state/app-state.ts';
import { unfinished, type ObjectiveView, type PulseItem } from '../../state/derive.ts';
import { NewTabLayout } from './layout.tsx';
import { t } from '../../lib/i18n.ts';
import { formatScore } from '../../lib/format.ts';
import { openApp, FirstRun, SyncBadge, DemoNotice, backToMine } from '../../components/shell.tsx';
import type { GoalsActions } from '../../components/goals.tsx';
import '../../components/widgets.ts';
import { uiLanguage } from '../../lib/i18n.ts';
import { widgetTheme } from '../../lib/settings.ts';

export async function start(root: HTMLElement): Promise<AppState> {
  const state = await openApp({ page: 'newtab' });
  render(
    <AppStateContext.Provider value={state}>
      <NewTab />
    </AppStateContext.Provider>,
    root,
  );
  if (!state.isEmpty.value) performance.mark('candor:app-ready');
  return state;
}

function NewTab() {
  const state = useAppState();
  const view = state.goals.value;
  const now = state.now.value;
  useEffect(() => {
    const timer = setInterval(() => state.actions.tick(), 60_000);
    return () => clearInterval(timer);
  }, [state]);

  if (!state.me.value || view.objectives.length === 0) {
    return (
      <div class="page newtab">
        <DemoNotice />
        <FirstRun />
      </div>
    );
  }
  const actions: GoalsActions = {
    checkIn: async (draft) => {
      await state.actions.checkIn(draft);
    },
    milestonesDone: (id) => state.milestonesDone.value.get(id)?.milestonesDone ?? [],
    renderKeyResultExtra: (kr) =>
      kr.verdict.history.length > 1 ? (
        <candor-sparkline
          class="history"
          values={kr.verdict.history.map((h) => h.progress)}
          min={0}
          max={Math.max(1, ...kr.verdict.history.map((h) => h.progress))}
          label={t('historyOf', kr.keyResult.title)}
          locale={uiLanguage()}
          theme={widgetTheme(state.settings.value.theme)}
        />
      ) : null,
  };
  return (
    <NewTabLayout
      view={view}
      pulse={state.teamPulse.value}
      now={now}
      actions={actions}
      renderKudos={(item) => <KudosButton item={item} />}
      demo={state.demo.value ? { onLeave: () => void backToMine(state) } : undefined}
      top={
        <>
          <SyncBadge />
          <Celebration />
          {view.cycle?.ended ? <Reflection objectives={view.objectives} cycle={view.cycle.cycle} /> : null}
        </>
      }
    />
  );
}

function KudosButton({ item }: { item: PulseItem }) {
  const state = useAppState();
  const me = state.me.value;
  const given = state.document.value.kudos.some((k) => k.fromId === me && (k.target.id === item.id || (item.kind === 'kudos' && k.toIds.includes(item.record.fromId) && k.at > item.at)));
  const [busy, setBusy] = useState(false);
  if (item.kind === 'kudos' || item.source) return null; // kudos on kudos is noise; feeds are read-only
  const name = item.person?.name ?? t('someone');
  return (
    <button
      type="button"
      class="kudos-button"
      aria-pressed={given ? 'true' : 'false'}
      disabled={given || busy}
      onClick={async () => {
        setBusy(true);
        try {
          await state.actions.giveKudos(item);
        } finally {
          setBusy(false);
        }
      }}
    >
      {given ? t('kudosGiven') : t('giveKudosTo', name)}
    </button>
  );
}

/** A small, respectful moment when a key result reaches its target. Motion only without reduced motion. */
function Celebration() {
  const state = useAppState();
  const items = state.toCelebrate.value;
  useEffect(() => {
    if (!items.length) return;
    const timer = setTimeout(() => void state.actions.markCelebrated(items.map((k) => k.keyResult.id)), 12_000);
    return () => clearTimeout(timer);
  }, [items.map((k) => k.keyResult.id).join()]);
  if (!items.length) return null;
  return (
    <div class="celebration card" role="status">
      <span class="confetti" aria-hidden="true">
        <span>✦</span>
        <span>✧</span>
        <span>✦</span>
      </span>
      <p>{items.length === 1 ? t('celebrateOne', items[0]!.keyResult.title) : t('celebrateMany', items.length)}</p>
      <button type="button" onClick={() => void state.actions.markCelebrated(items.map((k) => k.keyResult.id))}>
        {t('thanks')}
      </button>
    </div>
  );
}

/** End of cycle: one reflection per objective, framed as learning; then roll unfinished ones over. */
function Reflection({ objectives, cycle }: { objectives: ObjectiveView[]; cycle: Cycle }) {
  const state = useAppState();
  const doc = state.document.value;
  const open = unfinished(state.goals.value).filter((o) => o.objective.state !== 'closed');
  const [chosen, setChosen] = useState<Set<string>>(new Set(open.map((o) => o.objective.id)));
  const [rolled, setRolled] = useState('');
  const next = doc.cycles.filter((c) => c.start > cycle.end).sort((a, b) => (a.start < b.start ? -1 : 1))[0] ?? nextPresetCycle('quarter', cycle);
  return (
    <section class="reflection card" aria-labelledby="reflect-title">
      <h2 id="reflect-title">{t('reflectTitle', cycle.name)}</h2>
      <p class="muted">{t('reflectIntro')}</p>
      {objectives.map((o) => (o.reflected ? <p key={o.objective.id}>✓ {t('reflected', o.objective.title)}</p> : <ReflectionForm key={o.objective.id} o={o} />))}
      {open.length ? (
        <form
          class="rollover"
          onSubmit={async (e) => {
            e.preventDefault();
            await state.actions.rollOver([...chosen], next);
            setRolled(t('rolledOver', chosen.size, next.name));
          }}
        >
          <fieldset>
            <legend>{t('rollOverTitle', next.name)}</legend>
            {open.map((o) => (
              <label key={o.objective.id} class="check">
                <input
                  type="checkbox"
                  checked={chosen.has(o.objective.id)}
                  onChange={(e) => {
                    const s = new Set(chosen);
                    if ((e.target as HTMLInputElement).checked) s.add(o.objective.id);
                    else s.delete(o.objective.id);
                    setChosen(s);
                  }}
                />
                {o.objective.title} <span class="muted">({formatScore(o.verdict.score)})</span>
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={chosen.size === 0}>
            {t('rollOver')}
          </button>
        </form>
      ) : null}
      {rolled ? <p role="status">{rolled}</p> : null}
    </section>
  );
}

function ReflectionForm({ o }: { o: ObjectiveView }) {
  const state = useAppState();
  const [fields, setFields] = useState({ wentWell: '', learned: '', nextTime: '' });
  const id = `rf-${o.objective.id}`;
  const set = (k: keyof typeof fields) => (e: Event) => setFields({ ...fields, [k]: (e.target as HTMLTextAreaElement).value });
  return (
    <form
      class="reflection-form"
      aria-labelledby={`${id}-title`}
      onSubmit={async (e) => {
        e.preventDefault();
        await state.actions.reflect(o.objective.id, o.verdict.score, fields);
      }}
    >
      <h3 id={`${id}-title`}>
        {o.objective.title} <span class="muted">· {t('score')} {formatScore(o.verdict.score)}</span>
      </h3>
      {o.verdict.flaggedForReflection ? <p class="muted">{t('reflectBelowExpectation')}</p> : null}
      <label for={`${id}-well`}>{t('wentWell')}</label>
      <textarea id={`${id}-well`} rows={2} value={fields.wentWell} onInput={set('wentWell')} />
      <label for={`${id}-learned`}>{t('learned')}</label>
      <textarea id={`${id}-learned`} rows={2} value={fields.learned} onInput={set('learned')} />
      <label for={`${id}-next`}>{t('nextTime')}</label>
      <textarea id={`${id}-next`} rows={2} value={fields.nextTime} onInput={set('nextTime')} />
      <button type="submit">{t('saveReflection')}</button>
    </form>
  );
}
