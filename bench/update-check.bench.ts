// The server's update check (core/store/update-check.ts): what reading and admitting one update costs,
// at 1 kB, 110 kB and 1 MB, against a team space that already holds 20,000 check-ins. Medians of
// several runs, CPU time on this machine.
import * as Y from 'yjs';
import { Directory } from '../core/rules/index.ts';
import { appendRecords, writeRecord } from '../core/store/space.ts';
import { checkUpdate } from '../core/store/update-check.ts';
import { median, ms, type BenchRow } from './table.ts';

const GROUP = 'update check';
const T = '2026-01-05T09:00:00Z';

export async function run(): Promise<BenchRow[]> {
  const people = Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, teamIds: ['t'] }));
  const dir = new Directory({ organisation: 'Bench', people, teams: [{ id: 't' }], admins: [] });
  const space = new Y.Doc();
  writeRecord(space, 'objectives', { id: 'o', cycleId: 'q', title: 'Objective', owner: { kind: 'team', id: 't' }, createdAt: T, updatedAt: T });
  for (let k = 0; k < 20; k++) writeRecord(space, 'keyResults', { id: `kr${k}`, objectiveId: 'o', title: `KR ${k}`, metric: { kind: 'increase', start: 0, target: 100 } });
  for (let i = 0; i < 20_000; i += 500) {
    appendRecords(
      space,
      'checkIns',
      Array.from({ length: 500 }, (_, j) => ({ id: `old-${i + j}`, keyResultId: `kr${(i + j) % 20}`, authorId: `p${(i + j) % 8}`, at: T, value: j % 100, confidence: 0.7 })),
    );
  }
  const rows: BenchRow[] = [];
  for (const [label, target] of [
    ['1 kB (a few check-ins)', 1_000],
    ['110 kB', 110_000],
    ['1 MB', 1_000_000],
  ] as const) {
    // One client's offline week: check-ins appended one transaction at a time, as the extension writes them.
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(space));
    const before = Y.encodeStateVector(client);
    let n = 0;
    while (Y.encodeStateAsUpdate(client, before).byteLength < target) {
      const batch = Math.max(1, Math.floor(target / 2000));
      for (let b = 0; b < batch; b++, n++) {
        appendRecords(client, 'checkIns', [{ id: `new-${n}`, keyResultId: `kr${n % 20}`, authorId: 'p1', at: T, value: n % 100, confidence: 0.8, note: 'On track, the launch review moved to Thursday.' }]);
      }
    }
    const update = Y.encodeStateAsUpdate(client, before);
    const times: number[] = [];
    let ok = true;
    for (let r = 0; r < 7; r++) {
      const started = performance.now();
      const verdict = checkUpdate(space, update, { space: 'team:t', writer: 'p1', dir });
      times.push(performance.now() - started);
      ok &&= verdict.ok;
    }
    rows.push({
      group: GROUP,
      name: `${label}: ${(update.byteLength / 1024).toFixed(0)} kB, ${n} check-ins, median of 7`,
      value: `${ms(median(times))}${ok ? '' : ' (refused!)'}`,
      ...(label === '110 kB' ? { budget: '≤ 100 ms', verdict: median(times) <= 100 ? ('within' as const) : ('over' as const) } : {}),
    });
  }
  return rows;
}
