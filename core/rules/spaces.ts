/**
 * Space ids: `company`, `team:<id>` (a team's public objectives), `members:<id>` (a team's
 * team-visible objectives, read by its members only), `person:<id>`, and the local-only
 * `private:<personId>`. Build and read them only with these helpers.
 */

/** `company` | `team:<id>` | `members:<id>` | `person:<id>` | `private:<personId>` (local-only, never synced). */
export type SpaceId = string;
export type SpaceKind = 'company' | 'team' | 'members' | 'person' | 'private';

const KINDS: ReadonlySet<string> = new Set(['team', 'members', 'person', 'private']);

/** Reads a space id; `null` when it is not one. */
export function parseSpaceId(id: string): { kind: SpaceKind; id?: string } | null {
  if (id === 'company') return { kind: 'company' };
  if (typeof id !== 'string') return null;
  const colon = id.indexOf(':');
  if (colon < 0) return null;
  const kind = id.slice(0, colon);
  const rest = id.slice(colon + 1);
  if (!rest || rest.trim() !== rest || rest.length > 200) return null;
  if (KINDS.has(kind)) return { kind: kind as SpaceKind, id: rest };
  return null;
}

export const companySpace = (): SpaceId => 'company';
export const teamSpace = (teamId: string): SpaceId => `team:${teamId}`;
export const membersSpace = (teamId: string): SpaceId => `members:${teamId}`;
export const personSpace = (personId: string): SpaceId => `person:${personId}`;
export const privateSpace = (personId: string): SpaceId => `private:${personId}`;
/** A private space lives only on this device: never sent to a server. */
export const isLocalOnly = (space: SpaceId): boolean => space.startsWith('private:');
