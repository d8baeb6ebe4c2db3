// The demo organisation next to a real team server (the sample organisation, on loopback): loading the
// sample while connected opens a separate local demo — the server's document is unchanged (it used to get
// 67 of its check-ins replaced by fake ones with the same ids) — and going back shows my real workspace.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchExtension, axeViolations, type Loaded } from './harness.ts';
import { startTeamServer, type TeamServer } from './team-server.ts';
import { generateSampleOrganisation } from '../../core/sample/index.ts';
import { demoPerson, DEMO_SEED } from '../../extension/state/demo.ts';

let server: TeamServer;
let x: Loaded;
const withoutStamp = (doc: Record<string, unknown>) => ({ ...doc, generatedAt: undefined });
const sample = generateSampleOrganisation({ seed: DEMO_SEED });
const demoMe = demoPerson(sample);
const demoTitles = sample.objectives.filter((o) => o.owner.kind === 'person' && o.owner.id === demoMe && o.state !== 'closed').map((o) => o.title);

async function exportJson(page: Page): Promise<Record<string, unknown>> {
  await page.goto(x.url('options.html#data'));
  await page.locator('#export-json').waitFor();
  for (let attempt = 1; ; attempt++) {
    try {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.locator('#export-json').click()]);
      return JSON.parse(readFileSync(await download.path(), 'utf8'));
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

/** The server's document a moment after the pages had every chance to send something. */
async function serverAfterAWhile(page: Page): Promise<Record<string, unknown>> {
  await page.waitForTimeout(2500);
  return server.document();
}

/** How many rows my workspace's database (`candor`) holds, read from a page without creating anything. */
function myRows(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('candor');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['updates', 'snapshots', 'meta']);
          const counts = ['updates', 'snapshots', 'meta'].map((name) => tx.objectStore(name).count());
          tx.oncomplete = () => {
            resolve(counts.reduce((sum, c) => sum + (c.result as number), 0));
            db.close();
          };
        };
      }),
  );
}

async function clean(page: Page, label: string, within?: string) {
  await page.waitForTimeout(200);
  const violations = await axeViolations(page, within);
  expect({ label, violations }).toEqual({ label, violations: [] });
}

