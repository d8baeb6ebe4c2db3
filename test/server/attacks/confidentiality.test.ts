// Confidentiality: what is said about a record is read by exactly that record's audience, never by more
// people. Over the WebSocket a space is shared whole, so a record placed in a space read by more people
// than its target's audience leaks, whatever the HTTP view filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { CandorDocument } from '../../../core/model/index.ts';
import {
  Attacker,
  ATTACK_TOKENS,
  appendEntry,
  expectLegitCheckIn,
  expectRefusedAttack,
  freshClient,
  marker,
  now,
  objective,
  Org,
  putRecord,
  RawClient,
  storedContains,
  view,
  type AttackWrite,
  type Viewer,
  type Who,
} from './helpers.ts';

const EVERYONE: Viewer[] = ['alice', 'bob', 'carol', 'dave', 'erin', 'anonymous'];

/** A comment, kudos and a reflection by `author` about objective `target`, each its own attack, carrying `secret` in its text. */
function remarksAbout(author: Who, target: string, replicaWho: Who): AttackWrite[] {
  const shows = (collection: 'comments' | 'kudos' | 'reflections', id: string) => (d: CandorDocument) => (d[collection] as { id: string }[]).some((r) => r.id === id);
  const comment = marker(`comment-on-${target}`);
  const kudos = marker(`kudos-on-${target}`);
  const reflection = marker(`reflection-on-${target}`);
  return [
    {
      label: `a comment by ${author} on ${target}`,
      marker: comment,
      write: (doc: Y.Doc) => appendEntry(doc, 'comments', { id: comment, target: { kind: 'objective', id: target }, authorId: author, at: now(), text: `secret: ${comment}` }),
      replica: { who: replicaWho, shows: shows('comments', comment) },
    },
    {
      label: `kudos from ${author} about ${target}`,
      marker: kudos,
      write: (doc: Y.Doc) => appendEntry(doc, 'kudos', { id: kudos, target: { kind: 'objective', id: target }, fromId: author, toIds: [author === 'alice' ? 'bob' : 'carol'], at: now(), message: `secret: ${kudos}` }),
      replica: { who: replicaWho, shows: shows('kudos', kudos) },
    },
    {
      label: `a reflection by ${author} on ${target}`,
      marker: reflection,
      write: (doc: Y.Doc) => appendEntry(doc, 'reflections', { id: reflection, objectiveId: target, authorId: author, at: now(), score: 0.3, wentWell: '', learned: `secret: ${reflection}`, nextTime: '' }),
      replica: { who: replicaWho, shows: shows('reflections', reflection) },
    },
  ];
}

