import { html, nothing, type TemplateResult } from 'lit';
import { parseRecord, type CandorDocument, type CheckIn, type KeyResult, type MaintainMetric } from '../../core/model/index.ts';
import { CandorElement } from '../shared/base.ts';
import { indexOf, scoresOf } from '../shared/data.ts';
import { emit } from '../shared/emit.ts';
import { formStyles } from './checkin-form.styles.ts';
import { metricValue } from '../shared/format.ts';

type Field = 'value' | 'milestones' | 'done' | 'confidence' | 'note' | 'form';

const CONFIDENCE_WORDS = ['Very unlikely', 'Very unlikely', 'Unlikely', 'Unlikely', 'Uncertain', 'Uncertain', 'Likely', 'Likely', 'Very likely', 'Very likely', 'Certain'];

const newId = () => (typeof globalThis.crypto?.randomUUID === 'function' ? crypto.randomUUID() : `ci-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);

/**
 * A check-in for one key result: the value now (or the milestones done, or done / not done), the
 * confidence (0–10) and a note. It validates with the core schema and emits `candor-checkin` with the
 * validated check-in; otherwise it marks the field (`aria-invalid`) and says what is wrong.
 * It stores nothing: the host page saves the check-in.
 *
 * @summary Record progress on a key result.
 * @tagname candor-checkin-form
 * @csspart form - The form.
 * @csspart submit - The submit button.
 * @csspart error - A field's error message.
 * @cssprop --candor-on-accent - Text colour on the submit button.
 * @event candor-checkin - A valid check-in. detail: `{ checkIn }` (id, keyResultId, authorId = `person-id`, at, value | milestonesDone | done, confidence 0..1, note)
 */
export class CandorCheckinForm extends CandorElement {
  static override styles = [...CandorElement.styles, formStyles];
  static override properties = {
    ...CandorElement.properties,
    _errors: { state: true },
    _saved: { state: true },
    _confidence: { state: true },
  };

  declare private _errors: Partial<Record<Field, string>>;
  declare private _saved: string | undefined;
  declare private _confidence: number | undefined;

  constructor() {
    super();
    this._errors = {};
  }

  private _kr(doc: CandorDocument | undefined): KeyResult | undefined {
    if (!doc) return undefined;
    const id = this.keyResultId ?? doc.keyResults[0]?.id;
    return id === undefined ? undefined : indexOf(doc).keyResults.get(id);
  }

  private _submit(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const kr = this._kr(this.data);
    if (!kr) return;
    const data = new FormData(form);
    const errors: Partial<Record<Field, string>> = {};
    const record: Record<string, unknown> = {
      id: newId(),
      keyResultId: kr.id,
      authorId: this.personId ?? '',
      at: new Date().toISOString(),
      confidence: Number(data.get('confidence')) / 10,
    };
    const note = String(data.get('note') ?? '').trim();
    if (note) record.note = note;
    const m = kr.metric;
    if (m.kind === 'milestones') record.milestonesDone = data.getAll('milestone').map(String);
    else if (m.kind === 'boolean') record.done = data.get('done') === 'on';
    else {
      const raw = String(data.get('value') ?? '').trim();
      if (!raw) errors.value = 'Enter the value now.';
      else record.value = Number(raw);
    }
    if (!this.personId) errors.form = 'This form needs a person-id: who is checking in.';
    if (!errors.value && !errors.form) {
      const parsed = parseRecord('checkIns', record);
      if (parsed.ok) {
        this._errors = {};
        const cancelled = !emit(this, 'candor-checkin', { checkIn: parsed.value as CheckIn }, { cancelable: true });
        this._saved = cancelled ? undefined : 'Check-in recorded. Thank you!';
        const noteField = form.elements.namedItem('note');
        if (!cancelled && noteField instanceof HTMLTextAreaElement) noteField.value = '';
        return;
      }
      for (const issue of parsed.error.issues) {
        const key = issue.path.replace(/^checkIns\.?/, '').split(/[.[]/)[0] ?? '';
        const field: Field = key === 'milestonesDone' ? 'milestones' : (['value', 'done', 'confidence', 'note'] as string[]).includes(key) ? (key as Field) : 'form';
        errors[field] ??= `${field === 'form' && key ? `${key}: ` : ''}${issue.message[0]!.toUpperCase()}${issue.message.slice(1)}.`;
      }
    }
    this._saved = undefined;
    this._errors = errors;
    void this.updateComplete.then(() => {
      (this.renderRoot.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
    });
  }

  private _described(field: Field, hint?: string) {
    const ids = [hint, this._errors[field] ? `${field}-error` : undefined].filter(Boolean).join(' ');
    return ids || nothing;
  }

  private _fieldError(field: Field) {
    const msg = this._errors[field];
    return msg ? html`<p class="error" part="error" id="${field}-error">${msg}</p>` : nothing;
  }

  protected override renderBody(doc: CandorDocument | undefined): TemplateResult {
    if (!doc) return this.message('No key result to check in on.');
    const kr = this._kr(doc);
    if (!kr) return this.message(this.keyResultId ? `No key result with id “${this.keyResultId}”.` : 'No key results yet.');
    const v = scoresOf(doc).keyResults.get(kr.id);
    const latest = (indexOf(doc).checkInsOf.get(kr.id) ?? []).reduce<CheckIn | undefined>(
      (a, c) => (!a || Date.parse(c.at) > Date.parse(a.at) ? c : a),
      undefined,
    );
    const confidence = this._confidence ?? Math.round((v?.confidence ?? 0.7) * 10);
    const m = kr.metric;
    let input: TemplateResult;
    if (m.kind === 'milestones') {
      const done = new Set(latest?.milestonesDone ?? []);
      input = html`<fieldset aria-describedby=${this._described('milestones')}>
        <legend>Milestones done</legend>
        ${m.items.map((it) => html`<label class="check"><input type="checkbox" name="milestone" value=${it.id} ?checked=${done.has(it.id)} />${it.title}</label>`)}
        ${this._fieldError('milestones')}
      </fieldset>`;
    } else if (m.kind === 'boolean') {
      input = html`<div class="field">
        <label class="check"><input type="checkbox" name="done" ?checked=${latest?.done === true} aria-invalid=${this._errors.done ? 'true' : 'false'} aria-describedby=${this._described('done')} />Done</label>
        ${this._fieldError('done')}
      </div>`;
    } else {
      const unit = 'unit' in m && m.unit ? ` (${m.unit})` : m.kind !== 'maintain-above' && m.kind !== 'maintain-below' && m.format === 'percent' ? ' (%)' : '';
      const hint =
        m.kind === 'increase' || m.kind === 'decrease'
          ? `From ${metricValue(this.locale, m, m.start)} to ${metricValue(this.locale, m, m.target)}.`
          : `Keep ${m.kind === 'maintain-above' ? 'at or above' : 'at or below'} ${metricValue(this.locale, m, (m as MaintainMetric).threshold)}.`;
      input = html`<div class="field">
        <label for="value">Value now${unit}</label>
        <input
          id="value"
          name="value"
          type="number"
          step="any"
          inputmode="decimal"
          .value=${latest?.value === undefined ? '' : String(latest.value)}
          aria-invalid=${this._errors.value ? 'true' : 'false'}
          aria-describedby=${this._described('value', 'value-hint')}
        />
        <span class="hint" id="value-hint">${hint}</span>
        ${this._fieldError('value')}
      </div>`;
    }
    return html`<form part="form" novalidate @submit=${this._submit} aria-labelledby="kr-title">
      <h3 id="kr-title">Check in: ${kr.title}</h3>
      ${input}
      <div class="field">
        <div class="row">
          <label for="confidence">Confidence</label>
          <output for="confidence" id="confidence-out">${confidence}/10 · ${CONFIDENCE_WORDS[confidence]}</output>
        </div>
        <input
          id="confidence"
          name="confidence"
          type="range"
          min="0"
          max="10"
          step="1"
          .value=${String(confidence)}
          aria-valuetext=${`${confidence} of 10, ${CONFIDENCE_WORDS[confidence]}`}
          aria-invalid=${this._errors.confidence ? 'true' : 'false'}
          aria-describedby=${this._described('confidence')}
          @input=${(e: Event) => (this._confidence = Number((e.target as HTMLInputElement).value))}
        />
        ${this._fieldError('confidence')}
      </div>
      <div class="field">
        <label for="note">Note</label>
        <textarea id="note" name="note" maxlength="5000" aria-invalid=${this._errors.note ? 'true' : 'false'} aria-describedby=${this._described('note')}></textarea>
        ${this._fieldError('note')}
      </div>
      ${this._errors.form ? html`<p class="error" part="error" role="alert">${this._errors.form}</p>` : nothing}
      <button type="submit" part="submit">Check in</button>
      <p class="done" role="status">${this._saved ?? ''}</p>
    </form>`;
  }
}
