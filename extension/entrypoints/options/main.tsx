import '../../components/base.css';
import './options.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AppStateContext } from '../../state/app-state.ts';
import { openApp, DemoNotice } from '../../components/shell.tsx';
import { t, type MessageKey } from '../../lib/i18n.ts';
import { OkrSection } from './okrs.tsx';
import { AlignmentSection } from './alignment.tsx';
import { IdentitySection, PeopleSection } from './people.tsx';
import { FeedsSection, ServerSection, RemindersSection, AppearanceSection } from './preferences.tsx';
import { DataSection } from './data.tsx';

const SECTIONS: { id: string; label: MessageKey }[] = [
  { id: 'objectives', label: 'sectionOkrs' },
  { id: 'alignment', label: 'sectionAlignment' },
  { id: 'people', label: 'sectionPeople' },
  { id: 'identity', label: 'sectionIdentity' },
  { id: 'feeds', label: 'sectionFeeds' },
  { id: 'server', label: 'sectionServer' },
  { id: 'reminders', label: 'sectionReminders' },
  { id: 'data', label: 'sectionData' },
  { id: 'appearance', label: 'sectionAppearance' },
];

/** `#section`, or `#objectives/<objective id>` to open that objective in the editor. */
function currentSection(): { section: string; objective?: string } {
  const [hash = '', ...rest] = location.hash.slice(1).split('/');
  const section = SECTIONS.some((s) => s.id === hash) ? hash : 'objectives';
  if (section !== 'objectives' || !rest.length) return { section };
  try {
    return { section, objective: decodeURIComponent(rest.join('/')) };
  } catch {
    return { section };
  }
}

function Options() {
  const [{ section, objective }, setSection] = useState(currentSection());
  useEffect(() => {
    const onHash = () => setSection(currentSection());
    // The hash may have changed between the first render and this effect (a link followed while the
    // page was loading): read it again now that nothing can be missed.
    onHash();
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return (
    <>
    <DemoNotice />
    <div class="options">
      <nav aria-label={t('optionsTitle')}>
        <h1>{t('optionsTitle')}</h1>
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <a href={`#${s.id}`} aria-current={section === s.id ? 'page' : undefined}>
                {t(s.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        {section === 'objectives' ? <OkrSection open={objective} /> : null}
        {section === 'alignment' ? <AlignmentSection /> : null}
        {section === 'people' ? <PeopleSection /> : null}
        {section === 'identity' ? <IdentitySection /> : null}
        {section === 'feeds' ? <FeedsSection /> : null}
        {section === 'server' ? <ServerSection /> : null}
        {section === 'reminders' ? <RemindersSection /> : null}
        {section === 'data' ? <DataSection /> : null}
        {section === 'appearance' ? <AppearanceSection /> : null}
      </main>
    </div>
    </>
  );
}

async function main() {
  const state = await openApp({ page: 'options' });
  render(
    <AppStateContext.Provider value={state}>
      <Options />
    </AppStateContext.Provider>,
    document.getElementById('app')!,
  );
}

void main();
