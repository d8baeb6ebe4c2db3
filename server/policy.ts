/**
 * Who may do what: which spaces a person writes or reads over the WebSocket, and which records a
 * requester sees in the organisation's document over HTTP.
 */
import { emptyDocument, type CandorDocument, type Objective } from '../core/model/index.ts';
import { parseSpaceId, type SpaceId } from '../core/store/space.ts';
import type { ServerConfig } from './config.ts';

export type Viewer = { kind: 'person'; id: string } | { kind: 'anonymous' };
export type Access = { access: 'write' | 'read' } | { refused: string };

/** The organisation as the config describes it, indexed for the questions the server asks. */
export class Organisation {
  readonly people = new Map<string, ServerConfig['people'][number]>();
  readonly teams = new Map<string, ServerConfig['teams'][number]>();
  readonly admins: Set<string>;
  private readonly members = new Map<string, Set<string>>();
  private readonly teammates = new Map<string, Set<string>>();

  constructor(readonly config: ServerConfig) {
    for (const t of config.teams) {
      this.teams.set(t.id, t);
      this.members.set(t.id, new Set());
    }
    for (const p of config.people) {
      this.people.set(p.id, p);
      for (const t of p.teamIds) this.members.get(t)?.add(p.id);
    }
    for (const p of config.people) {
      const mates = new Set<string>([p.id]);
      for (const t of p.teamIds) for (const m of this.members.get(t) ?? []) mates.add(m);
      this.teammates.set(p.id, mates);
    }
    this.admins = new Set(config.admins);
  }

  isMember(personId: string, teamId: string): boolean {
    return this.members.get(teamId)?.has(personId) ?? false;
  }

  /** People who share at least one team with this person (and the person). */
  areTeammates(a: string, b: string): boolean {
    return this.teammates.get(a)?.has(b) ?? false;
  }

  /** Every space this organisation can have: `company`, one per team, one per person. */
  spaces(): SpaceId[] {
    return ['company', ...[...this.teams.keys()].map((t) => `team:${t}`), ...[...this.people.keys()].map((p) => `person:${p}`)];
  }

  /** The spaces a person should sync: their own and their teams' read-write, the rest they may read. */
  spacesOf(personId: string): { space: SpaceId; access: 'write' | 'read' }[] {
    const out: { space: SpaceId; access: 'write' | 'read' }[] = [];
    for (const space of this.spaces()) {
      const a = this.access(personId, space);
      if ('access' in a) out.push({ space, access: a.access });
    }
    return out;
  }

  /**
   * What a person may do with a space over the WebSocket. Writes: one's own `person:` space, the
   * teams one belongs to, `company` for admins. Reads: `company` and public teams for everyone in the
   * organisation, members-only teams for their members, a person's space for their teammates (it
   * carries their team-visible objectives). `private:` spaces never leave the browser.
   */
  access(personId: string, space: SpaceId): Access {
    const parsed = parseSpaceId(space);
    if (!parsed) return { refused: `unknown-space: "${space}" is not a Candor space (company, team:<id>, person:<id>)` };
    if (!this.people.has(personId)) return { refused: `unknown-person: "${personId}" is not in this organisation` };
    switch (parsed.kind) {
      case 'private':
        return { refused: `private-space: "${space}" is local-only; private objectives never leave the browser` };
      case 'company':
        return { access: this.admins.has(personId) ? 'write' : 'read' };
      case 'team': {
        const team = this.teams.get(parsed.id!);
        if (!team) return { refused: `unknown-space: no team "${parsed.id}" in this organisation` };
        if (this.isMember(personId, team.id)) return { access: 'write' };
        if (team.visibility === 'members') return { refused: `forbidden: the space of team "${team.id}" is for its members only` };
        return { access: 'read' };
      }
      case 'person': {
        const owner = parsed.id!;
        if (!this.people.has(owner)) return { refused: `unknown-space: no person "${owner}" in this organisation` };
        if (owner === personId) return { access: 'write' };
        if (this.areTeammates(personId, owner)) return { access: 'read' };
        return { refused: `forbidden: "${space}" is shared with ${owner}'s teammates only; read the organisation view at /v1/document` };
      }
    }
  }

