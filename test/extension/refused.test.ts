// When the team server refuses a write: the backend drops its copy of that space for the server's, and
// writes again — through the commands, so the rule holds — the records of mine the server did not get.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openBackend } from '../../extension/state/workspace-backend.ts';
import type { Persistence } from '../../extension/state/persistence.ts';
import { documentToSpaces, patchRecord } from '../../core/store/space.ts';
import { checkUpdate } from '../../core/store/update-check.ts';
import { Directory } from '../../core/rules/index.ts';
import { testConfig, testDocument } from '../server/harness.ts';

const config = testConfig() as { people: { id: string; teamIds: string[] }[]; teams: { id: string; visibility?: string }[]; admins: string[] };
const dir = new Directory({ organisation: 'Test Org', people: config.people, teams: config.teams, admins: config.admins });

function serverSpaces(): Map<string, Y.Doc> {
  const doc = testDocument();
  doc.keyResults.find((k) => k.id === 'company-public-kr')!.ownerId = 'bob';
  // The directory, as the server writes it into the company space.
  doc.people = config.people.map((p) => ({ id: p.id, name: p.id, teamIds: p.teamIds }));
  doc.teams = config.teams.map((t) => ({ id: t.id, name: t.id, leadIds: [], ...(t.visibility === 'members' ? { visibility: 'members' as const } : {}) }));
  const spaces = documentToSpaces(doc);
  spaces.get('company')!.getMap('meta').set('organisation', 'Test Org');
  spaces.get('company')!.getMap('meta').set('admins', ['dave']);
  return spaces;
}

/** A persistence holding copies of the given spaces (what the client had synced). */
function copiesOf(spaces: Map<string, Y.Doc>): Persistence {
  const stored = new Map<string, Y.Doc>();
  for (const [id, doc] of spaces) {
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    stored.set(id, copy);
  }
  return {
    load: async () => stored,
    dropSpace: async (id: string) => void stored.delete(id),
    attach: (ws: { subscribe(fn: (c: { local: boolean }) => void): () => void }, onChange: (local: boolean) => void) => ws.subscribe((c) => onChange(c.local)),
    flush: async () => {},
    snapshot: async () => {},
    backups: async () => [],
    backupDocument: async () => {
      throw new Error('none');
    },
    close() {},
  } as unknown as Persistence;
}

describe('a space the server refused', () => {
  it('is reloaded from the server, and my honest records there are written again; the refused one is not', async () => {
    const server = serverSpaces();
    const backend = await openBackend({ me: 'bob', persistence: copiesOf(server) });
    const before = Y.encodeStateVector(backend.spaces().get('company')!);
    await backend.checkIn('company-public-kr', { value: 77, confidence: 0.6 });
    const comment = await backend.comment({ kind: 'objective', id: 'company-public' }, 'Halfway there');
    // Meanwhile the admin hands the key result to someone else.
    patchRecord(server.get('company')!, 'keyResults', 'company-public-kr', { ownerId: 'dave' });
    // bob's offline changes to the company space, as one sync step: refused whole.
    const offline = Y.encodeStateAsUpdate(backend.spaces().get('company')!, before);
    const verdict = checkUpdate(server.get('company')!, offline, { space: 'company', writer: 'bob', dir });
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/"bob" may not check in on key result "company-public-kr"/) });

    const { doc, replay } = await backend.resetSpace('company');
    expect(backend.spaces().get('company')).toBe(doc);
    expect(backend.current().comments.some((c) => c.id === comment.id)).toBe(false);
    // The provider fills the fresh copy from the server…
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(server.get('company')!));
    const afterSync = Y.encodeStateVector(doc);
    // …and what of mine the server did not get is written again, as far as the rule allows.
    expect(await replay()).toBe(1);
    const current = backend.current();
    expect(current.comments.filter((c) => c.id === comment.id).map((c) => [c.text, c.authorId])).toEqual([['Halfway there', 'bob']]);
    expect(current.checkIns.some((c) => c.keyResultId === 'company-public-kr' && c.value === 77)).toBe(false);
    // This time the server takes it.
    const again = Y.encodeStateAsUpdate(doc, afterSync);
    expect(checkUpdate(server.get('company')!, again, { space: 'company', writer: 'bob', dir }).ok).toBe(true);
    backend.close();
  });
});
