import { html, svg, nothing, type TemplateResult } from 'lit';
import { percent, STATUS_LABEL } from '../shared/format.ts';

export interface MeterOptions {
  value: number;
  expected?: number | undefined;
  status?: string | undefined;
  variant?: 'bar' | 'ring';
  locale?: string | undefined;
  showValue?: boolean;
}

/** Text a screen reader hears for a progress value. */
export function meterText(o: MeterOptions): string {
  const parts = [percent(o.locale, Math.max(0, o.value))];
  if (o.value > 1) parts.push('target exceeded');
  if (o.expected !== undefined) parts.push(`${percent(o.locale, o.expected)} expected by now`);
  if (o.status && STATUS_LABEL[o.status]) parts.push(STATUS_LABEL[o.status]!.toLowerCase());
  return parts.join(', ');
}

const round = (x: number) => Math.round(x * 10) / 10;

/**
 * A bar or ring drawn with SVG attributes, never inline styles, so it renders under a strict CSP.
 * Decorative: the element that holds it carries `role="progressbar"`.
 */
export function meter(o: MeterOptions): TemplateResult {
  const fill = round(Math.min(1, Math.max(0, o.value)) * 100);
  const expected = o.expected === undefined ? undefined : round(Math.min(1, Math.max(0, o.expected)) * 100);
  const cls = `meter ${o.status ?? ''} ${o.value > 1 ? 'exceeded' : ''}`;
  const label = o.showValue === false ? nothing : html`<span class="value" part="value">${percent(o.locale, Math.max(0, o.value))}</span>`;
  if (o.variant === 'ring') {
    return html`<span class=${cls}
      ><svg class="ring" part="ring" viewBox="0 0 36 36" aria-hidden="true">
        <circle class="track-ring" part="track" cx="18" cy="18" r="15.9155" stroke-width="3.5"></circle>
        <circle class="fill" part="fill" cx="18" cy="18" r="15.9155" stroke-width="3.5" stroke-linecap="round"
          stroke-dasharray="${fill} 100" transform="rotate(-90 18 18)" opacity=${fill ? 1 : 0}></circle>
        ${expected === undefined
          ? nothing
          : svg`<circle class="expected" part="expected" cx="18" cy="2.1" r="1.2" transform="rotate(${expected * 3.6} 18 18)"></circle>`}
        ${o.showValue === false ? nothing : svg`<text x="18" y="21" text-anchor="middle">${percent(o.locale, Math.max(0, o.value))}</text>`}
      </svg></span
    >`;
  }
  return html`<span class=${cls}
    ><svg class="bar" part="track" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
      <rect class="track" width="100" height="8"></rect>
      <rect class="fill" part="fill" width=${fill} height="8"></rect>
      ${expected === undefined
        ? nothing
        : svg`<line class="expected" part="expected" x1=${expected} x2=${expected} y1="0" y2="8" vector-effect="non-scaling-stroke"></line>`}
    </svg>${label}</span
  >`;
}
