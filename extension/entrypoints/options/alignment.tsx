// Options → Alignment: the workspace as the intranet sees it — company → teams → people → objectives with
// rolled-up progress — drawn by the `candor-alignment-tree` widget (an ARIA tree: arrows, Home, End,
// Enter). Choosing an objective opens it in the objective editor.
import { useState } from 'preact/hooks';
import { useAppState } from '../../state/app-state.ts';
import { alignmentCycle, cyclesNewestFirst } from '../../state/preview.ts';
import { widgetTheme } from '../../lib/settings.ts';
import { t, uiLanguage } from '../../lib/i18n.ts';
import { useCandorSelect } from '../../components/okr-widgets.ts';

/** Where the objective editor opens an objective: `#objectives/<id>`. */
export function objectiveHash(id: string): string {
  return `#objectives/${encodeURIComponent(id)}`;
}

export function AlignmentSection() {
  const state = useAppState();
  const doc = state.document.value;
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const cycle = alignmentCycle(doc, state.now.value, chosen);
  // The document's own company name when it has one, else a localised "Company".
  const named = (doc as { company?: { name?: unknown } }).company?.name;
  const company = typeof named === 'string' && named ? named : t('alignmentCompany');
  const count = cycle ? doc.objectives.filter((o) => o.cycleId === cycle.id).length : 0;
  const tree = useCandorSelect((detail) => {
    if (detail.kind === 'objective') location.hash = objectiveHash(detail.id);
  });
  return (
    <section id="alignment" aria-labelledby="alignment-title" class="stack">
      <h2 id="alignment-title">{t('sectionAlignment')}</h2>
      <p class="muted">{t('alignmentIntro')}</p>
      {cycle ? (
        <>
          <div class="row">
            <label for="alignment-cycle">{t('alignmentCycle')}</label>
            <select id="alignment-cycle" value={cycle.id} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
              {cyclesNewestFirst(doc).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <span class="muted" aria-live="polite">
              {t('alignmentCount', count)}
            </span>
          </div>
          <div class="alignment-card">
            <candor-alignment-tree
              ref={tree}
              document={doc}
              cycle-id={cycle.id}
              expand-depth={2}
              company-name={company}
              label={t('alignmentTreeLabel', cycle.name)}
              locale={uiLanguage()}
              theme={widgetTheme(state.settings.value.theme)}
            />
          </div>
          <p class="muted small">{t('alignmentKeys')}</p>
        </>
      ) : (
        <p class="muted">{t('createCycleFirst')}</p>
      )}
    </section>
  );
}
