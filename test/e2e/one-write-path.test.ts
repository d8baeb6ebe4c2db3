// One write path, end to end on the built extension: an import in which an objective changed owner leaves
// exactly one copy of it (with its key results and check-ins), in the new owner's space, as stored in
// IndexedDB; and the id a popup check-in resolves with is the id stored. Run `npx wxt build` first.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import type { Page } from 'playwright-core';
import { launchExtension, newProfile, removeProfile, type Loaded } from './harness.ts';
import { emptyDocument, presetCycle, type CandorDocument } from '../../core/model/index.ts';
import { hasRecord, spaceOfRecord } from '../../core/store/space.ts';

const profile = newProfile();
let x: Loaded;
const today = new Date().toISOString().slice(0, 10);
const cycle = presetCycle('quarter', today);

function document(owner: 'ana' | 'ben'): CandorDocument {
  const d = emptyDocument(new Date().toISOString());
  d.people.push({ id: 'ana', name: 'Ana Lima', teamIds: [] }, { id: 'ben', name: 'Ben Okafor', teamIds: [] });
  d.cycles.push(cycle);
  const at = `${cycle.start}T09:00:00Z`;
  d.objectives.push({ id: 'o-move', cycleId: cycle.id, title: 'Make onboarding delightful', owner: { kind: 'person', id: owner }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: at, updatedAt: owner === 'ana' ? at : new Date().toISOString() });
  d.keyResults.push({ id: 'k-move', objectiveId: 'o-move', title: 'Activated teams', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 10 } });
  d.checkIns.push({ id: 'c-move', keyResultId: 'k-move', authorId: 'ana', at, value: 2, confidence: 0.7 });
  return d;
}

/** Every space the page's IndexedDB holds (database `candor`), rebuilt from its update log. */
async function storedSpaces(page: Page): Promise<Map<string, Y.Doc>> {
  const rows = await page.evaluate(
    () =>
      new Promise<{ space: string; update: number[] }[]>((resolve, reject) => {
        const open = indexedDB.open('candor');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('updates').objectStore('updates').getAll();
          all.onsuccess = () => {
            resolve((all.result as { space: string; update: Uint8Array }[]).map((r) => ({ space: r.space, update: Array.from(r.update) })));
            db.close();
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
  const spaces = new Map<string, Y.Doc>();
  for (const { space, update } of rows) {
    let doc = spaces.get(space);
    if (!doc) spaces.set(space, (doc = new Y.Doc()));
    Y.applyUpdate(doc, Uint8Array.from(update));
  }
  return spaces;
}

const holding = (spaces: Map<string, Y.Doc>, collection: 'objectives' | 'keyResults' | 'checkIns', id: string) =>
  [...spaces].filter(([, d]) => hasRecord(d, collection, id)).map(([s]) => s).sort();

async function importFile(page: Page, doc: CandorDocument, name: string): Promise<void> {
  const file = join(profile, name);
  writeFileSync(file, JSON.stringify(doc));
  await page.goto(x.url('options.html#data'));
  await page.locator('#import-file').setInputFiles(file);
  await page.locator('#apply-import').click();
  await expect.poll(() => page.locator('.notice.ok').textContent()).toMatch(new RegExp(`Imported ${name.replace('.', '\\.')}`));
}

async function exportJson(page: Page): Promise<CandorDocument> {
  await page.goto(x.url('options.html#data'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-json').click()]);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

describe('one write path in the built extension', () => {
  beforeAll(async () => {
    x = await launchExtension(profile);
  });
  afterAll(async () => {
    await x?.close();
    removeProfile(profile);
  });

  it('an import in which an objective changed owner leaves exactly one copy, in the new owner’s space', async () => {
    const page = await x.open('options.html#data');
    await importFile(page, document('ana'), 'before.json');
    expect(holding(await storedSpaces(page), 'objectives', 'o-move')).toEqual(['person:ana']);

    await importFile(page, document('ben'), 'after.json');
    await expect.poll(() => page.locator('.notice.ok').textContent()).toMatch(/0 added, 0 changed, 3 moved/) // the objective, its key result and its check-in;
    const moved = document('ben').objectives[0]!;
    const expected = spaceOfRecord('objectives', moved);
    expect(expected).toBe('person:ben');
    // Give the store its commit, then read what IndexedDB holds.
    await page.waitForTimeout(300);
    const spaces = await storedSpaces(page);
    expect(holding(spaces, 'objectives', 'o-move')).toEqual([expected]);
    expect(holding(spaces, 'keyResults', 'k-move')).toEqual([expected]);
    expect(holding(spaces, 'checkIns', 'c-move')).toEqual([expected]);
    const exported = await exportJson(page);
    expect(exported.objectives.filter((o) => o.id === 'o-move').map((o) => o.owner)).toEqual([{ kind: 'person', id: 'ben' }]);
    await page.close();
  });

  it('a popup check-in resolves with the check-in as stored: the id it returns is the id stored', async () => {
    const options = await x.open('options.html#identity');
    await options.locator('#me option[value="ben"]').waitFor({ state: 'attached' });
    await options.locator('#me').selectOption('ben');
    await expect.poll(() => options.locator('#identity [role=status]').textContent()).toMatch(/Saved/);

    const popup = await x.open('popup.html');
    const value = popup.locator('input[name=value]').first();
    await value.waitFor();
    await value.fill('6');
    await value.press('Enter');
    await expect.poll(() => popup.locator('#saved-status').textContent()).toMatch(/Saved your check-in for Activated teams/);
    const returned = await popup.evaluate(() => (performance.getEntriesByName('candor:checkin-committed')[0] as PerformanceMark).detail?.id as string);
    expect(returned).toMatch(/\S/);

    const exported = await exportJson(options);
    const stored = exported.checkIns.filter((c) => c.id === returned);
    expect(stored).toEqual([expect.objectContaining({ id: returned, keyResultId: 'k-move', value: 6, authorId: 'ben' })]);
    // …stored once, in the key result's space.
    expect(holding(await storedSpaces(options), 'checkIns', returned)).toEqual(['person:ben']);
    await Promise.all([options.close(), popup.close()]);
  });
});
