// Options → team feeds, team server, reminders, appearance.
import { useState } from 'preact/hooks';
import * as z from 'zod/mini';
import { useAppState } from '../../state/app-state.ts';
import { t, type MessageKey } from '../../lib/i18n.ts';
import { ZReminders, ZServer, THEMES, type Reminders, type Theme } from '../../lib/settings.ts';
import { tellWorker } from '../../lib/messages.ts';
import { followFeed, requestFeedPermission, unfollowFeed, refreshFeeds } from '../../lib/feeds.ts';
import { connectServer, disconnectServer } from '../../lib/sync.ts';
import { relativeTime } from '../../lib/format.ts';
import { SyncBadge } from '../../components/shell.tsx';
import { Field, inputValue, issuesToFields, type FieldErrors } from './form.tsx';
import { fromZodIssues } from '../../../core/model/index.ts';

export function FeedsSection() {
  const state = useAppState();
  const feeds = state.settings.value.feeds;
  const [url, setUrl] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  function follow(e: Event) {
    e.preventDefault();
    let target: URL;
    try {
      target = new URL(url.trim());
      if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error();
    } catch {
      setError(t('errorFeedUrl'));
      return;
    }
    setBusy(true);
    setError('');
    // The permission request must be the first thing in the gesture: no await before it.
    requestFeedPermission(target.href)
      .then(async (granted) => {
        if (!granted) throw new Error(t('errorPermissionRefused', target.origin));
        await followFeed(target.href);
        setUrl('');
      })
      .catch((err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  }

  return (
    <section id="feeds" aria-labelledby="feeds-title" class="card stack">
      <h2 id="feeds-title">{t('sectionFeeds')}</h2>
      <p class="muted">{t('feedsIntro')}</p>
      <form onSubmit={follow} class="row form-row" noValidate>
        <Field id="feed-url" label={t('feedUrl')} error={error}>
          {(a) => <input {...a} type="url" class="wide" placeholder="https://okr.example.com/v1/document" value={url} onInput={(e) => setUrl(inputValue(e))} />}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {t('follow')}
        </button>
      </form>
      <ul>
        {feeds.map((f) => (
          <li key={f.url} class="row">
            <span class="grow">
              <strong>{f.name ?? f.url}</strong> <span class="muted">{f.url}</span>
              {f.error ? <span class="field-error"> {f.error}</span> : f.lastFetchedAt ? <span class="muted"> · {relativeTime(f.lastFetchedAt, new Date())}</span> : null}
            </span>
            <button type="button" onClick={() => void unfollowFeed(f.url)} aria-label={t('unfollowNamed', f.name ?? f.url)}>
              {t('unfollow')}
            </button>
          </li>
        ))}
      </ul>
      {feeds.length ? (
        <button type="button" onClick={() => void refreshFeeds()}>
          {t('refreshNow')}
        </button>
      ) : null}
    </section>
  );
}

export function ServerSection() {
  const state = useAppState();
  const current = state.settings.value.server;
  const [url, setUrl] = useState(current?.url ?? '');
  const [token, setToken] = useState(current?.token ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});

  function connect(e: Event) {
    e.preventDefault();
    const parsed = z.safeParse(ZServer, { url: url.trim(), token: token.trim() });
    if (!parsed.success) return setErrors(issuesToFields(fromZodIssues(parsed.error.issues, { url, token })));
    setErrors({});
    // A WebSocket needs no host permission: nothing more is asked for.
    connectServer(state, parsed.data).catch((err: Error) => setErrors({ _form: err.message }));
  }

  return (
    <section id="server" aria-labelledby="server-title" class="card stack">
      <h2 id="server-title">{t('sectionServer')}</h2>
      <p class="muted">{t('serverIntro')}</p>
      {state.demo.value ? <p class="notice">{t('demoServerPaused')}</p> : null}
      <SyncBadge />
      <form hidden={state.demo.value} onSubmit={connect} class="row form-row" noValidate>
        <Field id="server-url" label={t('serverUrl')} error={errors.url}>
          {(a) => <input {...a} type="url" class="wide" placeholder="https://okr.example.com" value={url} onInput={(e) => setUrl(inputValue(e))} />}
        </Field>
        <Field id="server-token" label={t('serverToken')} error={errors.token}>
          {(a) => <input {...a} type="password" autoComplete="off" value={token} onInput={(e) => setToken(inputValue(e))} />}
        </Field>
        <button type="submit" class="primary">
          {current ? t('reconnect') : t('connect')}
        </button>
        {current ? (
          <button type="button" onClick={() => void disconnectServer(state)}>
            {t('disconnect')}
          </button>
        ) : null}
      </form>
      {errors._form ? (
        <p class="field-error" role="alert">
          {errors._form}
        </p>
      ) : null}
    </section>
  );
}

const WEEKDAYS: MessageKey[] = ['weekday1', 'weekday2', 'weekday3', 'weekday4', 'weekday5', 'weekday6', 'weekday7'];

export function RemindersSection() {
  const state = useAppState();
  const [r, setR] = useState<Reminders>(state.settings.value.reminders);
  const [status, setStatus] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  async function save(e: Event) {
    e.preventDefault();
    const parsed = z.safeParse(ZReminders, r);
    if (!parsed.success) return setErrors(issuesToFields(fromZodIssues(parsed.error.issues, r)));
    setErrors({});
    await state.actions.persistSettings({ ...state.settings.value, reminders: parsed.data });
    await tellWorker({ type: 'reminders-changed' });
    setStatus(t('saved'));
  }
  return (
    <section id="reminders" aria-labelledby="reminders-title" class="card stack">
      <h2 id="reminders-title">{t('sectionReminders')}</h2>
      <form onSubmit={save} class="stack" noValidate>
        <label class="check">
          <input type="checkbox" checked={r.enabled} onChange={(e) => setR({ ...r, enabled: (e.target as HTMLInputElement).checked })} />
          {t('remindMe')}
        </label>
        <div class="row form-row">
          <Field id="rem-every" label={t('cadence')} error={errors.everyWeeks}>
            {(a) => (
              <select {...a} value={String(r.everyWeeks)} onChange={(e) => setR({ ...r, everyWeeks: Number(inputValue(e)) })}>
                {[1, 2, 3, 4].map((n) => (
                  <option key={n} value={String(n)}>
                    {n === 1 ? t('everyWeek') : t('everyNWeeks', n)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="rem-weekday" label={t('weekday')} error={errors.weekday}>
            {(a) => (
              <select {...a} value={String(r.weekday)} onChange={(e) => setR({ ...r, weekday: Number(inputValue(e)) })}>
                {WEEKDAYS.map((key, i) => (
                  <option key={key} value={String(i + 1)}>
                    {t(key)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="rem-hour" label={t('hour')} error={errors.hour}>
            {(a) => (
              <select {...a} value={String(r.hour)} onChange={(e) => setR({ ...r, hour: Number(inputValue(e)) })}>
                {Array.from({ length: 24 }, (_, h) => (
                  <option key={h} value={String(h)}>
                    {String(h).padStart(2, '0')}:00
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <div class="row">
          <button type="submit" class="primary">
            {t('save')}
          </button>
          <span role="status">{status}</span>
        </div>
      </form>
    </section>
  );
}

const THEME_KEYS: Record<Theme, MessageKey> = { system: 'themeSystem', light: 'themeLight', dark: 'themeDark' };

export function AppearanceSection() {
  const state = useAppState();
  const theme = state.settings.value.theme;
  return (
    <section id="appearance" aria-labelledby="appearance-title" class="card stack">
      <h2 id="appearance-title">{t('sectionAppearance')}</h2>
      <fieldset class="row">
        <legend>{t('theme')}</legend>
        {THEMES.map((value) => (
          <label key={value} class="check">
            <input type="radio" name="theme" value={value} checked={theme === value} onChange={() => void state.actions.persistSettings({ ...state.settings.value, theme: value })} />
            {t(THEME_KEYS[value])}
          </label>
        ))}
      </fieldset>
    </section>
  );
}
