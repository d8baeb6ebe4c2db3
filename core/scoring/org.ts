import type { CandorDocument, Objective } from '../model/index.ts';
import type { DocumentScores, OrgNode } from './types.ts';
import { currentCycle } from './cycle.ts';
import { sortByOrder } from './alignment.ts';

interface Acc {
  node: OrgNode;
  /** Distinct objective indexes in this subtree. */
  objectives: number[];
}

/**
 * The organisation as a tree for a cycle: company → teams (nested by `parentId`) → people → their
 * objectives. Company-owned objectives hang under the company, team-owned ones under their team, a
 * person's under that person (who appears under each of their teams; people with no known team hang
 * under the company). Each node's score is the mean score of the distinct objectives in its subtree,
 * so a person in two teams is not counted twice higher up. `cycleId` defaults to the cycle current at
 * `scores.at`; with no such cycle every objective is included. Team cycles (a → b → a) are cut.
 */
export function orgTree(doc: CandorDocument, scores: DocumentScores, cycleId?: string): OrgNode {
  const cycle = cycleId ?? currentCycle(doc, scores.at)?.id;
  const objectives = doc.objectives;
  const byTeam = new Map<string, number[]>();
  const byPerson = new Map<string, number[]>();
  const company: number[] = [];
  const teamIds = new Set(doc.teams.map((t) => t.id));
  const personIds = new Set(doc.people.map((p) => p.id));
  for (let i = 0; i < objectives.length; i++) {
    const o = objectives[i]!;
    if (cycle !== undefined && o.cycleId !== cycle) continue;
    if (!scores.objectives.has(o.id)) continue;
    if (o.owner.kind === 'team' && teamIds.has(o.owner.id)) push(byTeam, o.owner.id, i);
    else if (o.owner.kind === 'person' && personIds.has(o.owner.id)) push(byPerson, o.owner.id, i);
    else company.push(i);
  }

  const objectiveNode = (i: number): OrgNode => {
    const o: Objective = objectives[i]!;
    const v = scores.objectives.get(o.id)!;
    return { kind: 'objective', id: o.id, name: o.title, score: v.score, status: v.status, objectiveCount: 1, children: [] };
  };
  const objectiveNodes = (list: number[] | undefined): OrgNode[] => (list ? sortByOrder(list.map((i) => ({ i, order: objectives[i]!.order }))).map((x) => objectiveNode(x.i)) : []);

  // Mean over distinct objectives: a stamp per objective marks it counted for the node being built.
  const stamp = new Int32Array(objectives.length).fill(-1);
  let serial = 0;
  const finish = (node: OrgNode, own: number[] | undefined, kids: Acc[]): Acc => {
    const id = serial++;
    const all: number[] = [];
    const take = (i: number) => {
      if (stamp[i] === id) return;
      stamp[i] = id;
      all.push(i);
    };
    if (own) own.forEach(take);
    for (const k of kids) k.objectives.forEach(take);
    let sum = 0;
    for (const i of all) sum += scores.objectives.get(objectives[i]!.id)!.score;
    node.score = all.length ? sum / all.length : 0;
    node.objectiveCount = all.length;
    node.children.push(...kids.map((k) => k.node));
    return { node, objectives: all };
  };

  const personAcc = (id: string, name: string): Acc => {
    const own = byPerson.get(id);
    const node: OrgNode = { kind: 'person', id, name, score: 0, objectiveCount: 0, children: objectiveNodes(own) };
    return finish(node, own, []);
  };

  const members = new Map<string, { id: string; name: string }[]>();
  const teamless: { id: string; name: string }[] = [];
  for (const p of doc.people) {
    const known = p.teamIds.filter((t) => teamIds.has(t));
    if (known.length === 0) teamless.push(p);
    for (const t of new Set(known)) push(members, t, p);
  }

  const subteams = new Map<string, string[]>();
  const topTeams: string[] = [];
  const teamById = new Map(doc.teams.map((t) => [t.id, t]));
  for (const t of teamById.values()) {
    if (t.parentId !== undefined && t.parentId !== t.id && teamById.has(t.parentId) && !closesLoop(teamById, t.id)) push(subteams, t.parentId, t.id);
    else topTeams.push(t.id);
  }

  const teamAcc = (id: string, depth: number): Acc => {
    const t = teamById.get(id)!;
    const own = byTeam.get(id);
    const node: OrgNode = { kind: 'team', id, name: t.name, score: 0, objectiveCount: 0, children: objectiveNodes(own) };
    const kids: Acc[] = [];
    if (depth < 64) for (const sub of subteams.get(id) ?? []) kids.push(teamAcc(sub, depth + 1));
    for (const p of members.get(id) ?? []) kids.push(personAcc(p.id, p.name));
    return finish(node, own, kids);
  };

  const name = (doc as { company?: { name?: unknown } }).company?.name;
  const root: OrgNode = {
    kind: 'company',
    id: 'company',
    name: typeof name === 'string' && name ? name : 'Company',
    score: 0,
    objectiveCount: 0,
    children: objectiveNodes(company),
  };
  const kids = [...topTeams.map((id) => teamAcc(id, 0)), ...teamless.map((p) => personAcc(p.id, p.name))];
  return finish(root, company, kids).node;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** True when following parentId from `id` comes back to `id` (a team cycle); such a team is treated as top-level. */
function closesLoop(teams: Map<string, { parentId?: string | undefined }>, id: string): boolean {
  const seen = new Set<string>();
  for (let cur = teams.get(id)?.parentId; cur !== undefined; cur = teams.get(cur)?.parentId) {
    if (cur === id) return true;
    if (seen.has(cur)) return false;
    seen.add(cur);
  }
  return false;
}
