/**
 * Who may do what, on the server: the organisation's directory (from the config) and the record rule
 * from core/rules — which spaces a person may open over the WebSocket, and which records a requester
 * sees in the organisation's document over HTTP. No rule is written here twice: placement,
 * authorship and audience are core's.
 */
import { emptyDocument, type CandorDocument, type Target } from '../core/model/index.ts';
import { Directory, companySpace, maySeeObjective, mayReadSpace, membersSpace, parseSpaceId, personSpace, teamSpace, type SpaceId } from '../core/rules/index.ts';
import type { ServerConfig } from './config.ts';

export type Viewer = { kind: 'person'; id: string } | { kind: 'anonymous' };
export type Access = { access: 'write' | 'read' } | { refused: string };

/** The organisation as the config describes it, indexed for the questions the server asks. */
export class Organisation {
  readonly people = new Map<string, ServerConfig['people'][number]>();
  readonly teams = new Map<string, ServerConfig['teams'][number]>();
  readonly admins: Set<string>;
  /** The directory the record rule reads; the same one clients read from the company space. */
  readonly directory: Directory;

  constructor(readonly config: ServerConfig) {
    for (const t of config.teams) this.teams.set(t.id, t);
    for (const p of config.people) this.people.set(p.id, p);
    this.admins = new Set(config.admins);
    this.directory = new Directory({
      organisation: config.organisation,
      people: config.people,
      teams: config.teams,
      admins: config.admins,
    });
  }

  isMember(personId: string, teamId: string): boolean {
    return this.directory.isMember(personId, teamId);
  }

  /** People who share at least one team with this person (and the person). */
  areTeammates(a: string, b: string): boolean {
    return this.directory.areTeammates(a, b);
  }

  /** Every space this organisation can have: `company`, two per team (public and members), one per person. */
  spaces(): SpaceId[] {
    const teams = [...this.teams.keys()];
    return [companySpace(), ...teams.map(teamSpace), ...teams.map(membersSpace), ...[...this.people.keys()].map(personSpace)];
  }

  /** The spaces a person should sync (every space they may read). */
  spacesOf(personId: string): { space: SpaceId; access: 'write' | 'read' }[] {
    const out: { space: SpaceId; access: 'write' | 'read' }[] = [];
    for (const space of this.spaces()) {
      const a = this.access(personId, space);
      if ('access' in a) out.push({ space, access: a.access });
    }
    return out;
  }

  /**
   * What a person may do with a space over the WebSocket: open it when the record rule lets them read
   * it. Every reader may write there — a comment or kudos about what they read, their own check-ins —
   * and the server's update check (core/store/update-check.ts) admits each record by the rule.
   * `private:` spaces never leave the browser.
   */
  access(personId: string, space: SpaceId): Access {
    const parsed = parseSpaceId(space);
    if (!parsed) return { refused: `unknown-space: "${space}" is not a Candor space (company, team:<id>, members:<id>, person:<id>)` };
    if (!this.people.has(personId)) return { refused: `unknown-person: "${personId}" is not in this organisation` };
    if (parsed.kind === 'private') return { refused: `private-space: "${space}" is local-only; private objectives never leave the browser` };
    if (parsed.kind === 'team' || parsed.kind === 'members') {
      if (!this.teams.has(parsed.id!)) return { refused: `unknown-space: no team "${parsed.id}" in this organisation` };
    }
    if (parsed.kind === 'person' && !this.people.has(parsed.id!)) return { refused: `unknown-space: no person "${parsed.id}" in this organisation` };
    if (mayReadSpace(this.directory, personId, space)) return { access: 'write' };
    switch (parsed.kind) {
      case 'team':
        return { refused: `forbidden: the space of team "${parsed.id}" is for its members only` };
      case 'members':
        return { refused: `forbidden: "${space}" holds team "${parsed.id}"'s team-visible objectives and is for its members only` };
      default:
        return { refused: `forbidden: "${space}" is shared with ${parsed.id}'s teammates only; read the organisation view at /v1/document` };
    }
  }

  /** The cache key of a viewer's view: everyone with the same key sees the same document. */
  viewKey(viewer: Viewer): string {
    return viewer.kind === 'anonymous' ? 'anonymous' : `person:${viewer.id}`;
  }
}

/** People as anonymous readers see them (no email), one copy per stored record so caches keyed by it hold. */
const publicPeople = new WeakMap<object, CandorDocument['people'][number]>();
function withoutEmail(p: CandorDocument['people'][number]): CandorDocument['people'][number] {
  if (p.email === undefined) return p;
  let out = publicPeople.get(p);
  if (!out) {
    const { email: _email, ...rest } = p;
    publicPeople.set(p, (out = rest));
  }
  return out;
}

/**
 * The organisation's document as one viewer may see it. `document` is what `materialise` made of every
 * space under the record rule (so every record in it sits where it belongs, written by someone allowed
 * to); this keeps what the viewer's audience rights cover: objectives by `maySeeObjective`, and
 * everything hanging off them — key results, check-ins, reflections, what is said about them — with them.
 */
export function viewOf(document: CandorDocument, viewer: Viewer, org: Organisation, at?: string): CandorDocument {
  const dir = org.directory;
  const who = viewer.kind === 'person' ? viewer.id : null;
  const out = emptyDocument(at ?? document.generatedAt);
  out.people = who === null ? document.people.map(withoutEmail) : document.people;
  out.teams = document.teams;
  out.cycles = document.cycles;
  const objectives = new Set<string>();
  for (const o of document.objectives) {
    if (!maySeeObjective(dir, who, o)) continue;
    objectives.add(o.id);
    out.objectives.push(o);
  }
  const keyResults = new Set<string>();
  for (const k of document.keyResults) {
    if (!objectives.has(k.objectiveId)) continue;
    keyResults.add(k.id);
    out.keyResults.push(k);
  }
  const checkIns = new Set<string>();
  for (const c of document.checkIns) {
    if (!keyResults.has(c.keyResultId)) continue;
    checkIns.add(c.id);
    out.checkIns.push(c);
  }
  const reflections = new Set<string>();
  for (const r of document.reflections) {
    if (!objectives.has(r.objectiveId)) continue;
    reflections.add(r.id);
    out.reflections.push(r);
  }
  const canSeeTarget = (t: Target) => {
    switch (t.kind) {
      case 'objective':
        return objectives.has(t.id);
      case 'keyResult':
        return keyResults.has(t.id);
      case 'checkIn':
        return checkIns.has(t.id);
      case 'reflection':
        return reflections.has(t.id);
      case 'person':
        return who !== null;
      case 'team':
        return who !== null && (!dir.isMembersOnly(t.id) || dir.isMember(who, t.id));
      default:
        return false;
    }
  };
  for (const c of document.comments) if (canSeeTarget(c.target)) out.comments.push(c);
  for (const k of document.kudos) if (canSeeTarget(k.target)) out.kudos.push(k);
  return out;
}
