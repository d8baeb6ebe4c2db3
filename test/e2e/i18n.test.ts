// Every string goes through the browser's i18n: in a German browser the extension speaks German.
import { describe, it, expect } from 'vitest';
import { launchExtension, removeProfile, newProfile } from './harness.ts';

describe('the extension in another language', () => {
  it('shows the German messages on the new tab and options page, and marks the page German', async () => {
    const profile = newProfile();
    const x = await launchExtension(profile, { lang: 'de' });
    try {
      const page = await x.open('newtab.html');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Willkommen bei Candor');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
      expect(await page.getByRole('button', { name: 'Die Beispielorganisation laden' }).count()).toBe(1);
      const options = await x.open('options.html#reminders');
      await expect.poll(() => options.getByRole('heading', { name: 'Erinnerungen' }).count()).toBe(1);
      expect(await options.getByLabel('Tag').locator('option').first().textContent()).toBe('Montag');
    } finally {
      await x.close();
      removeProfile(profile);
    }
  });
});
