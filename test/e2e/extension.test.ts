// End to end on the built extension: a new user sets up an OKR, checks in from the popup and sees
// it on the new tab; import, export, reload and accessibility. Run `npx wxt build` first.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchExtension, axeViolations, newProfile, removeProfile, type Loaded } from './harness.ts';
import { generateSampleOrganisation } from '../../core/sample/index.ts';

const profile = newProfile();
let x: Loaded;

async function exportJson(page: Page): Promise<Record<string, unknown>> {
  await page.goto(x.url('options.html#data'));
  await page.locator('#export-json').waitFor();
  // A click right after a restart is occasionally dropped by a busy browser: click again, a few times at most.
  for (let attempt = 1; ; attempt++) {
    try {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.locator('#export-json').click()]);
      return JSON.parse(readFileSync(await download.path(), 'utf8'));
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

async function importFile(page: Page, path: string): Promise<void> {
  await page.goto(x.url('options.html#data'));
  await page.locator('#import-file').setInputFiles(path);
}

const withoutStamp = (doc: Record<string, unknown>) => ({ ...doc, generatedAt: undefined });

describe('the Candor extension', () => {
  beforeAll(async () => {
    x = await launchExtension(profile);
  });
  afterAll(async () => {
    await x?.close();
    removeProfile(profile);
  });

  it('first run → an objective with two key results → check in from the popup → new tab and badge follow', async () => {
    // Set up last week, so that by today both key results have passed a due moment without a check-in.
    const now = Date.now();
    const lastWeek = now - 8 * 86_400_000;
    await x.context.clock.install({ time: lastWeek });
    const tab = await x.open('newtab.html');
    await expect.poll(() => tab.getByRole('heading', { name: 'Welcome to Candor' }).isVisible()).toBe(true);
    // The address bar keeps focus: nothing on the new tab takes it.
    expect(await tab.evaluate(() => document.activeElement === document.body)).toBe(true);
    await tab.getByLabel('Your name').fill('Ada Lovelace');
    await tab.getByRole('button', { name: 'Continue' }).click();
    await tab.getByRole('link', { name: 'Create my first objective' }).click();
    await tab.waitForURL(/options\.html#objectives/);

    // A cycle around today, then the objective (its form is open on a first run).
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    await tab.getByRole('button', { name: 'Custom cycle…' }).click();
    await tab.getByLabel('Name', { exact: true }).fill('Launch');
    await tab.getByLabel('Start').fill(day(lastWeek - 86_400_000));
    await tab.getByLabel('End').fill(day(now - 30 * 86_400_000));
    await tab.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => tab.locator('#cycle-end-error').textContent()).toMatch(/end must not be before the start/);
    await tab.getByLabel('End').fill(day(now + 60 * 86_400_000));
    await tab.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => tab.getByRole('button', { name: 'Launch', pressed: true }).count()).toBe(1);
    await tab.getByLabel('Objective', { exact: true }).fill('Make onboarding delightful');
    await tab.getByRole('button', { name: 'Save objective' }).click();
    await expect.poll(() => tab.locator('[data-objective]').count()).toBe(1);

    // Field-level validation: start equal to target is refused with a message on the target field.
    await tab.getByRole('button', { name: 'Add a key result to Make onboarding delightful' }).click();
    await tab.getByLabel('Key result', { exact: true }).fill('Activated teams');
    await tab.getByLabel('Start').fill('10');
    await tab.getByLabel('Target').fill('10');
    await tab.getByRole('button', { name: 'Save key result' }).click();
    await expect.poll(() => tab.locator('.field-error').first().textContent()).toMatch(/start and target are equal/);
    expect(await tab.getByLabel('Target').getAttribute('aria-invalid')).toBe('true');
    await tab.getByLabel('Start').fill('0');
    await tab.getByRole('button', { name: 'Save key result' }).click();
    await expect.poll(() => tab.locator('[data-objective] li[data-kr]').count()).toBe(1);

    await tab.getByRole('button', { name: 'Add a key result to Make onboarding delightful' }).click();
    await tab.getByLabel('Key result', { exact: true }).fill('Publish the setup guide');
    await tab.getByLabel('Measured as').selectOption('boolean');
    await tab.getByRole('button', { name: 'Save key result' }).click();
    await expect.poll(() => tab.locator('[data-objective] li[data-kr]').count()).toBe(2);
    await tab.close();
    await x.context.clock.setSystemTime(now);

    // The popup (now, a week later): due first, the first input focused, Enter saves.
    const popup = await x.open('popup.html');
    // Both key results are due (no check-in since Monday): the badge says so.
    await expect.poll(() => x.badge(), { timeout: 10_000 }).toBe('2');
    expect(await popup.locator('li.due').count()).toBe(2);
    const value = popup.getByLabel(/New value/);
    await expect.poll(() => value.evaluate((el) => el === document.activeElement)).toBe(true);
    await value.fill('4');
    await value.press('Enter');
    await expect.poll(() => popup.locator('#saved-status').textContent()).toMatch(/Saved your check-in for Activated teams/);
    await expect.poll(() => x.badge(), { timeout: 10_000 }).toBe('1');

    // The new tab shows the new score.
    const goals = await x.open('newtab.html');
    const kr = goals.locator('li.kr', { hasText: 'Activated teams' });
    await kr.waitFor();
    expect(await goals.evaluate(() => document.activeElement === document.body)).toBe(true); // the address bar keeps focus
    await expect.poll(() => kr.locator('.score').textContent(), { timeout: 10_000 }).toBe('0.4');
    expect(await goals.locator('li.kr.due').count()).toBe(1);

    // An open new tab updates at once when the popup checks in.
    const popup2 = await x.open('popup.html');
    await popup2.locator('li', { hasText: 'Publish the setup guide' }).getByRole('checkbox', { name: 'Done' }).check();
    await popup2.locator('li', { hasText: 'Publish the setup guide' }).getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => goals.locator('li.kr', { hasText: 'Publish the setup guide' }).getAttribute('data-status'), { timeout: 10_000 }).toBe('done');
    await expect.poll(() => x.badge(), { timeout: 10_000 }).toBe('');
    // …and celebrates, respectfully.
    await expect.poll(() => goals.locator('.celebration').textContent()).toMatch(/Publish the setup guide/);
    await Promise.all([popup.close(), popup2.close(), goals.close()]);
  });

  it('reloading the browser profile loses nothing', async () => {
    const page = await x.open('newtab.html');
    const before = await exportJson(page);
    await x.close();
    x = await launchExtension(profile);
    const after = await exportJson(await x.open('options.html'));
    expect(withoutStamp(after)).toEqual(withoutStamp(before));
    const goals = await x.open('newtab.html');
    // First paint from the stored snapshot, then the live app: the score is there after a restart.
    await expect.poll(() => goals.locator('li.kr', { hasText: 'Activated teams' }).locator('.score').textContent()).toBe('0.4');
    await goals.close();
    await page.close().catch(() => {});
  });

  it('imports a file after a preview; export and re-import gives the same document', async () => {
    const page = await x.open('options.html');
    const sample = generateSampleOrganisation({ seed: 11, people: 8 });
    const file = join(profile, 'sample.json');
    writeFileSync(file, JSON.stringify(sample));
    const before = await exportJson(page);
    await importFile(page, file);
    // The preview names what will be added, and nothing is written before confirming.
    await expect.poll(() => page.locator('.preview').textContent()).toMatch(/objectives/);
    expect(withoutStamp(await exportJson(await x.open('options.html')))).toEqual(withoutStamp(before));
    await importFile(page, file);
    await page.locator('#apply-import').click();
    await expect.poll(() => page.locator('.notice.ok').textContent()).toMatch(/Imported sample\.json/);
    const exported = await exportJson(page);
    expect((exported.objectives as unknown[]).length).toBe((before.objectives as unknown[]).length + sample.objectives.length);

    // Re-importing the export changes nothing: every record comes back identical.
    const exportFile = join(profile, 'export.json');
    writeFileSync(exportFile, JSON.stringify(exported));
    await importFile(page, exportFile);
    await expect.poll(() => page.locator('.preview').textContent()).toMatch(/Unchanged: \d+/);
    expect(await page.locator('.preview tbody tr').count()).toBe(0);

    // …and into a fresh profile, it gives the same document back.
    const fresh = newProfile();
    const other = await launchExtension(fresh);
    try {
      const p = await other.open('options.html#data');
      await p.locator('#import-file').setInputFiles(exportFile);
      await p.locator('#apply-import').click();
      await expect.poll(() => p.locator('.notice.ok').textContent()).toMatch(/Imported export\.json/);
      const [download] = await Promise.all([p.waitForEvent('download'), p.locator('#export-json').click()]);
      const again = JSON.parse(readFileSync(await download.path(), 'utf8'));
      expect(withoutStamp(again)).toEqual(withoutStamp(exported));
    } finally {
      await other.close();
      removeProfile(fresh);
    }
    await page.close();
  });

  it('an invalid import changes nothing and says what is wrong', async () => {
    const page = await x.open('options.html');
    const before = await exportJson(page);
    const bad = join(profile, 'bad.json');
    const doc = structuredClone(before) as { keyResults: { metric: { target?: unknown } }[] };
    doc.keyResults[0]!.metric.target = 'lots';
    writeFileSync(bad, JSON.stringify(doc));
    await importFile(page, bad);
    await expect.poll(() => page.locator('#import-error').textContent()).toMatch(/Nothing was imported: .*keyResults\[0\]\.metric/);
    expect(await page.locator('#apply-import').count()).toBe(0);
    const broken = join(profile, 'broken.json');
    writeFileSync(broken, '{"format":"candor","version":1,');
    await importFile(page, broken);
    await expect.poll(() => page.locator('#import-error').textContent()).toMatch(/not valid JSON/);
    expect(withoutStamp(await exportJson(page))).toEqual(withoutStamp(before));
    await page.close();
  });

  it('axe finds no accessibility violations on the new tab, popup and options pages, light and dark', async () => {
    const paths = ['newtab.html', 'popup.html', 'options.html#objectives', 'options.html#alignment', 'options.html#people', 'options.html#feeds', 'options.html#server', 'options.html#data', 'options.html#reminders', 'options.html#appearance'];
    const check = async (path: string, theme: string) => {
      const page = await x.open(path);
      await page.waitForSelector('#app > *');
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      const violations = await axeViolations(page);
      expect({ path, theme, violations }).toEqual({ path, theme, violations: [] });
      await page.close();
    };
    for (const path of paths) await check(path, 'system');
    const options = await x.open('options.html#appearance');
    await options.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(() => options.evaluate(() => document.documentElement.classList.contains('theme-dark'))).toBe(true);
    for (const path of ['newtab.html', 'popup.html', 'options.html#objectives', 'options.html#alignment']) await check(path, 'dark');
    // The first-run page of a fresh profile, too.
    const fresh = newProfile();
    const other = await launchExtension(fresh);
    try {
      const page = await other.open('newtab.html');
      await page.getByRole('heading', { name: 'Welcome to Candor' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await other.close();
      removeProfile(fresh);
    }
  });
});