  /** Whether a viewer may see an objective (which is known to sit in its owner's space). */
  canSee(viewer: Viewer, o: Pick<Objective, 'owner' | 'visibility'>): boolean {
    if (o.visibility === 'private') return false;
    const inMembersOnlyTeam = o.owner.kind === 'team' && this.teams.get(o.owner.id)?.visibility === 'members';
    if (viewer.kind === 'anonymous') return o.visibility === 'public' && !inMembersOnlyTeam;
    if (!this.people.has(viewer.id)) return false;
    if (inMembersOnlyTeam) return this.isMember(viewer.id, o.owner.id);
    if (o.visibility === 'public') return true;
    // visibility 'team'
    if (o.owner.kind === 'person') return this.areTeammates(viewer.id, o.owner.id);
    if (o.owner.kind === 'team') return this.isMember(viewer.id, o.owner.id);
    return true; // the company's team is everyone
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

function ownerSpace(o: Pick<Objective, 'owner'>): SpaceId {
  return o.owner.kind === 'company' ? 'company' : `${o.owner.kind}:${o.owner.id}`;
}

/**
 * The organisation's document as one viewer may see it, from each space's records. A record counts
 * only where it belongs (an objective in its owner's space, its key results and check-ins beside it,
 * comments, kudos and reflections in their author's space, people, teams and cycles in `company`), so
 * no one can publish in someone else's name by writing into their own space. Objectives are filtered
 * by visibility, and everything hanging off them with them.
 */
export function viewOf(parts: readonly (readonly [SpaceId, CandorDocument])[], viewer: Viewer, org: Organisation, at?: string): CandorDocument {
  const out = emptyDocument(at);
  const seen = new Set<string>();
  const once = (kind: string, id: string) => {
    const key = `${kind}\u0000${id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const objectives = new Set<string>();
  const keyResults = new Set<string>();
  const checkIns = new Set<string>();
  const reflections = new Set<string>();
  const sorted = [...parts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [space, doc] of sorted) {
    if (space === 'company') {
      for (const p of doc.people) {
        if (!once('people', p.id)) continue;
        out.people.push(viewer.kind === 'anonymous' ? withoutEmail(p) : p);
      }
      for (const t of doc.teams) if (once('teams', t.id)) out.teams.push(t);
      for (const c of doc.cycles) if (once('cycles', c.id)) out.cycles.push(c);
    }
    const local = new Set<string>();
    for (const o of doc.objectives) {
      if (ownerSpace(o) !== space || !org.canSee(viewer, o) || !once('objectives', o.id)) continue;
      objectives.add(o.id);
      local.add(o.id);
      out.objectives.push(o);
    }
    const localKrs = new Set<string>();
    for (const k of doc.keyResults) {
      if (!local.has(k.objectiveId) || !once('keyResults', k.id)) continue;
      keyResults.add(k.id);
      localKrs.add(k.id);
      out.keyResults.push(k);
    }
    for (const c of doc.checkIns) {
      if (!localKrs.has(c.keyResultId) || !once('checkIns', c.id)) continue;
      checkIns.add(c.id);
      out.checkIns.push(c);
    }
  }
  // Second pass: what people write about others' records (their own space, any target).
  const canSeeTarget = (t: { kind: string; id: string }) => {
    switch (t.kind) {
      case 'objective':
        return objectives.has(t.id);
      case 'keyResult':
        return keyResults.has(t.id);
      case 'checkIn':
        return checkIns.has(t.id);
      case 'reflection':
        return reflections.has(t.id);
      default:
        return viewer.kind === 'person';
    }
  };
  for (const [space, doc] of sorted) {
    for (const r of doc.reflections) {
      if (space !== `person:${r.authorId}` || !objectives.has(r.objectiveId) || !once('reflections', r.id)) continue;
      reflections.add(r.id);
      out.reflections.push(r);
    }
  }
  for (const [space, doc] of sorted) {
    for (const c of doc.comments) if (space === `person:${c.authorId}` && canSeeTarget(c.target) && once('comments', c.id)) out.comments.push(c);
    for (const k of doc.kudos) if (space === `person:${k.fromId}` && canSeeTarget(k.target) && once('kudos', k.id)) out.kudos.push(k);
  }
  return out;
}
