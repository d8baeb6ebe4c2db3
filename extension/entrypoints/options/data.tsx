// Options → data: export (JSON, CSV, Markdown), import with a preview before anything is written,
// the demo organisation, and the automatic backups kept before storage migrations. Import and restore
// are one operation (core/store/apply.ts, through the Workspace's commands).
import { useEffect, useState } from 'preact/hooks';
import { exportJson, exportCsv, exportMarkdown, planImport, type ImportPlan } from '../../../core/io/index.ts';
import { COLLECTIONS } from '../../../core/model/index.ts';
import { summaryTotals } from '../../../core/store/apply.ts';
import { openDemo } from '../../state/demo.ts';
import { useAppState } from '../../state/app-state.ts';
import type { BackupInfo } from '../../state/backend.ts';
import { t } from '../../lib/i18n.ts';
import { uiLanguage } from '../../lib/i18n.ts';

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function DataSection() {
  return (
    <section id="data" aria-labelledby="data-title" class="stack">
      <h2 id="data-title">{t('sectionData')}</h2>
      <ExportPanel />
      <ImportPanel />
      <DemoPanel />
      <BackupsPanel />
    </section>
  );
}

function ExportPanel() {
  const state = useAppState();
  const stamp = () => new Date().toISOString().slice(0, 10);
  return (
    <div class="card stack" aria-labelledby="export-title">
      <h3 id="export-title">{t('exportTitle')}</h3>
      <p class="muted">{t('exportIntro')}</p>
      <div class="row">
        <button type="button" id="export-json" onClick={() => download(`candor-${stamp()}.json`, 'application/json', exportJson(state.document.value))}>
          {t('exportJson')}
        </button>
        <button type="button" id="export-csv" onClick={() => download(`candor-${stamp()}.csv`, 'text/csv', exportCsv(state.document.value, { scores: state.scores.value }))}>
          {t('exportCsv')}
        </button>
        <button type="button" id="export-md" onClick={() => download(`candor-${stamp()}.md`, 'text/markdown', exportMarkdown(state.document.value, { scores: state.scores.value }))}>
          {t('exportMarkdown')}
        </button>
      </div>
    </div>
  );
}

function ImportPanel() {
  const state = useAppState();
  const [plan, setPlan] = useState<{ name: string; plan: ImportPlan } | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);

  async function choose(e: Event) {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    setPlan(null);
    setDone('');
    setError('');
    if (!file) return;
    const text = await file.text();
    const result = planImport(state.document.value, text);
    if (!result.ok) setError(t('importFailed', result.error.message));
    else setPlan({ name: file.name, plan: result.plan });
  }

  async function apply() {
    if (!plan) return;
    setBusy(true);
    try {
      const totals = summaryTotals(await state.actions.importDocument(plan.plan.document));
      setDone(`${t('importDone', plan.name)} ${t('importSummary', totals.created, totals.changed, totals.moved)}`);
      setPlan(null);
    } catch (e) {
      setError(t('importFailed', (e as Error).message));
    } finally {
      setBusy(false);
    }
  }

  const counts = plan
    ? COLLECTIONS.map((c) => ({ c, added: plan.plan.added.filter((a) => a.collection === c).length, changed: plan.plan.changed.filter((a) => a.collection === c).length })).filter((x) => x.added || x.changed)
    : [];
  return (
    <div class="card stack" aria-labelledby="import-title">
      <h3 id="import-title">{t('importTitle')}</h3>
      <p class="muted">{t('importIntro')}</p>
      <div class="field">
        <label for="import-file">{t('chooseFile')}</label>
        <input id="import-file" type="file" accept=".json,.csv,application/json,text/csv" onChange={choose} aria-describedby={error ? 'import-error' : undefined} />
      </div>
      {error ? (
        <p class="notice error" id="import-error" role="alert">
          {error}
        </p>
      ) : null}
      {plan ? (
        <div class="preview" aria-labelledby="preview-title">
          <h4 id="preview-title">{t('previewTitle', plan.name)}</h4>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('previewCollection')}</th>
                <th scope="col">{t('previewAdded')}</th>
                <th scope="col">{t('previewChanged')}</th>
              </tr>
            </thead>
            <tbody>
              {counts.map((x) => (
                <tr key={x.c}>
                  <th scope="row">{x.c}</th>
                  <td>{x.added}</td>
                  <td>{x.changed}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted">
            {t('previewUnchanged')}: {plan.plan.unchanged}
          </p>
          {plan.plan.warnings.length ? (
            <ul class="muted">
              {plan.plan.warnings.slice(0, 10).map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          ) : null}
          <div class="row">
            <button type="button" class="primary" id="apply-import" disabled={busy} onClick={apply}>
              {t('applyImport')}
            </button>
            <button type="button" onClick={() => setPlan(null)}>
              {t('cancel')}
            </button>
          </div>
        </div>
      ) : null}
      {done ? (
        <p class="notice ok" role="status">
          {done}
        </p>
      ) : null}
    </div>
  );
}

/** The sample organisation, as a demo workspace of its own: offered at any time, never synced. */
function DemoPanel() {
  const state = useAppState();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  return (
    <div class="card stack" aria-labelledby="demo-title">
      <h3 id="demo-title">{t('demoTitle')}</h3>
      <p class="muted">{t('demoIntro')}</p>
      <div class="row">
        <button
          type="button"
          id="open-demo"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError('');
            try {
              await openDemo(state);
              location.reload();
            } catch (e) {
              setError((e as Error).message);
              setBusy(false);
            }
          }}
        >
          {state.demo.value ? t('demoReset') : t('demoOpen')}
        </button>
        {busy ? <span role="status">{t('demoOpening')}</span> : null}
      </div>
      {error ? (
        <p class="notice error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function BackupsPanel() {
  const state = useAppState();
  const [backups, setBackups] = useState<BackupInfo[] | null>(null);
  const [status, setStatus] = useState('');
  useEffect(() => {
    void state.backend.backups?.().then(setBackups, () => setBackups([]));
  }, [state]);
  if (!state.backend.backups) return null;
  const when = (iso: string) => new Date(iso).toLocaleString(uiLanguage());
  return (
    <div class="card stack" aria-labelledby="backups-title">
      <h3 id="backups-title">{t('backupsTitle')}</h3>
      <p class="muted">{t('backupsIntro')}</p>
      {backups && backups.length === 0 ? <p>{t('noBackups')}</p> : null}
      <ul>
        {(backups ?? []).map((b) => (
          <li key={b.id} class="row">
            <span class="grow">
              {when(b.at)} <span class="muted">{b.reason}</span>
            </span>
            <button
              type="button"
              aria-label={t('restoreNamed', when(b.at))}
              onClick={async () => {
                if (!confirm(t('restoreConfirm', when(b.at)))) return;
                try {
                  await state.actions.restoreBackup(b.id);
                  setStatus(t('restored'));
                } catch (e) {
                  setStatus(t('importFailed', (e as Error).message));
                }
              }}
            >
              {t('restore')}
            </button>
          </li>
        ))}
      </ul>
      {status ? <p role="status">{status}</p> : null}
    </div>
  );
}
