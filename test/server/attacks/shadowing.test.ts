// Id shadowing: a member writes into their own space a record carrying the id of another team's record.
// The copy in the space the id belongs to must stay the one everybody is shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandorDocument } from '../../../core/model/index.ts';
import { expectRefusedAttack, freshClient, marker, objective, Org, putRecord, view, type Viewer } from './helpers.ts';

const EVERYONE: Viewer[] = ['alice', 'bob', 'carol', 'dave', 'erin', 'anonymous'];

describe('attack: id shadowing', () => {
  let org: Org;
  beforeAll(async () => {
    org = await Org.start();
  }, 30_000);
  afterAll(async () => {
    await org?.close();
  });

  /**
   * The real team objectives (or key results) are the ones bob (team-a) and carol (team-b) are shown,
   * over HTTP and in bob's client. Each test looks at its own kind only: on today's server the objective
   * shadows of the first test stay, and would blur the second.
   */
  const expectReal = (kind: 'objective' | 'keyResult') => async (phase: string) => {
    const objectiveOf = (d: CandorDocument | undefined, id: string) => d?.objectives.find((o) => o.id === id);
    const keyResultOf = (d: CandorDocument | undefined, id: string) => d?.keyResults.find((k) => k.id === id);
    const shown = (d: CandorDocument | undefined, team: string) => {
      if (kind === 'objective') {
        const o = objectiveOf(d, `${team}-public`);
        return o && { owner: o.owner, title: o.title };
      }
      const k = keyResultOf(d, `${team}-public-kr`);
      return k && { objectiveId: k.objectiveId, title: k.title };
    };
    const real = (team: string) => (kind === 'objective' ? { owner: { kind: 'team', id: team }, title: `Objective ${team}-public` } : { objectiveId: `${team}-public`, title: `KR of ${team}-public` });
    const bob = await view(org, 'bob');
    expect.soft(shown(bob.document, 'team-a'), `${phase}: /v1/document as bob shows team-a's own ${kind}`).toEqual(real('team-a'));
    const carol = await view(org, 'carol');
    expect.soft(shown(carol.document, 'team-b'), `${phase}: /v1/document as carol shows team-b's own ${kind}`).toEqual(real('team-b'));
    const client = await freshClient(org, 'bob');
    try {
      const m = client.materialised();
      expect.soft(m.ok && shown(m.document, 'team-a'), `${phase}: bob's client shows team-a's own ${kind}`).toEqual(real('team-a'));
    } finally {
      client.destroy();
    }
  };

  it("an objective in person:alice with the id of team-a's and of team-b's objective", async () => {
    const title = marker('shadow-objective');
    await expectRefusedAttack({
      org,
      attacker: 'alice',
      space: 'person:alice',
      attacks: [
        {
          label: 'objectives "team-a-public" and "team-b-public" owned by alice, updated now',
          marker: title,
          write: (doc) => {
            for (const id of ['team-a-public', 'team-b-public']) putRecord(doc, 'objectives', objective(id, { kind: 'person', id: 'alice' }, 'public', { title }));
          },
        },
      ],
      readers: [{ who: 'bob' }, { who: 'erin' }],
      viewers: EVERYONE,
      check: expectReal('objective'),
    });
  });

  it("a key result in person:alice with the id of team-a's and of team-b's key result", async () => {
    const title = marker('shadow-key-result');
    await expectRefusedAttack({
      org,
      attacker: 'alice',
      space: 'person:alice',
      attacks: [
        {
          label: 'key results "team-a-public-kr" and "team-b-public-kr" under alice-public',
          marker: title,
          write: (doc) => {
            for (const id of ['team-a-public-kr', 'team-b-public-kr']) {
              putRecord(doc, 'keyResults', { id, objectiveId: 'alice-public', title, weight: 1, order: 1, metric: { kind: 'increase', start: 0, target: 10 } });
            }
          },
        },
      ],
      readers: [{ who: 'bob' }, { who: 'erin' }],
      viewers: EVERYONE,
      check: expectReal('keyResult'),
    });
  });
});
