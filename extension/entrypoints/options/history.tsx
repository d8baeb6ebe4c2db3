// Options → an objective's history: who changed what and when (before → after), as the team server
// recorded it (`GET /v1/history?objective=`), filtered there by what I may see. Loaded when opened.
import { useState } from 'preact/hooks';
import { useAppState } from '../../state/app-state.ts';
import { t } from '../../lib/i18n.ts';
import { relativeTime } from '../../lib/format.ts';
import type { MessageKey } from '../../lib/i18n.ts';

interface Entry {
  seq: number;
  person: string;
  at: string;
  collection: string;
  id: string;
  kind: 'add' | 'change' | 'remove';
  fields?: string[];
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

const WHAT: Record<string, MessageKey> = {
  objectives: 'historyObjective',
  keyResults: 'historyKeyResult',
  checkIns: 'historyCheckIn',
  comments: 'historyComment',
  kudos: 'historyKudos',
  reflections: 'historyReflection',
};
const VERB: Record<Entry['kind'], MessageKey> = { add: 'historyAdded', change: 'historyChanged', remove: 'historyRemoved' };

/** A field's value as a person reads it: text as is, numbers and lists plainly, objects as their id or kind. */
function shown(value: unknown): string {
  if (value === undefined || value === null || value === '') return '–';
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 79)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(shown).join(', ');
  const o = value as Record<string, unknown>;
  if (typeof o.kind === 'string' && typeof o.id === 'string') return `${o.kind} ${o.id}`;
  if (typeof o.kind === 'string') return o.kind;
  return JSON.stringify(value).slice(0, 80);
}

const HIDDEN = new Set(['updatedAt', 'createdAt', 'id']);

export function ObjectiveHistory({ objectiveId }: { objectiveId: string }) {
  const state = useAppState();
  const server = state.settings.value.server;
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);
  if (state.demo.value) return null;
  const people = new Map(state.document.value.people.map((p) => [p.id, p.name]));
  const name = (id: string) => people.get(id) ?? id;

  async function load() {
    if (!server || loading) return;
    setLoading(true);
    setError('');
    try {
      const res = await fetch(`${server.url.replace(/\/+$/, '')}/v1/history?objective=${encodeURIComponent(objectiveId)}`, { headers: { authorization: `Bearer ${server.token}` } });
      if (res.status === 404) setEntries([]);
      else if (!res.ok) throw new Error(`${res.status} ${((await res.json().catch(() => ({}))) as { message?: string }).message ?? res.statusText}`);
      else setEntries(((await res.json()) as { entries: Entry[] }).entries);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }

  return (
    <details class="history" onToggle={(e) => (e.currentTarget as HTMLDetailsElement).open && entries === null && void load()}>
      <summary>{t('historyTitle')}</summary>
      {!server ? (
        <p class="muted small">{t('historyNeedsServer')}</p>
      ) : loading ? (
        <p class="muted small" role="status">
          {t('historyLoading')}
        </p>
      ) : error ? (
        <p class="field-error" role="alert">
          {t('historyFailed', error)}
        </p>
      ) : entries && entries.length === 0 ? (
        <p class="muted small">{t('historyEmpty')}</p>
      ) : entries ? (
        <ol class="history-list" aria-label={t('historyTitle')}>
          {[...entries].reverse().map((e) => {
            const record = e.after ?? e.before ?? {};
            const title = typeof record.title === 'string' ? ` “${shown(record.title)}”` : '';
            const fields = (e.fields ?? []).filter((f) => !HIDDEN.has(f));
            return (
              <li key={e.seq}>
                <time dateTime={e.at} title={new Date(e.at).toLocaleString()}>
                  {relativeTime(e.at, state.now.value)}
                </time>{' '}
                {t(VERB[e.kind], name(e.person), `${t(WHAT[e.collection] ?? 'historyRecord')}${title}`)}
                {e.kind === 'change' && fields.length ? (
                  <ul>
                    {fields.map((f) => (
                      <li key={f}>
                        {t('historyField', f, shown(e.before?.[f]), shown(e.after?.[f]))}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            );
          })}
        </ol>
      ) : null}
    </details>
  );
}
