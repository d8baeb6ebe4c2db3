/**
 * The directory the rule reads: who is in the organisation, which teams they belong to, which teams
 * are members-only, who the admins are. The server builds it from its config; clients read it from
 * the `company` space (people, teams, and `meta.organisation` / `meta.admins`, which only the server
 * writes). A workspace that was never connected to a server is *personal*: its person may write
 * everything, and only placement and validity are checked.
 */
import type * as Y from 'yjs';

export interface DirectoryInput {
  /** The organisation's name: present when a server governs these spaces. */
  organisation?: string;
  /** `formerTeamIds`: teams a person has left; what they wrote there while a member stays theirs. */
  people: Iterable<{ id: string; teamIds?: readonly string[]; formerTeamIds?: readonly string[] }>;
  teams: Iterable<{ id: string; visibility?: 'public' | 'members' | string }>;
  admins?: Iterable<string>;
}

/** The keys of the `company` space's `meta` map the server writes. */
export const META_ORGANISATION = 'organisation';
export const META_ADMINS = 'admins';

export class Directory {
  /** True when a server governs the spaces (writers are checked); false for a personal workspace. */
  readonly governed: boolean;
  readonly organisation: string | undefined;
  private readonly people = new Map<string, readonly string[]>();
  private readonly members = new Map<string, Set<string>>();
  private readonly former = new Map<string, Set<string>>();
  private readonly membersOnly = new Set<string>();
  private readonly teamIds = new Set<string>();
  private readonly admins: Set<string>;
  private readonly mates = new Map<string, Set<string>>();
  /** Equal for directories that decide the same: caches keyed by it stay valid across rebuilds. */
  readonly signature: string;

  constructor(input: DirectoryInput) {
    this.organisation = input.organisation;
    this.governed = typeof input.organisation === 'string';
    for (const t of input.teams) {
      this.teamIds.add(t.id);
      if (!this.members.has(t.id)) this.members.set(t.id, new Set());
      if (t.visibility === 'members') this.membersOnly.add(t.id);
    }
    for (const p of input.people) {
      const teams = [...(p.teamIds ?? [])];
      this.people.set(p.id, teams);
      for (const t of teams) {
        let set = this.members.get(t);
        if (!set) this.members.set(t, (set = new Set()));
        set.add(p.id);
      }
      for (const t of p.formerTeamIds ?? []) {
        let set = this.former.get(t);
        if (!set) this.former.set(t, (set = new Set()));
        set.add(p.id);
      }
    }
    this.admins = new Set(input.admins ?? []);
    const parts: string[] = [this.governed ? `org:${this.organisation}` : 'personal'];
    parts.push('a:' + [...this.admins].sort().join(','));
    parts.push('m:' + [...this.membersOnly].sort().join(','));
    for (const id of [...this.people.keys()].sort()) parts.push(`${id}=${[...this.people.get(id)!].sort().join(',')}`);
    for (const t of [...this.former.keys()].sort()) parts.push(`former:${t}=${[...this.former.get(t)!].sort().join(',')}`);
    this.signature = parts.join('\n');
  }

  /** A personal workspace: one person, no server. */
  static personal(): Directory {
    return new Directory({ people: [], teams: [] });
  }

  /**
   * The directory as the `company` space holds it. People and teams are read as stored (their ids
   * and team ids only); a record the rule would skip still names a person's teams, which is safe:
   * only the server writes the company space of a governed organisation.
   */
  static fromCompanySpace(doc: Y.Doc | undefined): Directory {
    if (!doc) return Directory.personal();
    const meta = doc.getMap('meta');
    const organisation = meta.get(META_ORGANISATION);
    const admins = meta.get(META_ADMINS);
    const people: { id: string; teamIds: string[]; formerTeamIds: string[] }[] = [];
    const ids = (v: unknown) => (Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : []);
    doc.getMap('people').forEach((value, id) => {
      people.push({ id, teamIds: ids(readField(value, 'teamIds')), formerTeamIds: ids(readField(value, 'formerTeamIds')) });
    });
    const teams: { id: string; visibility?: string }[] = [];
    doc.getMap('teams').forEach((value, id) => {
      const visibility = readField(value, 'visibility');
      teams.push({ id, ...(typeof visibility === 'string' ? { visibility } : {}) });
    });
    const tombstones = doc.getMap('tombstones');
    return new Directory({
      ...(typeof organisation === 'string' ? { organisation } : {}),
      people: people.filter((p) => !tombstones.has(`people/${p.id}`)),
      teams: teams.filter((t) => !tombstones.has(`teams/${t.id}`)),
      admins: Array.isArray(admins) ? admins.filter((a): a is string => typeof a === 'string') : [],
    });
  }

  isPerson(id: string): boolean {
    return !this.governed || this.people.has(id);
  }

  isTeam(id: string): boolean {
    return !this.governed || this.teamIds.has(id);
  }

  isAdmin(id: string): boolean {
    return !this.governed || this.admins.has(id);
  }

  isMember(personId: string, teamId: string): boolean {
    return !this.governed || (this.members.get(teamId)?.has(personId) ?? false);
  }

  /** Whether a person was a member of a team and has left it (see `formerTeamIds`). */
  wasMember(personId: string, teamId: string): boolean {
    return this.former.get(teamId)?.has(personId) ?? false;
  }

  /** Whether only the team's members read its spaces. */
  isMembersOnly(teamId: string): boolean {
    return this.membersOnly.has(teamId);
  }

  /** Whether two people share a team (a person is their own teammate). */
  areTeammates(a: string, b: string): boolean {
    if (!this.governed || a === b) return true;
    let set = this.mates.get(a);
    if (!set) {
      set = new Set([a]);
      for (const t of this.people.get(a) ?? []) for (const m of this.members.get(t) ?? []) set.add(m);
      this.mates.set(a, set);
    }
    return set.has(b);
  }

  teamsOf(personId: string): readonly string[] {
    return this.people.get(personId) ?? [];
  }

  /** Everyone in the directory. */
  personIds(): IterableIterator<string> {
    return this.people.keys();
  }

  teams(): IterableIterator<string> {
    return this.teamIds.values();
  }
}

function readField(value: unknown, field: string): unknown {
  if (value && typeof value === 'object') {
    const get = (value as { get?: (k: string) => unknown }).get;
    if (typeof get === 'function' && !Array.isArray(value)) return get.call(value, field);
    return (value as Record<string, unknown>)[field];
  }
  return undefined;
}
