import { html, nothing, type TemplateResult } from 'lit';
import type { CandorDocument, CheckIn, KeyResult } from '../../core/model/index.ts';
import { CandorElement } from '../shared/base.ts';
import { indexOf, personName } from '../shared/data.ts';
import { emit } from '../shared/emit.ts';
import { dateFormat, dateTime, dayHeading, metricValue, relativeTime } from '../shared/format.ts';
import { confidenceText } from '../key-result/summary.ts';
import { feedStyles } from './checkin-feed.styles.ts';

/** The check-ins a selection covers, newest first. */
export function selectCheckIns(
  doc: CandorDocument,
  sel: { keyResultId?: string | undefined; objectiveId?: string | undefined; personId?: string | undefined; teamId?: string | undefined },
): CheckIn[] {
  const i = indexOf(doc);
  let list: CheckIn[];
  if (sel.keyResultId) list = [...(i.checkInsOf.get(sel.keyResultId) ?? [])];
  else if (sel.objectiveId) list = (i.keyResultsOf.get(sel.objectiveId) ?? []).flatMap((k) => i.checkInsOf.get(k.id) ?? []);
  else if (sel.personId) list = doc.checkIns.filter((c) => c.authorId === sel.personId);
  else if (sel.teamId) {
    const team = sel.teamId;
    list = doc.checkIns.filter((c) => {
      if (i.people.get(c.authorId)?.teamIds.includes(team)) return true;
      const kr = i.keyResults.get(c.keyResultId);
      const o = kr && i.objectives.get(kr.objectiveId);
      return o?.owner.kind === 'team' && o.owner.id === team;
    });
  } else list = [...doc.checkIns];
  // ISO instants with offsets do not sort as strings; compare instants.
  return list.map((c) => [Date.parse(c.at), c] as const).sort((a, b) => b[0] - a[0]).map((x) => x[1]);
}

function checkInValue(kr: KeyResult | undefined, c: CheckIn, locale?: string): string | undefined {
  if (!kr) return c.value === undefined ? undefined : String(c.value);
  const m = kr.metric;
  if (m.kind === 'milestones') return `${c.milestonesDone?.length ?? 0} of ${m.items.length} milestones`;
  if (m.kind === 'boolean') return c.done ? 'Done' : 'Not done yet';
  return c.value === undefined ? undefined : metricValue(locale, m, c.value);
}

// An icon drawn in SVG: emoji fonts are missing on many intranet machines.
const clap = html`<svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M8 14s-5.5-3.2-5.5-7A3 3 0 0 1 8 4.6 3 3 0 0 1 13.5 7c0 3.8-5.5 7-5.5 7z"></path></svg>`;

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('') || '?';

/**
 * Recent check-ins, newest first and grouped by day, with their notes, blockers, comments and kudos,
 * and a kudos button. Narrow it with `key-result-id`, `objective-id`, `person-id` or `team-id`.
 *
 * @summary Recent check-ins with comments and kudos.
 * @tagname candor-checkin-feed
 * @csspart day - A day's group.
 * @csspart entry - One check-in.
 * @csspart note - A check-in's note.
 * @csspart kudos-button - The kudos button.
 * @event candor-kudos - The kudos button was pressed. detail: `{ target: { kind: 'checkIn', id }, toIds }`
 */
export class CandorCheckinFeed extends CandorElement {
  static override styles = [...CandorElement.styles, feedStyles];
  static override properties = {
    ...CandorElement.properties,
    limit: { type: Number, reflect: true },
    _given: { state: true },
  };

  /** Show at most this many check-ins (default 50). */
  declare limit: number;
  declare private _given: Set<string>;

  constructor() {
    super();
    this.limit = 50;
    this._given = new Set();
  }

  private _kudos(c: CheckIn) {
    emit(this, 'candor-kudos', { target: { kind: 'checkIn', id: c.id }, toIds: [c.authorId] });
    this._given = new Set(this._given).add(c.id);
  }

  private _entry(doc: CandorDocument, c: CheckIn, now: number): TemplateResult {
    const i = indexOf(doc);
    const kr = i.keyResults.get(c.keyResultId);
    const author = personName(doc, c.authorId);
    const value = checkInValue(kr, c, this.locale);
    const comments = i.commentsOn.get(`checkIn:${c.id}`) ?? [];
    const kudos = i.kudosOn.get(`checkIn:${c.id}`) ?? [];
    const given = this._given.has(c.id);
    const count = kudos.length + (given ? 1 : 0);
    return html`<li class="entry" part="entry">
      <span class="avatar" aria-hidden="true">${initials(author)}</span>
      <div class="body">
        <div class="who"><strong>${author}</strong> checked in on <strong>${kr?.title ?? c.keyResultId}</strong></div>
        <div class="facts">
          ${value === undefined ? nothing : html`<span>Now <b>${value}</b></span>`}
          <span>Confidence <b>${confidenceText(c.confidence, this.locale)}</b></span>
          <time datetime=${c.at} title=${dateTime(this.locale, c.at)}>${relativeTime(this.locale, c.at, now)}</time>
        </div>
        ${c.note ? html`<p class="note" part="note">${c.note}</p>` : nothing}
        ${c.blockers ? html`<p class="blockers"><strong>Blockers:</strong> ${c.blockers}</p>` : nothing}
        ${comments.length
          ? html`<ol class="comments" aria-label="Comments">
              ${comments.map((m) => html`<li><strong>${personName(doc, m.authorId)}:</strong> ${m.text}</li>`)}
            </ol>`
          : nothing}
        ${kudos.length
          ? html`<ol class="comments" aria-label="Kudos">
              ${kudos.map((k) => html`<li>${clap} <strong>${personName(doc, k.fromId)}</strong>${k.message ? html`: ${k.message}` : nothing}</li>`)}
            </ol>`
          : nothing}
        <div class="actions">
          <button class="kudos" part="kudos-button" aria-pressed=${given ? 'true' : 'false'} @click=${() => this._kudos(c)}>
            ${clap} Kudos<span class="sr-only"> to ${author}</span>${count ? html` · ${count}` : nothing}
          </button>
        </div>
      </div>
    </li>`;
  }

  protected override renderBody(doc: CandorDocument | undefined): TemplateResult {
    if (!doc) return this.message('No check-ins to show.');
    const all = selectCheckIns(doc, this);
    const shown = all.slice(0, Math.max(0, this.limit));
    if (!shown.length) return this.message('No check-ins yet.');
    const dayKey = dateFormat(this.locale, { year: 'numeric', month: '2-digit', day: '2-digit' });
    const days: { key: string; first: string; items: CheckIn[] }[] = [];
    for (const c of shown) {
      const key = dayKey.format(new Date(c.at));
      const last = days[days.length - 1];
      if (last?.key === key) last.items.push(c);
      else days.push({ key, first: c.at, items: [c] });
    }
    const now = Date.now();
    return html`<section class="feed" aria-label="Check-ins">
      ${days.map(
        (d) => html`<section part="day">
          <h3>${dayHeading(this.locale, d.first)}</h3>
          <ol>
            ${d.items.map((c) => this._entry(doc, c, now))}
          </ol>
        </section>`,
      )}
      ${all.length > shown.length ? html`<p class="more">${all.length - shown.length} older check-ins not shown.</p>` : nothing}
    </section>`;
  }
}
