// The notice every page shows while the demo organisation is open, with the one control that goes back.
// Part of the new tab's first paint (static there: the button arrives with the app, in the same place).
import { t } from '../lib/i18n.ts';

export function DemoBanner({ onLeave }: { onLeave?: (() => void) | undefined }) {
  return (
    <section class="demo-banner" aria-labelledby="demo-banner-title">
      <p>
        <strong id="demo-banner-title">{t('demoBannerTitle')}</strong> {t('demoBannerText')}
      </p>
      {onLeave ? (
        <button type="button" id="leave-demo" class="primary" onClick={onLeave}>
          {t('demoLeave')}
        </button>
      ) : null}
    </section>
  );
}
