import { html, svg, type TemplateResult } from 'lit';
import type { CandorDocument } from '../../core/model/index.ts';
import { CandorElement } from '../shared/base.ts';
import { scoresOf } from '../shared/data.ts';
import { percent } from '../shared/format.ts';
import { sparklineStyles } from './sparkline.styles.ts';

const W = 100;
const H = 28;

/** Polyline points for values scaled into the box (`min`..`max`, flat when all equal). */
export function sparkPoints(values: readonly number[], min?: number, max?: number): [number, number][] {
  const lo = min ?? Math.min(...values);
  const hi = max ?? Math.max(...values);
  const span = hi - lo || 1;
  const step = values.length > 1 ? W / (values.length - 1) : 0;
  return values.map((v, i) => [Math.round(i * step * 100) / 100, Math.round((H - 2 - ((v - lo) / span) * (H - 4)) * 100) / 100]);
}

/**
 * A small line chart of a series: by default a key result's progress at each check-in.
 *
 * @summary The history chart the other widgets use.
 * @tagname candor-sparkline
 * @csspart chart - The SVG.
 * @cssprop --candor-sparkline-color - Line colour (default: the accent).
 * @cssprop --candor-sparkline-width - Width (default 120px).
 * @cssprop --candor-sparkline-height - Height (default 28px).
 */
export class CandorSparkline extends CandorElement {
  static override styles = [...CandorElement.styles, sparklineStyles];
  static override properties = {
    ...CandorElement.properties,
    values: { attribute: false },
    min: { type: Number },
    max: { type: Number },
    label: { type: String },
  };

  /** The series to draw. Ignored when `key-result-id` selects a key result of the document. */
  declare values: number[];
  /** Bottom of the scale (default: the smallest value; 0 for progress). */
  declare min: number | undefined;
  /** Top of the scale (default: the largest value; at least 1 for progress). */
  declare max: number | undefined;
  /** Accessible name (default "Check-in history"). */
  declare label: string | undefined;

  constructor() {
    super();
    this.values = [];
  }

  protected override renderBody(doc: CandorDocument | undefined): TemplateResult {
    let values = this.values ?? [];
    let { min, max } = this;
    let asShare = false;
    if (doc && this.keyResultId) {
      const v = scoresOf(doc).keyResults.get(this.keyResultId);
      if (!v) return this.message(`No key result with id “${this.keyResultId}”.`);
      values = v.history.map((h) => h.progress);
      min ??= Math.min(0, ...values);
      max ??= Math.max(1, ...values);
      asShare = true;
    }
    values = values.filter(Number.isFinite);
    const fmt = (x: number) => (asShare ? percent(this.locale, x) : x.toLocaleString(this.locale || undefined));
    const name = `${this.label || 'Check-in history'}: ${values.length ? values.map(fmt).join(', ') : 'no check-ins yet'}`;
    const pts = values.length ? sparkPoints(values.length === 1 ? [values[0]!, values[0]!] : values, min, max) : [];
    const line = pts.map((p) => p.join(',')).join(' ');
    const last = pts[pts.length - 1];
    return html`<svg part="chart" role="img" aria-label=${name} viewBox="0 0 ${W} ${H}" preserveAspectRatio="none">
      ${pts.length
        ? svg`<polygon class="area" points="0,${H} ${line} ${W},${H}"></polygon>
          <polyline class="line" points=${line} vector-effect="non-scaling-stroke"></polyline>
          <circle class="last" cx=${last![0]} cy=${last![1]} r="2"></circle>`
        : svg`<line class="empty" x1="0" x2=${W} y1=${H - 2} y2=${H - 2} vector-effect="non-scaling-stroke"></line>`}
    </svg>`;
  }
}

