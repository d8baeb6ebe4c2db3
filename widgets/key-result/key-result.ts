import { html, nothing, type TemplateResult } from 'lit';
import type { CandorDocument } from '../../core/model/index.ts';
import { CandorElement } from '../shared/base.ts';
import { indexOf, scoresOf } from '../shared/data.ts';
import { emit } from '../shared/emit.ts';
import { relativeTime, dateTime } from '../shared/format.ts';
import { keyResultStyles } from './key-result.styles.ts';
import { standing, confidenceText } from './summary.ts';
import { statusPill } from '../shared/status.ts';

/**
 * One key result: its title, where it stands against its target (number, percent, currency,
 * milestones or done), progress against pace, the latest confidence, time since the last check-in
 * and a sparkline of its check-ins. Select it with `key-result-id`.
 *
 * @summary A key result with progress, confidence and history.
 * @tagname candor-key-result
 * @csspart card - The key result's box.
 * @csspart title - The title (a button that emits `candor-select`).
 * @csspart status - The status pill.
 * @csspart numbers - The line with current value, target, confidence and last check-in.
 * @event candor-select - The title was activated. detail: `{ kind: 'keyResult', id }`
 */
export class CandorKeyResult extends CandorElement {
  static override styles = [...CandorElement.styles, keyResultStyles];
  static override properties = {
    ...CandorElement.properties,
    embedded: { type: Boolean, reflect: true },
  };

  /** Drawn without its own border, as a row inside an objective card. */
  declare embedded: boolean;

  constructor() {
    super();
    this.embedded = false;
  }

  protected override renderBody(doc: CandorDocument | undefined): TemplateResult {
    if (!doc) return this.message('No key result to show.');
    const i = indexOf(doc);
    const id = this.keyResultId ?? doc.keyResults[0]?.id;
    const kr = id === undefined ? undefined : i.keyResults.get(id);
    if (!kr) return this.message(id ? `No key result with id “${id}”.` : 'No key results yet.');
    const v = scoresOf(doc).keyResults.get(kr.id);
    const { now, goal } = standing(kr, v, this.locale);
    const select = () => emit(this, 'candor-select', { kind: 'keyResult', id: kr.id });
    return html`<div class="kr" part="card">
      <div class="head">
        <button class="title" part="title" @click=${select}>${kr.title}</button>
        ${v ? statusPill(v.status) : nothing}
      </div>
      <div class="chart">
        <candor-progress
          .document=${doc}
          key-result-id=${kr.id}
          locale=${this.locale ?? nothing}
          theme=${this.theme ?? nothing}
          label=${kr.title}
        ></candor-progress>
        <candor-sparkline .document=${doc} key-result-id=${kr.id} theme=${this.theme ?? nothing} locale=${this.locale ?? nothing}></candor-sparkline>
      </div>
      <div class="numbers" part="numbers">
        <span><strong>${now}</strong> · ${goal}</span>
        <span>Confidence <strong>${confidenceText(v?.confidence, this.locale)}</strong></span>
        ${v?.lastCheckInAt
          ? html`<span title=${dateTime(this.locale, v.lastCheckInAt)}>Checked in ${relativeTime(this.locale, v.lastCheckInAt)}</span>`
          : html`<span>No check-ins yet</span>`}
        ${v?.due && v.status !== 'done' ? html`<span class="due">Check-in due</span>` : nothing}
      </div>
    </div>`;
  }
}

