import { html, nothing, type TemplateResult } from 'lit';
import type { CandorDocument, Objective } from '../../core/model/index.ts';
import { currentCycle, netConfidence, type Status } from '../../core/scoring/index.ts';
import { CandorElement } from '../shared/base.ts';
import { indexOf, scoresOf } from '../shared/data.ts';
import { numberFormat, score, STATUS_LABEL } from '../shared/format.ts';
import { boardStyles } from './team-board.styles.ts';

const ORDER: Status[] = ['off-track', 'at-risk', 'stale', 'on-track', 'done'];

/** A team's objectives in a cycle: those the team owns, then its members'. */
export function teamObjectives(doc: CandorDocument, teamId: string, cycleId: string | undefined): Objective[] {
  const members = new Set(doc.people.filter((p) => p.teamIds.includes(teamId)).map((p) => p.id));
  const inCycle = (o: Objective) => (cycleId === undefined || o.cycleId === cycleId) && o.state !== 'draft';
  const owned = doc.objectives.filter((o) => inCycle(o) && o.owner.kind === 'team' && o.owner.id === teamId);
  const theirs = doc.objectives.filter((o) => inCycle(o) && o.owner.kind === 'person' && members.has(o.owner.id));
  return [...owned, ...theirs];
}

/**
 * One team's objectives for a cycle as a grid of cards, with a status summary and the team's net
 * confidence score (% of key results on track − % off track). `team-id` picks the team (default:
 * the first); `cycle-id` the cycle (default: the current one).
 *
 * @summary A team's objectives with a status summary and net confidence.
 * @tagname candor-team-board
 * @csspart header - The heading, summary and net confidence.
 * @csspart summary - The list of status counts.
 * @csspart grid - The grid of objective cards.
 * @cssprop --candor-board-column - Minimum card width (default 260px).
 * @event candor-select - Bubbles from the cards: an objective was activated. detail: `{ kind: 'objective', id }`
 */
export class CandorTeamBoard extends CandorElement {
  static override styles = [...CandorElement.styles, boardStyles];
  static override properties = {
    ...CandorElement.properties,
    cycleId: { type: String, attribute: 'cycle-id', reflect: true },
  };

  /** The cycle to show (default: the one running now, else every cycle). */
  declare cycleId: string | undefined;

  protected override renderBody(doc: CandorDocument | undefined): TemplateResult {
    if (!doc) return this.message('No team to show.');
    const teamId = this.teamId ?? doc.teams[0]?.id;
    const team = teamId === undefined ? undefined : indexOf(doc).teams.get(teamId);
    if (!team) return this.message(teamId ? `No team with id “${teamId}”.` : 'No teams yet.');
    const cycle = this.cycleId ? doc.cycles.find((c) => c.id === this.cycleId) : currentCycle(doc);
    const objectives = teamObjectives(doc, team.id, cycle?.id);
    const s = scoresOf(doc);
    const statuses: Status[] = [];
    const counts = new Map<Status, number>();
    for (const o of objectives) {
      const v = s.objectives.get(o.id);
      if (v) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
      for (const k of v?.keyResults ?? []) statuses.push(k.status);
    }
    const ncs = statuses.length ? netConfidence(statuses) : undefined;
    const mean = objectives.length ? objectives.reduce((a, o) => a + (s.objectives.get(o.id)?.score ?? 0), 0) / objectives.length : 0;
    const fmt = numberFormat(this.locale, { signDisplay: 'exceptZero', maximumFractionDigits: 0 });
    return html`<section class="board" aria-labelledby="team">
      <header part="header">
        <div>
          <h2 id="team">${team.name}</h2>
          <span class="muted">${cycle ? cycle.name : 'All cycles'} · ${objectives.length} objective${objectives.length === 1 ? '' : 's'} · mean score ${score(this.locale, mean)}</span>
        </div>
        <ul class="summary" part="summary" aria-label="Objectives by status">
          ${ORDER.filter((st) => counts.get(st)).map(
            (st) => html`<li class="status ${st}"><span class="dot" aria-hidden="true"></span>${counts.get(st)} ${STATUS_LABEL[st]!.toLowerCase()}</li>`,
          )}
        </ul>
        <div class="ncs" title="Net confidence: % of key results on track minus % off track">
          <b>${ncs === undefined ? '—' : fmt.format(ncs)}</b><span>net confidence</span>
        </div>
      </header>
      ${objectives.length
        ? html`<ul class="grid" part="grid">
            ${objectives.map(
              (o) => html`<li>
                <candor-objective compact .document=${doc} objective-id=${o.id} locale=${this.locale ?? nothing} theme=${this.theme ?? nothing}></candor-objective>
              </li>`,
            )}
          </ul>`
        : this.message('This team has no objectives in this cycle yet.')}
    </section>`;
  }
}
