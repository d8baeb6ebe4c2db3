// Options → people and teams, and my identity.
import { useState } from 'preact/hooks';
import type { Person, Team } from '../../../core/model/index.ts';
import { useAppState } from '../../state/app-state.ts';
import { t } from '../../lib/i18n.ts';
import { newId } from '../../lib/format.ts';
import { withMe } from '../../lib/settings.ts';
import { Field, validate, inputValue, type FieldErrors } from './form.tsx';

export function IdentitySection() {
  const state = useAppState();
  const people = state.document.value.people;
  const me = state.me.value ?? '';
  const [saved, setSaved] = useState('');
  return (
    <section id="identity" aria-labelledby="identity-title" class="card stack">
      <h2 id="identity-title">{t('sectionIdentity')}</h2>
      <p class="muted">{t('identityIntro')}</p>
      <Field id="me" label={t('iAm')}>
        {(a) => (
          <select
            {...a}
            value={me}
            onChange={async (e) => {
              const id = inputValue(e);
              await state.actions.persistSettings(withMe(state.settings.value, id || undefined));
              setSaved(t('saved'));
            }}
          >
            <option value="">{t('nobodyYet')}</option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.email ? ` <${p.email}>` : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      {saved ? <p role="status">{saved}</p> : null}
    </section>
  );
}

export function PeopleSection() {
  const state = useAppState();
  const doc = state.document.value;
  const [person, setPerson] = useState<Person | null>(null);
  const [team, setTeam] = useState<Team | null>(null);
  return (
    <section id="people" aria-labelledby="people-title" class="stack">
      <h2 id="people-title">{t('sectionPeople')}</h2>
      <div class="card">
        <div class="row">
          <h3 class="grow">{t('people')}</h3>
          <button type="button" onClick={() => setPerson({ id: newId('p'), name: '', teamIds: [] })}>
            {t('addPerson')}
          </button>
        </div>
        {person ? <PersonForm key={person.id} initial={person} onDone={() => setPerson(null)} /> : null}
        <ul>
          {doc.people.map((p) => (
            <li key={p.id} class="row">
              <span class="grow">
                {p.name} <span class="muted">{p.teamIds.map((id) => doc.teams.find((x) => x.id === id)?.name ?? id).join(', ')}</span>
              </span>
              <button type="button" onClick={() => setPerson(p)} aria-label={t('editNamed', p.name)}>
                {t('edit')}
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div class="card">
        <div class="row">
          <h3 class="grow">{t('teams')}</h3>
          <button type="button" onClick={() => setTeam({ id: newId('t'), name: '', leadIds: [] })}>
            {t('addTeam')}
          </button>
        </div>
        {team ? <TeamForm key={team.id} initial={team} onDone={() => setTeam(null)} /> : null}
        <ul>
          {doc.teams.map((x) => (
            <li key={x.id} class="row">
              <span class="grow">
                {x.name} {x.parentId ? <span class="muted">← {doc.teams.find((p) => p.id === x.parentId)?.name}</span> : null}
              </span>
              <button type="button" onClick={() => setTeam(x)} aria-label={t('editNamed', x.name)}>
                {t('edit')}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

function PersonForm({ initial, onDone }: { initial: Person; onDone: () => void }) {
  const state = useAppState();
  const teams = state.document.value.teams;
  const [p, setP] = useState<Person>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  async function save(e: Event) {
    e.preventDefault();
    const r = validate('people', { ...p, email: p.email?.trim() || undefined, timeZone: p.timeZone?.trim() || undefined });
    if (!r.ok) return setErrors(r.errors);
    await state.actions.savePerson(r.value);
    onDone();
  }
  return (
    <form onSubmit={save} class="stack" aria-label={t('addPerson')} noValidate>
      <div class="row form-row">
        <Field id="person-name" label={t('name')} error={errors.name}>
          {(a) => <input {...a} value={p.name} onInput={(e) => setP({ ...p, name: inputValue(e) })} />}
        </Field>
        <Field id="person-email" label={t('emailOptional')} error={errors.email}>
          {(a) => <input {...a} type="email" value={p.email ?? ''} onInput={(e) => setP({ ...p, email: inputValue(e) })} />}
        </Field>
        <Field id="person-tz" label={t('timeZoneOptional')} error={errors.timeZone} hint={t('timeZoneHint')}>
          {(a) => <input {...a} value={p.timeZone ?? ''} placeholder={Intl.DateTimeFormat().resolvedOptions().timeZone} onInput={(e) => setP({ ...p, timeZone: inputValue(e) })} />}
        </Field>
      </div>
      {teams.length ? (
        <fieldset>
          <legend>{t('teams')}</legend>
          {teams.map((x) => (
            <label key={x.id} class="check">
              <input
                type="checkbox"
                checked={p.teamIds.includes(x.id)}
                onChange={(e) => setP({ ...p, teamIds: (e.target as HTMLInputElement).checked ? [...p.teamIds, x.id] : p.teamIds.filter((id) => id !== x.id) })}
              />
              {x.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      <div class="row">
        <button type="submit" class="primary">
          {t('save')}
        </button>
        <button type="button" onClick={onDone}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

function TeamForm({ initial, onDone }: { initial: Team; onDone: () => void }) {
  const state = useAppState();
  const doc = state.document.value;
  const [team, setTeam] = useState<Team>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  async function save(e: Event) {
    e.preventDefault();
    const r = validate('teams', { ...team, parentId: team.parentId || undefined });
    if (!r.ok) return setErrors(r.errors);
    try {
      await state.actions.saveTeam(r.value);
      onDone();
    } catch (err) {
      setErrors({ _form: (err as Error).message });
    }
  }
  return (
    <form onSubmit={save} class="row form-row" aria-label={t('addTeam')} noValidate>
      <Field id="team-name" label={t('name')} error={errors.name}>
        {(a) => <input {...a} value={team.name} onInput={(e) => setTeam({ ...team, name: inputValue(e) })} />}
      </Field>
      <Field id="team-parent" label={t('parentTeam')} error={errors.parentId}>
        {(a) => (
          <select {...a} value={team.parentId ?? ''} onChange={(e) => setTeam({ ...team, parentId: inputValue(e) || undefined })}>
            <option value="">{t('noParent')}</option>
            {doc.teams
              .filter((x) => x.id !== team.id)
              .map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
          </select>
        )}
      </Field>
      <Field id="team-lead" label={t('teamLead')} error={errors.leadIds}>
        {(a) => (
          <select {...a} value={team.leadIds[0] ?? ''} onChange={(e) => setTeam({ ...team, leadIds: inputValue(e) ? [inputValue(e)] : [] })}>
            <option value="">{t('nobodyYet')}</option>
            {doc.people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      {errors._form ? <p class="field-error">{errors._form}</p> : null}
      <button type="submit" class="primary">
        {t('save')}
      </button>
      <button type="button" onClick={onDone}>
        {t('cancel')}
      </button>
    </form>
  );
}
