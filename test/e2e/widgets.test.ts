// End to end on the built extension: the options page draws the workspace with the Candor widgets —
// the alignment tree (company → teams → people → objectives) and a live objective card beside the editor —
// following the appearance setting, and axe still finds nothing. Run `npx wxt build` first.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { launchExtension, axeViolations, newProfile, removeProfile, type Loaded } from './harness.ts';
import { generateSampleOrganisation } from '../../core/sample/index.ts';
import { cycleToShow } from '../../extension/state/derive.ts';

const profile = newProfile();
let x: Loaded;
// The sample the first-run page loads (seed 7, today's quarter).
const sample = generateSampleOrganisation({ seed: 7 });
const cycle = cycleToShow(sample, new Date())!;
const inCycle = sample.objectives.filter((o) => o.cycleId === cycle.id);
const companyObjectives = inCycle.filter((o) => o.owner.kind === 'company');

const tree = (page: Page) => page.locator('candor-alignment-tree');
const item = (page: Page, name: string) => tree(page).getByRole('treeitem', { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });

async function clean(page: Page, label: string) {
  const violations = await axeViolations(page);
  expect({ label, violations }).toEqual({ label, violations: [] });
}

describe('the Candor widgets in the extension', () => {
  beforeAll(async () => {
    x = await launchExtension(profile);
    const tab = await x.open('newtab.html');
    await tab.locator('#load-sample').click();
    await tab.locator('.objective').first().waitFor({ timeout: 60_000 });
    await tab.close();
  });
  afterAll(async () => {
    await x?.close();
    removeProfile(profile);
  });

  it('options → Alignment shows the workspace’s objectives for the current cycle in the alignment tree', async () => {
    expect(companyObjectives.length).toBeGreaterThan(0);
    const page = await x.open('options.html');
    await page.getByRole('link', { name: 'Alignment' }).click();
    await expect.poll(() => page.url()).toMatch(/#alignment$/);
    await expect.poll(() => tree(page).getByRole('tree').getAttribute('aria-label')).toBe(`Alignment in ${cycle.name}`);
    await expect.poll(() => page.locator('#alignment-cycle').inputValue()).toBe(cycle.id);
    await expect.poll(() => page.getByText(`${inCycle.length} objectives in this cycle`).isVisible()).toBe(true);
    // The company node rolls up every objective of the cycle; its own objectives are open beneath it.
    await expect.poll(() => item(page, 'Company').textContent()).toContain(`${inCycle.length} objectives`);
    for (const o of companyObjectives) await expect.poll(() => item(page, o.title).isVisible()).toBe(true);
    // Open a team with the keyboard: its people and their objectives appear.
    const team = sample.teams.find((t) => t.parentId && inCycle.some((o) => o.owner.kind === 'team' && o.owner.id === t.id) && !sample.teams.some((c) => c.parentId === t.id))!;
    const row = item(page, team.name);
    await row.waitFor();
    expect(await row.getAttribute('aria-expanded')).toBe('false');
    await row.click(); // activates and toggles it open
    await expect.poll(() => row.getAttribute('aria-expanded')).toBe('true');
    const teamObjective = inCycle.find((o) => o.owner.kind === 'team' && o.owner.id === team.id)!;
    await expect.poll(() => item(page, teamObjective.title).isVisible()).toBe(true);
    // Another cycle: the previous quarter's objectives instead.
    const previous = sample.cycles.find((c) => c.id !== cycle.id)!;
    await page.locator('#alignment-cycle').selectOption(previous.id);
    await expect.poll(() => tree(page).getByRole('tree').getAttribute('aria-label')).toBe(`Alignment in ${previous.name}`);
    const previousCompany = sample.objectives.find((o) => o.cycleId === previous.id && o.owner.kind === 'company')!;
    await expect.poll(() => item(page, previousCompany.title).isVisible()).toBe(true);
    await page.close();
  });

  it('Enter on an objective opens it in the editor, whose card preview follows the edit; saving updates the tree', async () => {
    const target = companyObjectives[0]!;
    const page = await x.open('options.html#alignment');
    const row = item(page, target.title);
    await row.waitFor();
    // Keyboard: the tree is one tab stop; ↓ from the company node reaches its first objective.
    await item(page, 'Company').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => row.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain(`#objectives/${encodeURIComponent(target.id)}`);
    const title = page.locator('#objective-title');
    await expect.poll(() => title.inputValue()).toBe(target.title);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('objective-title');
    const preview = page.locator('.card-preview candor-objective');
    expect(await preview.getAttribute('objective-id')).toBe(target.id);
    await expect.poll(() => preview.getByRole('heading', { level: 3 }).textContent()).toBe(target.title);
    await clean(page, 'editor with preview');

    await title.fill('Customers recommend us first, everywhere');
    await expect.poll(() => preview.getByRole('heading', { level: 3 }).textContent()).toBe('Customers recommend us first, everywhere');
    await title.fill('');
    await expect.poll(() => preview.getByRole('heading', { level: 3 }).textContent()).toBe('Untitled objective');
    await title.fill('Customers recommend us first, everywhere');
    await page.getByRole('button', { name: 'Save objective' }).click();
    await expect.poll(() => page.locator('#objective-title').count()).toBe(0);
    expect(page.url()).toMatch(/#objectives$/);

    await page.getByRole('link', { name: 'Alignment' }).click();
    await expect.poll(() => item(page, 'Customers recommend us first, everywhere').isVisible()).toBe(true);
    expect(await item(page, target.title).count()).toBe(0);
    await page.close();
  });

  it('the widgets follow the appearance setting, and axe finds no violations with them, light and dark', async () => {
    const page = await x.open('options.html#alignment');
    await tree(page).getByRole('tree').waitFor();
    expect(await tree(page).getAttribute('theme')).toBeNull(); // system: the widgets follow prefers-color-scheme
    await clean(page, 'alignment, system');
    const appearance = await x.open('options.html#appearance');
    await appearance.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(() => tree(page).getAttribute('theme')).toBe('dark'); // the open page follows at once
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('theme-dark'))).toBe(true);
    await clean(page, 'alignment, dark');
    await item(page, companyObjectives[1]?.title ?? companyObjectives[0]!.title).click();
    await page.locator('.card-preview candor-objective').waitFor();
    expect(await page.locator('.card-preview candor-objective').getAttribute('theme')).toBe('dark');
    await clean(page, 'editor with preview, dark');
    await appearance.getByRole('radio', { name: 'Light' }).check();
    await expect.poll(() => page.locator('.card-preview candor-objective').getAttribute('theme')).toBe('light');
    await clean(page, 'editor with preview, light');
    const tab = await x.open('newtab.html');
    await tab.locator('.objective').first().waitFor();
    await tab.waitForTimeout(200);
    await clean(tab, 'new tab, light');
    await Promise.all([page.close(), appearance.close(), tab.close()]);
  });
});
