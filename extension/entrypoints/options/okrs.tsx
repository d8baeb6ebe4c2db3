// Options → OKRs: cycles, objectives (owner, type, visibility, parent) and key results (metric kind,
// start, target, unit, weight, milestones), each with field-level validation messages.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { presetCycle, nextPresetCycle, type Cycle, type KeyResult, type Metric, type Objective } from '../../../core/model/index.ts';
import { useAppState } from '../../state/app-state.ts';
import { cycleToShow } from '../../state/derive.ts';
import { previewDocument } from '../../state/preview.ts';
import { widgetTheme } from '../../lib/settings.ts';
import { t, uiLanguage } from '../../lib/i18n.ts';
import '../../components/okr-widgets.ts';
import { describeTarget, newId } from '../../lib/format.ts';
import { Field, validate, inputValue, numberOrUndefined, type FieldErrors } from './form.tsx';
import { ObjectiveHistory } from './history.tsx';

/** `open`: an objective to open in the editor at once (from the alignment view's `#objectives/<id>`). */
export function OkrSection({ open }: { open?: string | undefined } = {}) {
  const state = useAppState();
  const doc = state.document.value;
  const shown = cycleToShow(doc, state.now.value);
  const opened = open === undefined ? undefined : doc.objectives.find((o) => o.id === open);
  const [cycleId, setCycleId] = useState<string | undefined>(opened?.cycleId);
  const current = doc.cycles.find((c) => c.id === (cycleId ?? shown?.id));
  const [editing, setEditing] = useState<Objective | 'new' | null>(opened ?? (doc.objectives.length === 0 ? 'new' : null));
  const closeEditor = () => {
    setEditing(null);
    // Leave `#objectives/<id>` so a reload does not reopen what was just closed.
    if (location.hash.startsWith('#objectives/')) history.replaceState(null, '', '#objectives');
  };
  const objectives = doc.objectives.filter((o) => o.cycleId === current?.id);
  return (
    <section id="objectives" aria-labelledby="okr-title" class="stack">
      <h2 id="okr-title">{t('sectionOkrs')}</h2>
      <Cycles selected={current?.id} onSelect={setCycleId} />
      {current ? (
        <>
          <div class="row">
            <h3>{t('objectivesIn', current.name)}</h3>
            <button type="button" class="primary" onClick={() => setEditing('new')} id="new-objective">
              {t('newObjective')}
            </button>
          </div>
          {editing ? (
            <ObjectiveForm key={editing === 'new' ? 'new' : editing.id} initial={editing === 'new' ? undefined : editing} cycle={current} onDone={closeEditor} focus={editing !== 'new' && editing === opened} />
          ) : null}
          <ul class="objective-list">
            {objectives.map((o) => (
              <li key={o.id} class="card" data-objective={o.id}>
                <div class="row">
                  <strong class="grow">{o.title}</strong>
                  <span class="muted">
                    {t(o.type === 'committed' ? 'typeCommitted' : 'typeAspirational')} · {t(`visibility_${o.visibility}`)} · {ownerName(doc, o)}
                  </span>
                  <button type="button" onClick={() => setEditing(o)} aria-label={t('editNamed', o.title)}>
                    {t('edit')}
                  </button>
                  <button type="button" onClick={() => confirm(t('confirmDelete', o.title)) && void state.actions.remove('objectives', o.id)} aria-label={t('deleteNamed', o.title)}>
                    {t('delete')}
                  </button>
                </div>
                <KeyResults objective={o} />
              </li>
            ))}
          </ul>
          {objectives.length === 0 && !editing ? <p class="muted">{t('noObjectivesYet')}</p> : null}
        </>
      ) : (
        <p class="muted">{t('createCycleFirst')}</p>
      )}
    </section>
  );
}

function ownerName(doc: ReturnType<typeof useAppState>['document']['value'], o: Objective): string {
  if (o.owner.kind === 'person') return doc.people.find((p) => p.id === o.owner.id)?.name ?? o.owner.id;
  if (o.owner.kind === 'team') return doc.teams.find((p) => p.id === o.owner.id)?.name ?? o.owner.id;
  return t('ownerCompany');
}

