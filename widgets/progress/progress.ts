import { html, type TemplateResult } from 'lit';
import type { CandorDocument } from '../../core/model/index.ts';
import { CandorElement } from '../shared/base.ts';
import { scoresOf } from '../shared/data.ts';
import { meter, meterText } from './meter.ts';
import { meterStyles, progressStyles } from './progress.styles.ts';

/**
 * A score as a bar or a ring, coloured by status, with an "expected by now" marker and an exceeded
 * state above 100 %. Give it `value` (and `expected`, `status`) directly, or a document with a
 * `key-result-id` or `objective-id` and it reads the verdict from core scoring.
 *
 * @summary Progress toward a target, as a bar or a ring.
 * @tagname candor-progress
 * @csspart progressbar - The element with `role="progressbar"`.
 * @csspart track - The unfilled track (the SVG).
 * @csspart fill - The filled part.
 * @csspart expected - The "expected by now" marker.
 * @csspart value - The percentage text beside a bar.
 * @cssprop --candor-progress-color - Fill colour (default: the status colour).
 * @cssprop --candor-progress-expected-color - Colour of the expected marker.
 * @cssprop --candor-progress-height - Height of the bar (default 8px).
 * @cssprop --candor-progress-size - Diameter of the ring (default 56px).
 */
export class CandorProgress extends CandorElement {
  static override styles = [...CandorElement.styles, meterStyles, progressStyles];
  static override properties = {
    ...CandorElement.properties,
    value: { type: Number, reflect: true },
    expected: { type: Number, reflect: true },
    status: { type: String, reflect: true },
    variant: { type: String, reflect: true },
    label: { type: String },
  };

  /** Progress from 0 to 1; above 1 shows as exceeded. Ignored when a key result or objective is selected. */
  declare value: number;
  /** Where progress should be by now (0..1); draws a marker. */
  declare expected: number | undefined;
  /** `on-track`, `at-risk`, `off-track`, `stale` or `done`: picks the colour. */
  declare status: string | undefined;
  /** `bar` (default) or `ring`. */
  declare variant: 'bar' | 'ring';
  /** Accessible name of the progress bar (default "Progress", or the selected record's title). */
  declare label: string | undefined;

  constructor() {
    super();
    this.value = 0;
    this.variant = 'bar';
  }

  protected override renderBody(doc: CandorDocument | undefined): TemplateResult {
    let { value, expected, status, label } = this;
    if (doc && (this.keyResultId || this.objectiveId)) {
      const s = scoresOf(doc);
      const v = this.keyResultId ? s.keyResults.get(this.keyResultId) : s.objectives.get(this.objectiveId!);
      if (!v) return this.message(`No ${this.keyResultId ? 'key result' : 'objective'} with id “${this.keyResultId ?? this.objectiveId}”.`);
      value = 'progress' in v ? v.progress : v.score;
      expected = v.expected;
      status = v.status;
      const rec = this.keyResultId ? doc.keyResults.find((k) => k.id === this.keyResultId) : doc.objectives.find((o) => o.id === this.objectiveId);
      label ??= rec?.title;
    }
    const v = Number.isFinite(value) ? value : 0;
    const o = { value: v, expected, status, variant: this.variant, locale: this.locale };
    return html`<div
      part="progressbar"
      role="progressbar"
      aria-label=${label || 'Progress'}
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow=${Math.round(Math.min(1, Math.max(0, v)) * 100)}
      aria-valuetext=${meterText(o)}
    >
      ${meter(o)}
    </div>`;
  }
}
