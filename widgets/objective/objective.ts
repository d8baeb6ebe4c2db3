import { html, nothing, type TemplateResult } from 'lit';
import type { CandorDocument } from '../../core/model/index.ts';
import { alignmentPath } from '../../core/scoring/index.ts';
import { CandorElement } from '../shared/base.ts';
import { indexOf, ownerName, scoresOf } from '../shared/data.ts';
import { emit } from '../shared/emit.ts';
import { linkify } from '../shared/links.ts';
import { score } from '../shared/format.ts';
import { statusPill } from '../shared/status.ts';
import { objectiveStyles } from './objective.styles.ts';

/**
 * An objective as a card: title, owner, type (committed or aspirational), status and score, its key
 * results and "why it matters" — the chain of objectives it supports up to the company's.
 * Select it with `objective-id` (default: the first objective).
 *
 * @summary An objective card with its key results and alignment.
 * @tagname candor-objective
 * @csspart card - The card.
 * @csspart title - The title (a button that emits `candor-select`).
 * @csspart status - The status pill.
 * @csspart description - The description (text; http(s) and mailto URLs become links).
 * @csspart link - A link in the description.
 * @csspart why - The "why it matters" chain.
 * @csspart key-results - The list of key results.
 * @event candor-select - The title or an objective in the chain was activated. detail: `{ kind: 'objective', id }`
 */
export class CandorObjective extends CandorElement {
  static override styles = [...CandorElement.styles, objectiveStyles];
  static override properties = {
    ...CandorElement.properties,
    compact: { type: Boolean, reflect: true },
  };

  /** A short card (no description; key results as a count), for boards. */
  declare compact: boolean;

  constructor() {
    super();
    this.compact = false;
  }

  protected override renderBody(doc: CandorDocument | undefined): TemplateResult {
    if (!doc) return this.message('No objective to show.');
    const i = indexOf(doc);
    const id = this.objectiveId ?? doc.objectives[0]?.id;
    const o = id === undefined ? undefined : i.objectives.get(id);
    if (!o) return this.message(id ? `No objective with id “${id}”.` : 'No objectives yet.');
    const v = scoresOf(doc).objectives.get(o.id);
    const krs = i.keyResultsOf.get(o.id) ?? [];
    const path = alignmentPath(doc, o.id);
    const select = (oid: string) => () => emit(this, 'candor-select', { kind: 'objective', id: oid });
    const cycle = doc.cycles.find((c) => c.id === o.cycleId);
    const headingId = "heading";
    const meterFor = (variant: 'bar' | 'ring') =>
      html`<candor-progress
        variant=${variant}
        .value=${v?.score ?? 0}
        .expected=${v?.expected}
        status=${v?.status ?? nothing}
        label=${`Score of ${o.title}`}
        locale=${this.locale ?? nothing}
        theme=${this.theme ?? nothing}
      ></candor-progress>`;
    return html`<article class="card" part="card" aria-labelledby=${headingId}>
      <div class="head">
        <div class="heading">
          <h3 id=${headingId}><button class="title" part="title" @click=${select(o.id)}>${o.title}</button></h3>
          <div class="meta">
            ${v ? statusPill(v.status) : nothing}
            <span>${ownerName(doc, o)}</span>
            <span class="type">${o.type === 'aspirational' ? 'Aspirational' : 'Committed'}</span>
            ${cycle ? html`<span>${cycle.name}</span>` : nothing}
            ${v ? html`<span>Score <strong>${score(this.locale, v.score)}</strong></span>` : nothing}
            ${this.compact ? html`<span>${krs.length} key result${krs.length === 1 ? '' : 's'}</span>` : nothing}
          </div>
        </div>
        ${this.compact ? nothing : meterFor('ring')}
      </div>
      ${this.compact ? meterFor('bar') : nothing}
      ${!this.compact && o.description ? html`<p class="desc" part="description">${linkify(o.description)}</p>` : nothing}
      ${path.length && !this.compact
        ? html`<div class="why" part="why">
            <span>Supports</span>
            <ol aria-label="Why it matters: the objectives this one supports">
              ${path.map((p) => html`<li><button @click=${select(p.id)}>${p.title}</button></li>`)}
            </ol>
          </div>`
        : nothing}
      ${v?.flaggedForReflection ? html`<div class="flag">Ended below its ${o.type} expectation — worth a reflection.</div>` : nothing}
      ${this.compact || !krs.length
        ? nothing
        : html`<ul class="krs" part="key-results" aria-label="Key results">
            ${krs.map(
              (k) =>
                html`<li>
                  <candor-key-result embedded .document=${doc} key-result-id=${k.id} locale=${this.locale ?? nothing} theme=${this.theme ?? nothing}></candor-key-result>
                </li>`,
            )}
          </ul>`}
    </article>`;
  }
}