describe('the demo organisation while connected to a team server', () => {
  beforeAll(async () => {
    server = await startTeamServer();
    x = await launchExtension(join(server.dir, 'profile'));
  });
  afterAll(async () => {
    await x?.close();
    await server?.stop();
  });

  it('first run, connected: “Load the sample organisation” opens the demo locally and the server is unchanged', async () => {
    const options = await x.open('options.html#server');
    await options.getByLabel('Server address').fill(server.base);
    await options.getByLabel('Access token').fill(server.token);
    await options.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => options.locator('.sync').textContent(), { timeout: 20_000 }).toMatch(/Synced with the team server/);
    const before = await server.document();
    expect((before.checkIns as unknown[]).length).toBeGreaterThan(0);

    const tab = await x.open('newtab.html');
    await tab.getByRole('heading', { name: 'Welcome to Candor' }).waitFor();
    await tab.getByRole('button', { name: 'Load the sample organisation' }).click();
    // The page reloads into the demo: it says so, and shows the demo person's goals.
    await tab.locator('.demo-banner').waitFor({ timeout: 60_000 });
    expect(await tab.locator('.demo-banner').textContent()).toMatch(/Demo organisation\..*untouched/);
    await expect.poll(() => tab.locator('.objective h2, .objective h3').allTextContents(), { timeout: 30_000 }).toEqual(expect.arrayContaining(demoTitles.slice(0, 1)));
    // The open options page followed into the demo; it does not sync there.
    await expect.poll(() => options.locator('.demo-banner').count(), { timeout: 20_000 }).toBe(1);
    await options.goto(x.url('options.html#server'));
    await expect.poll(() => options.locator('#server .notice').textContent()).toMatch(/never syncs/);
    expect(withoutStamp(await serverAfterAWhile(tab))).toEqual(withoutStamp(before));

    // One control back: my (first-run, connected) workspace, the server still unchanged.
    await tab.getByRole('button', { name: 'Back to my workspace' }).click();
    await tab.getByRole('heading', { name: 'Welcome to Candor' }).waitFor({ timeout: 30_000 });
    expect(await tab.locator('.demo-banner').count()).toBe(0);
    await options.goto(x.url('options.html#server'));
    await expect.poll(() => options.locator('.sync').textContent(), { timeout: 20_000 }).toMatch(/Synced with the team server/);
    expect(withoutStamp(await serverAfterAWhile(tab))).toEqual(withoutStamp(before));
    await Promise.all([tab.close(), options.close()]);
  });

  it('from the options page at any time: the demo stays local, and switching back shows my real workspace unchanged', async () => {
    const options = await x.open('options.html#identity');
    await expect.poll(() => options.locator(`#me option[value="${server.person}"]`).count(), { timeout: 20_000 }).toBe(1);
    await options.locator('#me').selectOption(server.person);
    const goals = await x.open('newtab.html');
    await expect.poll(() => goals.locator('.objective').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const myTitles = await goals.locator('.objective h2, .objective h3').allTextContents();
    const mineBefore = await exportJson(options);
    const before = await server.document();

    await options.goto(x.url('options.html#data'));
    await options.getByRole('button', { name: 'Open the demo organisation' }).click();
    await options.locator('.demo-banner').waitFor({ timeout: 60_000 });
    // Every open page shows the demo now, the new tab from its very first frame on a fresh load.
    await expect.poll(() => goals.locator('.demo-banner').count(), { timeout: 20_000 }).toBe(1);
    const fresh = await x.open('newtab.html');
    await fresh.locator('.demo-banner').waitFor();
    // The first frame came from the demo's own snapshot (its database), before the app loaded.
    await expect.poll(() => fresh.evaluate(() => performance.getEntriesByName('candor:goals-painted').length)).toBe(1);
    expect(await fresh.evaluate(() => performance.getEntriesByName('candor:scored').length)).toBe(1);
    const rowsInDemo = await myRows(fresh);
    await expect.poll(() => fresh.locator('.objective h2, .objective h3').allTextContents()).toEqual(expect.arrayContaining(demoTitles.slice(0, 1)));
    const popup = await x.open('popup.html');
    await popup.locator('.demo-banner').waitFor();

    // A check-in in the demo stays in the demo.
    const value = popup.locator('input[name=value]').first();
    await value.fill('7');
    await value.press('Enter');
    await expect.poll(() => popup.locator('#saved-status').textContent()).toMatch(/Saved your check-in/);

    // The demo's controls are accessible (light theme; the dark one uses the same tokens).
    await clean(fresh, 'new tab in the demo');
    // In the popup, its notice: the sample repeats key result titles, so two of its check-in forms can share a
    // name (the check-in form's label, not the demo's controls).
    await clean(popup, 'popup in the demo', '.demo-banner');
    await options.goto(x.url('options.html#data'));
    await options.locator('#open-demo').waitFor();
    await clean(options, 'options → data in the demo');
    await options.goto(x.url('options.html#server'));
    await options.locator('#server .notice').waitFor();
    await clean(options, 'options → server in the demo');
    await options.goto(x.url('options.html#appearance'));
    await options.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(() => fresh.evaluate(() => document.documentElement.classList.contains('theme-dark'))).toBe(true);
    await clean(fresh, 'the demo notice, dark', '.demo-banner');
    await options.getByRole('radio', { name: 'System' }).check();
    expect(withoutStamp(await serverAfterAWhile(popup))).toEqual(withoutStamp(before));
    // Nothing done in the demo touched my workspace's database.
    expect(await myRows(fresh)).toBe(rowsInDemo);

    // Back from the popup: my workspace, as it was; the server as it was.
    await popup.getByRole('button', { name: 'Back to my workspace' }).click();
    await expect.poll(() => fresh.locator('.demo-banner').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => fresh.locator('.objective h2, .objective h3').allTextContents(), { timeout: 20_000 }).toEqual(myTitles);
    expect(withoutStamp(await exportJson(options))).toEqual(withoutStamp(mineBefore));
    await options.goto(x.url('options.html#server'));
    await expect.poll(() => options.locator('.sync').textContent(), { timeout: 20_000 }).toMatch(/Synced with the team server/);
    expect(withoutStamp(await serverAfterAWhile(options))).toEqual(withoutStamp(before));
    await Promise.all([options.close(), goals.close(), fresh.close(), popup.close().catch(() => undefined)]);
  });
});
