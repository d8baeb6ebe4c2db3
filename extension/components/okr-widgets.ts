// The Candor widgets the options page draws OKRs with — the same objective cards and alignment tree
// an intranet embeds, so the extension and the intranet share one visual vocabulary. Registered once per
// page (never throwing on a second copy). Kept apart from `widgets.ts` (the new tab's sparkline).
import { useEffect, useState } from 'preact/hooks';
import type { HTMLAttributes } from 'preact';
import type { CandorDocument } from '../../core/model/index.ts';
import { defineElement } from '../../widgets/shared/define.ts';
import { CandorProgress } from '../../widgets/progress/progress.ts';
import { CandorKeyResult } from '../../widgets/key-result/key-result.ts';
import { CandorObjective } from '../../widgets/objective/objective.ts';
import { CandorAlignmentTree } from '../../widgets/alignment-tree/alignment-tree.ts';
import { CandorSparkline } from '../../widgets/sparkline/sparkline.ts';
import type { CandorSelectDetail } from '../../widgets/shared/events.ts';

// candor-objective draws candor-progress and candor-key-result (with its sparkline) inside its card.
// (The build gives this page its own instances of these modules: see `optionsWidgets` in wxt.config.ts.)
defineElement('candor-sparkline', CandorSparkline);
defineElement('candor-progress', CandorProgress);
defineElement('candor-key-result', CandorKeyResult);
defineElement('candor-objective', CandorObjective);
defineElement('candor-alignment-tree', CandorAlignmentTree);

type Common = HTMLAttributes<HTMLElement> & { document?: CandorDocument; theme?: 'light' | 'dark' | undefined; locale?: string };
type ObjectiveAttributes = Common & { 'objective-id'?: string; compact?: boolean };
type TreeAttributes = Common & { 'cycle-id'?: string | undefined; 'team-id'?: string; 'person-id'?: string; 'expand-depth'?: number; 'company-name'?: string | undefined; label?: string };

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'candor-objective': ObjectiveAttributes;
      'candor-alignment-tree': TreeAttributes;
    }
  }
}

/**
 * Calls `onSelect` for each `candor-select` the element (or a widget inside it) emits. Returns a callback
 * ref for the element. (State rather than `useRef`: the new tab's first-paint chunk, which holds Preact,
 * then exports nothing new for this page.)
 */
export function useCandorSelect(onSelect: (detail: CandorSelectDetail) => void): (el: HTMLElement | null) => void {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [latest] = useState(() => ({ onSelect }));
  latest.onSelect = onSelect;
  useEffect(() => {
    if (!el) return;
    const listener = (e: Event) => latest.onSelect((e as CustomEvent<CandorSelectDetail>).detail);
    el.addEventListener('candor-select', listener);
    return () => el.removeEventListener('candor-select', listener);
  }, [el]);
  return setEl;
}