function Cycles({ selected, onSelect }: { selected: string | undefined; onSelect: (id: string) => void }) {
  const state = useAppState();
  const doc = state.document.value;
  const [draft, setDraft] = useState<Cycle | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const today = state.now.value;
  const last = [...doc.cycles].sort((a, b) => (a.end < b.end ? 1 : -1))[0];
  const suggestions = [presetCycle('quarter', today), last ? nextPresetCycle('quarter', last) : nextPresetCycle('quarter', presetCycle('quarter', today)), presetCycle('half', today), presetCycle('year', today)].filter(
    (c, i, all) => !doc.cycles.some((d) => d.id === c.id) && all.findIndex((x) => x.id === c.id) === i,
  );

  async function save(e: Event) {
    e.preventDefault();
    if (!draft) return;
    const r = validate('cycles', draft);
    if (!r.ok) return setErrors(r.errors);
    await state.actions.saveCycle(r.value);
    onSelect(r.value.id);
    setDraft(null);
    setErrors({});
  }

  return (
    <div class="cycles card" aria-labelledby="cycles-title">
      <h3 id="cycles-title">{t('cycles')}</h3>
      <div class="row" role="group" aria-label={t('cycles')}>
        {[...doc.cycles]
          .sort((a, b) => (a.start < b.start ? -1 : 1))
          .map((c) => (
            <button key={c.id} type="button" aria-pressed={selected === c.id ? 'true' : 'false'} onClick={() => onSelect(c.id)}>
              {c.name}
            </button>
          ))}
      </div>
      <div class="row">
        {suggestions.map((c) => (
          <button
            key={c.id}
            type="button"
            onClick={async () => {
              await state.actions.saveCycle(c);
              onSelect(c.id);
            }}
          >
            {t('addCycle', c.name)}
          </button>
        ))}
        <button type="button" onClick={() => setDraft({ id: newId('cy'), name: '', start: today.toISOString().slice(0, 10), end: '' })}>
          {t('customCycle')}
        </button>
      </div>
      {draft ? (
        <form onSubmit={save} class="row form-row" aria-label={t('customCycle')} noValidate>
          <Field id="cycle-name" label={t('name')} error={errors.name}>
            {(a) => <input {...a} value={draft.name} onInput={(e) => setDraft({ ...draft, name: inputValue(e) })} />}
          </Field>
          <Field id="cycle-start" label={t('start')} error={errors.start}>
            {(a) => <input {...a} type="date" value={draft.start} onInput={(e) => setDraft({ ...draft, start: inputValue(e) })} />}
          </Field>
          <Field id="cycle-end" label={t('end')} error={errors.end}>
            {(a) => <input {...a} type="date" value={draft.end} onInput={(e) => setDraft({ ...draft, end: inputValue(e) })} />}
          </Field>
          <button type="submit" class="primary">
            {t('save')}
          </button>
          <button type="button" onClick={() => setDraft(null)}>
            {t('cancel')}
          </button>
        </form>
      ) : null}
    </div>
  );
}