describe('attack: leaking what is said about a record to a wider audience', () => {
  let org: Org;
  beforeAll(async () => {
    org = await Org.start();
  }, 30_000);
  afterAll(async () => {
    await org?.close();
  });

  it("about alice's private objective, written into person:alice (read by her teammates)", async () => {
    // alice-secret is private: it lives in private:alice, which never leaves her browser.
    await expectRefusedAttack({
      org,
      attacker: 'alice',
      space: 'person:alice',
      attacks: remarksAbout('alice', 'alice-secret', 'bob'),
      readers: [{ who: 'bob' }, { who: 'erin' }],
      viewers: EVERYONE,
    });
  });

  it("about members-only team-b's objective, written by erin (team-a and team-b) into person:erin (read by team-a too)", async () => {
    await expectRefusedAttack({
      org,
      attacker: 'erin',
      space: 'person:erin',
      attacks: remarksAbout('erin', 'team-b-public', 'alice'),
      readers: [{ who: 'alice' }, { who: 'bob' }],
      viewers: EVERYONE,
    });
  });

  it('a team-visible objective of the public team-a written into team:team-a (which everyone reads)', async () => {
    const id = marker('team-only-objective');
    await expectRefusedAttack({
      org,
      attacker: 'alice',
      space: 'team:team-a',
      attacks: [
        {
          label: 'a team-visible objective of team-a (it belongs in members:team-a)',
          marker: id,
          write: (doc) => {
            putRecord(doc, 'objectives', objective(id, { kind: 'team', id: 'team-a' }, 'team', { description: `team only: ${id}` }));
            putRecord(doc, 'keyResults', { id: `${id}-kr`, objectiveId: id, title: 'Team-only key result', weight: 1, order: 0, metric: { kind: 'boolean' } });
          },
          replica: { who: 'carol', extra: ['team:team-a'], shows: (d) => d.objectives.some((o) => o.id === id) },
        },
      ],
      readers: [{ who: 'carol', extra: ['team:team-a'] }, { who: 'dave', extra: ['team:team-a'] }, { who: 'bob' }],
      viewers: EVERYONE,
    });
  });

  it("members:team-a: a non-member (carol) cannot open it; a member (alice) can, and what she puts there reaches team-a's members only", async () => {
    const space = 'members:team-a';
    const open = async (who: Who) => {
      try {
        const c = await RawClient.open(org.url, ATTACK_TOKENS[who], space, { sync: true });
        c.close();
        return { scope: c.scope, data: c.received.length };
      } catch (e) {
        return { refused: (e as Error).message };
      }
    };
    const carol = await open('carol');
    expect.soft(carol, 'carol (not in team-a) is refused members:team-a').toMatchObject({ refused: expect.any(String) });
    const alice = await open('alice');
    expect(alice, 'alice (in team-a) may open members:team-a read-write').toMatchObject({ scope: 'read-write' });

    const id = marker('members-objective');
    const writer = await Attacker.open(org, 'alice', space);
    const outcome = await writer.write((doc) => {
      putRecord(doc, 'objectives', objective(id, { kind: 'team', id: 'team-a' }, 'team', { description: `team only: ${id}` }));
      putRecord(doc, 'keyResults', { id: `${id}-kr`, objectiveId: id, title: 'Team-only key result', weight: 1, order: 0, metric: { kind: 'boolean' } });
    });
    writer.destroy();
    expect.soft(outcome.kind, "alice's team-visible objective in members:team-a is accepted").toBe('acked');

    const expectTeamOnly = async (phase: string) => {
      for (const who of ['bob', 'erin'] as const) {
        const c = await freshClient(org, who);
        try {
          const m = c.materialised();
          expect.soft(m.ok && m.document.objectives.some((o) => o.id === id), `${phase}: ${who}'s client (team-a) shows the team-visible objective`).toBe(true);
        } finally {
          c.destroy();
        }
      }
      for (const who of ['carol', 'dave'] as const) {
        const c = await freshClient(org, who, ['team:team-a']);
        try {
          expect.soft(c.containing(id), `${phase}: ${who}'s client (not in team-a) never receives it`).toEqual([]);
        } finally {
          c.destroy();
        }
      }
      for (const who of ['alice', 'bob', 'erin'] as const) {
        const res = await view(org, who);
        expect.soft(res.text.includes(id), `${phase}: /v1/document as ${who} (team-a) shows it`).toBe(true);
      }
      for (const who of ['carol', 'dave', 'anonymous'] as const) {
        const res = await view(org, who);
        expect.soft(res.status === 200 && !res.text.includes(id), `${phase}: /v1/document as ${who} (${res.status}) does not show it`).toBe(true);
      }
      expect.soft(storedContains(org, space, id), `${phase}: SQLite holds it in members:team-a`).toBe(true);
    };
    await expectTeamOnly('after the write');
    expect.soft(await org.restart('SIGTERM'), 'a SIGTERM stop exits 0').toBe(0);
    await expectTeamOnly('after a SIGTERM restart');
  });

  it("accepted: bob comments on alice's team-visible objective by writing into person:alice, beside its target", async () => {
    const space = 'person:alice';
    const id = marker('bob-comment');
    const bob = await Attacker.open(org, 'bob', space);
    expect.soft(bob.scope, 'bob (a teammate who may see alice-team) may write comments into person:alice').toBe('read-write');
    const outcome = await bob.write((doc) => appendEntry(doc, 'comments', { id, target: { kind: 'objective', id: 'alice-team' }, authorId: 'bob', at: now(), text: `Nice progress — ${id}` }));
    bob.destroy();
    expect.soft(outcome.kind, "bob's comment in person:alice is acknowledged").toBe('acked');

    const expectShownToTheTeam = async (phase: string) => {
      for (const who of ['alice', 'erin'] as const) {
        const c = await freshClient(org, who);
        try {
          const m = c.materialised();
          expect.soft(m.ok && m.document.comments.some((x) => x.id === id && x.authorId === 'bob'), `${phase}: ${who}'s client shows bob's comment`).toBe(true);
        } finally {
          c.destroy();
        }
      }
      for (const who of ['alice', 'bob', 'erin'] as const) {
        const res = await view(org, who);
        expect.soft(res.text.includes(id), `${phase}: /v1/document as ${who} shows bob's comment`).toBe(true);
      }
      for (const who of ['carol', 'dave', 'anonymous'] as const) {
        const res = await view(org, who);
        expect.soft(res.status === 200 && !res.text.includes(id), `${phase}: /v1/document as ${who} (${res.status}) does not show a comment on a team-visible objective`).toBe(true);
      }
      expect.soft(storedContains(org, space, id), `${phase}: SQLite holds bob's comment in person:alice`).toBe(true);
    };
    await expectShownToTheTeam('after the comment');
    expect.soft(await org.restart('SIGTERM'), 'a SIGTERM stop exits 0').toBe(0);
    await expectShownToTheTeam('after a SIGTERM restart');
    await expectLegitCheckIn(org, space, "after bob's comment");
  });
});