function ObjectiveForm({ initial, cycle, onDone, focus = false }: { initial?: Objective | undefined; cycle: Cycle; onDone: () => void; focus?: boolean }) {
  const state = useAppState();
  const doc = state.document.value;
  const me = state.me.value;
  const at = new Date().toISOString();
  const [o, setO] = useState<Objective>(
    initial ?? {
      id: newId('ob'),
      cycleId: cycle.id,
      title: '',
      owner: { kind: 'person', id: me ?? doc.people[0]?.id ?? '' },
      type: 'committed',
      visibility: 'public',
      state: 'active',
      rollup: 'key-results',
      createdAt: at,
      updatedAt: at,
    },
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (patch: Partial<Objective>) => setO({ ...o, ...patch });
  // The card the intranet will show, drawn from the document as it would be once this draft is saved.
  const preview = useMemo(() => previewDocument(doc, o, t('cardPreviewUntitled')), [doc, o]);
  const [form, setForm] = useState<HTMLFormElement | null>(null);
  const [focused, setFocused] = useState(false);
  useEffect(() => {
    // Opened from the alignment view: bring the editor into view and put the caret in the title, once.
    if (!focus || focused || !form) return;
    setFocused(true);
    form.scrollIntoView({ block: 'start' });
    form.querySelector<HTMLInputElement>('#objective-title')?.focus({ preventScroll: true });
  }, [form]);
  const owners = o.owner.kind === 'person' ? doc.people : o.owner.kind === 'team' ? doc.teams : [{ id: doc.teams.find((x) => !x.parentId)?.id ?? 'company', name: t('ownerCompany') }];
  const parents = doc.objectives.filter((p) => p.id !== o.id);

  async function save(e: Event) {
    e.preventDefault();
    const candidate = { ...o, description: o.description?.trim() || undefined, parentId: o.parentId || undefined };
    const r = validate('objectives', candidate);
    if (!r.ok) return setErrors(r.errors);
    try {
      await state.actions.saveObjective(r.value);
      setErrors({});
      onDone();
    } catch (err) {
      setErrors({ _form: (err as Error).message });
    }
  }

  return (
    <form ref={setForm} class="card objective-form" onSubmit={save} aria-labelledby="objective-form-title" noValidate>
      <h4 id="objective-form-title">{initial ? t('editObjective') : t('newObjective')}</h4>
      <div class="objective-editor">
      <div class="objective-fields">
      <Field id="objective-title" label={t('objectiveTitle')} error={errors.title} hint={t('objectiveTitleHint')}>
        {(a) => <input {...a} class="wide" value={o.title} onInput={(e) => set({ title: inputValue(e) })} />}
      </Field>
      <Field id="objective-description" label={t('descriptionOptional')} error={errors.description}>
        {(a) => <textarea {...a} rows={2} value={o.description ?? ''} onInput={(e) => set({ description: inputValue(e) })} />}
      </Field>
      <div class="row form-row">
        <Field id="objective-owner-kind" label={t('ownerKind')} error={errors['owner.kind']}>
          {(a) => (
            <select
              {...a}
              value={o.owner.kind}
              onChange={(e) => {
                const kind = inputValue(e) as Objective['owner']['kind'];
                const id = kind === 'person' ? (me ?? doc.people[0]?.id ?? '') : kind === 'team' ? (doc.teams[0]?.id ?? '') : (doc.teams.find((x) => !x.parentId)?.id ?? 'company');
                set({ owner: { kind, id } });
              }}
            >
              <option value="person">{t('ownerPerson')}</option>
              <option value="team">{t('ownerTeam')}</option>
              <option value="company">{t('ownerCompany')}</option>
            </select>
          )}
        </Field>
        <Field id="objective-owner" label={t('owner')} error={errors['owner.id']}>
          {(a) => (
            <select {...a} value={o.owner.id} onChange={(e) => set({ owner: { ...o.owner, id: inputValue(e) } })}>
              {owners.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="objective-type" label={t('type')} error={errors.type}>
          {(a) => (
            <select {...a} value={o.type} onChange={(e) => set({ type: inputValue(e) as Objective['type'] })}>
              <option value="committed">{t('typeCommitted')}</option>
              <option value="aspirational">{t('typeAspirational')}</option>
            </select>
          )}
        </Field>
        <Field id="objective-visibility" label={t('visibility')} error={errors.visibility}>
          {(a) => (
            <select {...a} value={o.visibility} onChange={(e) => set({ visibility: inputValue(e) as Objective['visibility'] })}>
              <option value="public">{t('visibility_public')}</option>
              <option value="team">{t('visibility_team')}</option>
              <option value="private">{t('visibility_private')}</option>
            </select>
          )}
        </Field>
        <Field id="objective-state" label={t('state')} error={errors.state}>
          {(a) => (
            <select {...a} value={o.state} onChange={(e) => set({ state: inputValue(e) as Objective['state'] })}>
              <option value="draft">{t('state_draft')}</option>
              <option value="active">{t('state_active')}</option>
              <option value="closed">{t('state_closed')}</option>
            </select>
          )}
        </Field>
      </div>
      <div class="row form-row">
        <Field id="objective-parent" label={t('alignsTo')} error={errors.parentId}>
          {(a) => (
            <select {...a} value={o.parentId ?? ''} onChange={(e) => set({ parentId: inputValue(e) || undefined })}>
              <option value="">{t('noParent')}</option>
              {parents.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.title}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="objective-rollup" label={t('rollup')} error={errors.rollup}>
          {(a) => (
            <select {...a} value={o.rollup} onChange={(e) => set({ rollup: inputValue(e) as Objective['rollup'] })}>
              <option value="key-results">{t('rollup_kr')}</option>
              <option value="children">{t('rollup_children')}</option>
              <option value="both">{t('rollup_both')}</option>
            </select>
          )}
        </Field>
      </div>
      </div>
      <aside class="card-preview" aria-labelledby="objective-preview-title">
        <h5 id="objective-preview-title">{t('cardPreviewTitle')}</h5>
        <p class="muted small">{t('cardPreviewHint')}</p>
        <candor-objective document={preview} objective-id={o.id} locale={uiLanguage()} theme={widgetTheme(state.settings.value.theme)} />
      </aside>
      </div>
      {initial ? <ObjectiveHistory objectiveId={initial.id} /> : null}
      {errors._form ? (
        <p class="field-error" role="alert">
          {errors._form}
        </p>
      ) : null}
      <div class="row">
        <button type="submit" class="primary">
          {t('saveObjective')}
        </button>
        <button type="button" onClick={onDone}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

function KeyResults({ objective }: { objective: Objective }) {
  const state = useAppState();
  const krs = state.document.value.keyResults.filter((k) => k.objectiveId === objective.id).sort((a, b) => a.order - b.order);
  const [editing, setEditing] = useState<KeyResult | 'new' | null>(null);
  return (
    <div class="key-results">
      <ul>
        {krs.map((k) => (
          <li key={k.id} class="row" data-kr={k.id}>
            <span class="grow">{k.title}</span>
            <span class="muted">{describeTarget(k)}</span>
            <button type="button" onClick={() => setEditing(k)} aria-label={t('editNamed', k.title)}>
              {t('edit')}
            </button>
            <button type="button" onClick={() => confirm(t('confirmDelete', k.title)) && void state.actions.remove('keyResults', k.id)} aria-label={t('deleteNamed', k.title)}>
              {t('delete')}
            </button>
          </li>
        ))}
      </ul>
      {editing ? (
        <KeyResultForm key={editing === 'new' ? 'new' : editing.id} objective={objective} initial={editing === 'new' ? undefined : editing} order={krs.length} onDone={() => setEditing(null)} />
      ) : (
        <button type="button" class="add-kr" onClick={() => setEditing('new')} aria-label={t('addKeyResultTo', objective.title)}>
          {t('addKeyResult')}
        </button>
      )}
    </div>
  );
}

type MetricDraft = { kind: Metric['kind']; start: string; target: string; threshold: string; unit: string; format: string; currency: string; items: { id: string; title: string; weight: string }[] };

function metricDraft(m: Metric | undefined): MetricDraft {
  const d: MetricDraft = { kind: m?.kind ?? 'increase', start: '0', target: '', threshold: '', unit: '', format: 'number', currency: '', items: [{ id: newId('ms'), title: '', weight: '' }] };
  if (!m) return d;
  if (m.kind === 'increase' || m.kind === 'decrease') Object.assign(d, { start: String(m.start), target: String(m.target), unit: m.unit ?? '', format: m.format ?? 'number', currency: m.currency ?? '' });
  if (m.kind === 'maintain-above' || m.kind === 'maintain-below') Object.assign(d, { threshold: String(m.threshold), unit: m.unit ?? '' });
  if (m.kind === 'milestones') d.items = m.items.map((i) => ({ id: i.id, title: i.title, weight: i.weight === undefined ? '' : String(i.weight) }));
  return d;
}

function metricFrom(d: MetricDraft): unknown {
  const unit = d.unit.trim() || undefined;
  switch (d.kind) {
    case 'increase':
    case 'decrease':
      return { kind: d.kind, start: numberOrUndefined(d.start), target: numberOrUndefined(d.target), unit, format: d.format === 'number' ? undefined : d.format, currency: d.format === 'currency' ? d.currency.trim().toUpperCase() : undefined };
    case 'maintain-above':
    case 'maintain-below':
      return { kind: d.kind, threshold: numberOrUndefined(d.threshold), unit };
    case 'milestones':
      return { kind: 'milestones', items: d.items.filter((i) => i.title.trim()).map((i) => ({ id: i.id, title: i.title, weight: numberOrUndefined(i.weight) })) };
    case 'boolean':
      return { kind: 'boolean' };
  }
}

function KeyResultForm({ objective, initial, order, onDone }: { objective: Objective; initial?: KeyResult | undefined; order: number; onDone: () => void }) {
  const state = useAppState();
  const doc = state.document.value;
  const [title, setTitle] = useState(initial?.title ?? '');
  const [ownerId, setOwnerId] = useState(initial?.ownerId ?? '');
  const [weight, setWeight] = useState(String(initial?.weight ?? 1));
  const [m, setM] = useState<MetricDraft>(metricDraft(initial?.metric));
  const [errors, setErrors] = useState<FieldErrors>({});
  const id = initial?.id ?? 'new';
  const f = (name: string) => `kr-${id}-${name}`;

  async function save(e: Event) {
    e.preventDefault();
    const candidate = { ...(initial ?? {}), id: initial?.id ?? newId('kr'), objectiveId: objective.id, title, ownerId: ownerId || undefined, weight: numberOrUndefined(weight) ?? 1, order: initial?.order ?? order, metric: metricFrom(m) };
    const r = validate('keyResults', candidate);
    if (!r.ok) return setErrors(r.errors);
    try {
      await state.actions.saveKeyResult(r.value);
      setErrors({});
      onDone();
    } catch (err) {
      setErrors({ _form: (err as Error).message });
    }
  }

  const numericProgress = m.kind === 'increase' || m.kind === 'decrease';
  const maintain = m.kind === 'maintain-above' || m.kind === 'maintain-below';
  return (
    <form class="kr-form card" onSubmit={save} aria-label={initial ? t('editNamed', initial.title) : t('addKeyResultTo', objective.title)} noValidate>
      <Field id={f('title')} label={t('keyResultTitle')} error={errors.title} hint={t('keyResultTitleHint')}>
        {(a) => <input {...a} class="wide" value={title} onInput={(e) => setTitle(inputValue(e))} />}
      </Field>
      <div class="row form-row">
        <Field id={f('kind')} label={t('metricKind')} error={errors['metric.kind']}>
          {(a) => (
            <select {...a} value={m.kind} onChange={(e) => setM({ ...m, kind: inputValue(e) as Metric['kind'] })}>
              <option value="increase">{t('metric_increase')}</option>
              <option value="decrease">{t('metric_decrease')}</option>
              <option value="maintain-above">{t('metric_maintainAbove')}</option>
              <option value="maintain-below">{t('metric_maintainBelow')}</option>
              <option value="milestones">{t('metric_milestones')}</option>
              <option value="boolean">{t('metric_boolean')}</option>
            </select>
          )}
        </Field>
        {numericProgress ? (
          <>
            <Field id={f('start')} label={t('start')} error={errors['metric.start']}>
              {(a) => <input {...a} inputMode="decimal" size={8} value={m.start} onInput={(e) => setM({ ...m, start: inputValue(e) })} />}
            </Field>
            <Field id={f('target')} label={t('target')} error={errors['metric.target']}>
              {(a) => <input {...a} inputMode="decimal" size={8} value={m.target} onInput={(e) => setM({ ...m, target: inputValue(e) })} />}
            </Field>
            <Field id={f('format')} label={t('numberFormat')} error={errors['metric.format']}>
              {(a) => (
                <select {...a} value={m.format} onChange={(e) => setM({ ...m, format: inputValue(e) })}>
                  <option value="number">{t('format_number')}</option>
                  <option value="percent">{t('format_percent')}</option>
                  <option value="currency">{t('format_currency')}</option>
                </select>
              )}
            </Field>
            {m.format === 'currency' ? (
              <Field id={f('currency')} label={t('currency')} error={errors['metric.currency']}>
                {(a) => <input {...a} size={4} maxLength={3} value={m.currency} onInput={(e) => setM({ ...m, currency: inputValue(e) })} />}
              </Field>
            ) : null}
          </>
        ) : null}
        {maintain ? (
          <Field id={f('threshold')} label={t('threshold')} error={errors['metric.threshold']}>
            {(a) => <input {...a} inputMode="decimal" size={8} value={m.threshold} onInput={(e) => setM({ ...m, threshold: inputValue(e) })} />}
          </Field>
        ) : null}
        {numericProgress || maintain ? (
          <Field id={f('unit')} label={t('unitOptional')} error={errors['metric.unit']}>
            {(a) => <input {...a} size={8} value={m.unit} onInput={(e) => setM({ ...m, unit: inputValue(e) })} />}
          </Field>
        ) : null}
        <Field id={f('weight')} label={t('weight')} error={errors.weight}>
          {(a) => <input {...a} inputMode="decimal" size={4} value={weight} onInput={(e) => setWeight(inputValue(e))} />}
        </Field>
        <Field id={f('owner')} label={t('krOwner')} error={errors.ownerId}>
          {(a) => (
            <select {...a} value={ownerId} onChange={(e) => setOwnerId(inputValue(e))}>
              <option value="">{t('sameAsObjective')}</option>
              {doc.people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {m.kind === 'milestones' ? (
        <fieldset class="milestones-edit">
          <legend>{t('milestones')}</legend>
          {errors['metric.items'] ? <p class="field-error">{errors['metric.items']}</p> : null}
          {m.items.map((item, i) => (
            <div class="row" key={item.id}>
              <Field id={f(`ms-${i}`)} label={t('milestoneN', i + 1)} error={errors[`metric.items.${i}.title`]}>
                {(a) => <input {...a} value={item.title} onInput={(e) => setM({ ...m, items: m.items.map((x, j) => (j === i ? { ...x, title: inputValue(e) } : x)) })} />}
              </Field>
              <Field id={f(`msw-${i}`)} label={t('weightOptional')} error={errors[`metric.items.${i}.weight`]}>
                {(a) => <input {...a} inputMode="decimal" size={4} value={item.weight} onInput={(e) => setM({ ...m, items: m.items.map((x, j) => (j === i ? { ...x, weight: inputValue(e) } : x)) })} />}
              </Field>
              <button type="button" onClick={() => setM({ ...m, items: m.items.filter((_, j) => j !== i) })} aria-label={t('removeMilestone', i + 1)}>
                ✕
              </button>
            </div>
          ))}
          <button type="button" onClick={() => setM({ ...m, items: [...m.items, { id: newId('ms'), title: '', weight: '' }] })}>
            {t('addMilestone')}
          </button>
        </fieldset>
      ) : null}
      {errors._form || errors.metric ? (
        <p class="field-error" role="alert">
          {errors._form ?? errors.metric}
        </p>
      ) : null}
      <div class="row">
        <button type="submit" class="primary">
          {t('saveKeyResult')}
        </button>
        <button type="button" onClick={onDone}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
